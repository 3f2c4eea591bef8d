"""What each role gets on every meetings route (see tests/test_route_roles.py).

The signed-in user of each role is a newcomer: not the meeting's recorder, not invited. So
the meeting's own work falls to administrators, sign-off to the ministry, and a confidential
meeting is hidden from a union that was not invited."""
from datetime import date, timedelta

from portal.extensions import db
from portal.meetings import services
from tests.meetings import helpers
from tests.test_route_roles import ANON, SIGNED_IN, admin_only, everyone


def only(ok, *roles, refused=403, anon=302):
    return {ANON: anon} | {r: refused for r in SIGNED_IN} | {r: ok for r in roles}


BANK = ("relationship_manager", "branch_staff", "administrator")
ORGANISERS = ("relationship_manager", "administrator")
MINISTRY = "ministry_official"

ROUTES = {
    "meetings.index": ("GET", "/meetings/?state=planned&district=tehran", everyone(200), None),
    "meetings.review": ("GET", "/meetings/review", only(200, MINISTRY), None),
    "meetings.series_index": ("GET", "/meetings/series", everyone(200), None),
    "meetings.series_new": ("GET", "/meetings/series/new", only(200, *ORGANISERS), None),
    "meetings.series_show": ("GET", "/meetings/series/{m_series}", everyone(200), None),
    "meetings.series_calendar": ("GET", "/meetings/series/{m_series}/calendar.ics",
                                 everyone(200), None),
    "meetings.feed": ("GET", "/meetings/feed/forged.ics", everyone(404, anon=404), None),
    "meetings.new": ("GET", "/meetings/new", only(200, *ORGANISERS), None),
    "meetings.show": ("GET", "/meetings/{m_confidential}",
                      everyone(200) | {"union_director": 404}, None),
    "meetings.printable": ("GET", "/meetings/{m_confidential}/print",
                           everyone(200) | {"union_director": 404}, None),
    "meetings.calendar": ("GET", "/meetings/{m_planned}/calendar.ics", everyone(200), None),
    "meetings.edit": ("GET", "/meetings/{m_planned}/edit", admin_only(), None),
    # each step sends the version of the meeting its page was loaded at, as the page does
    "meetings.mark_held": ("POST", "/meetings/{m_planned}/held", admin_only(302),
                           {"version_id": "{m_planned_v}"}),
    "meetings.cancel": ("POST", "/meetings/{m_planned}/cancel", admin_only(302),
                        {"reason": "The hall is not free", "version_id": "{m_planned_v}"}),
    "meetings.approve_minutes": ("POST", "/meetings/{m_held}/approve", admin_only(302),
                                 {"version_id": "{m_held_v}"}),
    "meetings.sign_off": ("POST", "/meetings/{m_approved}/sign-off", only(302, MINISTRY),
                          {"comment": "Agreed", "version_id": "{m_approved_v}"}),
    "meetings.send_back": ("POST", "/meetings/{m_approved}/send-back", only(302, MINISTRY),
                           {"reason": "Name the deputies present",
                            "version_id": "{m_approved_v}"}),
    "meetings.add_agenda": ("POST", "/meetings/{m_planned}/agenda", admin_only(302),
                            {"title": "Specialised branches"}),
    "meetings.remove_agenda": ("POST", "/meetings/{m_planned}/agenda/{m_agenda}/delete",
                               admin_only(302), None),
    "meetings.edit_agenda": ("POST", "/meetings/{m_planned}/agenda/{m_agenda}/edit",
                             admin_only(302), {"item-title": "Opening of the session"}),
    "meetings.move_agenda": ("POST", "/meetings/{m_planned}/agenda/{m_agenda}/move",
                             admin_only(302), {"direction": "down"}),
    "meetings.invite": ("POST", "/meetings/{m_planned}/invite", admin_only(302),
                        {"organisation_ids": "{m_union}"}),
    # nobody signed in here is invited: only invitees answer (tested in test_views)
    "meetings.reply": ("POST", "/meetings/{m_planned}/reply", only(302),
                       {"reply": "accepted"}),
    "meetings.attendance": ("POST", "/meetings/{m_held}/attendance", admin_only(302),
                            {"organisation_ids": "{m_union}"}),
    "meetings.statement": ("POST", "/meetings/{m_held}/statements", admin_only(302),
                           {"organisation_id": "{m_union}", "kind": "proposal",
                            "topic": "products", "title": "Sector products",
                            "body": "Design products fitted to the sector."}),
    "meetings.commitment": ("POST", "/meetings/{m_held}/commitments", admin_only(302),
                            {"description": "Train the staff of specialised branches",
                             "organisation_id": "{m_bank}", "due_on": "2031-01-31"}),
    # any of the bank's relationship managers records progress (can_update_commitment)
    "meetings.commitment_progress": ("POST", "/meetings/{m_held}/commitments/progress",
                                     only(302, *ORGANISERS), {
                                         "table": "made",
                                         "made-rows-0-commitment_id": "{m_commitment}",
                                         "made-rows-0-version_id": "{m_commitment_v}",
                                         "made-rows-0-status": "in_progress"}),
    "meetings.minutes": ("GET", "/meetings/{m_held}/minutes", admin_only(), None),
    "meetings.autosave": ("POST", "/meetings/{m_held}/minutes/autosave", admin_only(),
                          {"body": "<p>Half-written</p>"}),
    "meetings.revisions": ("GET", "/meetings/{m_held}/minutes/revisions",
                           only(200, *BANK, MINISTRY), None),
}


def world():
    cast = helpers.Cast()
    series = services.create_series(cast.recorder, title="سلسله نشست‌های هم‌اندیشی",
                                    host_organisation=cast.bank,
                                    invited_organisations=[cast.union])
    planned = helpers.plan(cast, series=series)
    agenda = services.add_agenda_item(cast.recorder, planned, title="Opening", presenter="CEO")
    services.add_agenda_item(cast.recorder, planned, title="Critiques and proposals")
    held = helpers.hold(cast, helpers.plan(cast, series=series))
    commitment = services.add_commitment(
        cast.recorder, held, description="Open specialised branches in the provinces",
        organisation=cast.bank, due_on=date.today() + timedelta(days=60))
    approved = helpers.approve(cast, helpers.hold(cast, helpers.plan(cast, series=series)))
    # a union of the same network that the newcomer director's union is not: not invited
    confidential = helpers.plan(cast, confidential=True, title="Confidential session")
    db.session.commit()
    # names prefixed: every area's world() shares one dictionary of ids
    return {"m_series": series.id, "m_planned": planned.id, "m_agenda": agenda.id,
            "m_held": held.id, "m_approved": approved.id, "m_confidential": confidential.id,
            "m_commitment": commitment.id, "m_union": cast.union.id, "m_bank": cast.bank.id,
            "m_planned_v": str(planned.version_id), "m_held_v": str(held.version_id),
            "m_approved_v": str(approved.version_id),
            "m_commitment_v": str(commitment.version_id)}

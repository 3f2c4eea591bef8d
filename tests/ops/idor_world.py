"""Two sides for the IDOR sweep (tests/ops/test_idor_sweep.py).

Side B owns confidential and private objects of every kind addressed by id in a URL: the
areas' own world() builders (tests/<area>/routes.py) where their objects already belong to an
organisation nobody on side A belongs to, and confidential feedback and meetings built here
(the areas' worlds hold public ones, readable by design).

Side A is one person per role: the director of union A, the relationship manager with union A
(and not B) in their portfolio, a member of staff of branch A and a ministry official, plus
objects of A's own that the mixed-id attacks put in the URL next to an id of B's.
"""
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app

from portal.accounts.models import OrgKind
from portal.branches.models import Branch
from portal.core.notify import Notification
from portal.extensions import db
from portal.feedback import services as feedback_services
from portal.feedback.models import Attachment, EscalationContact
from portal.meetings import services as meeting_services
from portal.turnover.models import TurnoverOtherBank, TurnoverReport
from tests import (
    factories,
    test_route_roles,  # noqa: F401 - first: the areas' routes.py import it
)
from tests.branches import routes as branch_routes
from tests.branches.helpers import make_branch, make_course, make_session, make_staff
from tests.feedback import helpers as feedback_helpers
from tests.indicators import routes as indicator_routes
from tests.meetings import helpers as meeting_helpers
from tests.products import routes as product_routes
from tests.results import routes as result_routes
from tests.turnover import routes as turnover_routes

# in the title of every confidential object of B's: it must not reach a role of A's that may
# not read it, even on a page that answers 200 (a series, a branch, a reporting period)
SECRET = "IDOR-SECRET-B"


def _attach(item, user):
    key = uuid.uuid4().hex
    folder = Path(current_app.config["UPLOAD_DIR"]) / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(b"%PDF-1.4 confidential minutes")
    attachment = Attachment(item_id=item.id, filename="minutes.pdf", size=29,
                            content_type="application/pdf", storage_key=key,
                            uploaded_by_id=user.id)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def _side_b(ids, users):
    # the areas' worlds: a branch with a delivery to a union, a training session and an
    # entrustment contract; draft products and packages; a turnover report, its period and an
    # API token; a district office with indicators
    for module in (branch_routes, product_routes, turnover_routes, indicator_routes,
                   result_routes):
        ids.update(module.world())

    branch_staff_b = make_staff(db.session.get(Branch, ids["branch"]))

    # feedback: confidential items of union B in each state an action needs
    union_b, director_b, manager_b = feedback_helpers.union_with_manager()
    submitted = feedback_helpers.submit(director_b, visibility="confidential",
                                        title=f"{SECRET} submitted")
    acknowledged = feedback_helpers.submit(director_b, visibility="confidential",
                                           title=f"{SECRET} acknowledged")
    feedback_services.acknowledge(manager_b, acknowledged)
    answered = feedback_helpers.answer(manager_b, feedback_helpers.submit(
        director_b, kind="proposal", visibility="confidential", title=f"{SECRET} answered"))
    drafted = feedback_helpers.submit(director_b, kind="product_request",
                                      visibility="confidential", title=f"{SECRET} drafted")
    feedback_services.save_draft(manager_b, drafted, body_html="Draft", outcome="planned")
    attachment = _attach(submitted, director_b)

    # meetings: confidential meetings of another cast, in a series anyone may browse
    cast = meeting_helpers.Cast()
    series = meeting_services.create_series(cast.recorder, title="Series of side B",
                                            host_organisation=cast.bank,
                                            invited_organisations=[cast.union])
    planned = meeting_helpers.plan(cast, series=series, confidential=True,
                                   title=f"{SECRET} planned")
    agenda = meeting_services.add_agenda_item(cast.recorder, planned, title="Opening",
                                              presenter="CEO")
    meeting_services.add_agenda_item(cast.recorder, planned, title="Critiques")
    held = meeting_helpers.hold(cast, meeting_helpers.plan(
        cast, series=series, confidential=True, title=f"{SECRET} held",
        starts=datetime(2025, 6, 1, 10, 0)))
    commitment = meeting_services.add_commitment(
        cast.recorder, held, description=f"{SECRET} commitment", organisation=cast.bank,
        due_on=date.today() + timedelta(days=60))
    # a later meeting of the series, open to all: the commitment is carried forward to it
    later = meeting_helpers.plan(cast, series=series, title="Open session of side B")
    approved = meeting_helpers.approve(cast, meeting_helpers.hold(cast, meeting_helpers.plan(
        cast, series=series, confidential=True, title=f"{SECRET} approved")))

    # accounts and home: B's director, their membership and a notification of theirs
    note = Notification(user_id=director_b.id, kind="test", title=f"{SECRET} notification",
                        link="/")
    db.session.add(note)

    # turnover: the director of the organisation whose report the area's world made
    report = db.session.get(TurnoverReport, ids["t_report"])
    report_director = factories.make_user("union_director", report.organisation)
    other_bank = TurnoverOtherBank(report_id=report.id, bank_name="Bank Melli",
                                   bank_key="bank melli", amount=100_000)
    db.session.add(other_bank)
    db.session.flush()
    ids.update({
        "union_b": union_b.id, "user_b": director_b.id,
        "membership_b": director_b.memberships[0].id, "note_b": note.id,
        "fb_submitted": submitted.id, "fb_submitted_v": submitted.version_id,
        "fb_acknowledged": acknowledged.id, "fb_acknowledged_v": acknowledged.version_id,
        "fb_answered": answered.id, "fb_answered_v": answered.version_id,
        "fb_drafted": drafted.id, "fb_drafted_v": drafted.version_id,
        "fb_attachment": attachment.id,
        "m_series": series.id, "m_planned": planned.id, "m_planned_v": planned.version_id,
        "m_agenda": agenda.id, "m_held": held.id, "m_held_v": held.version_id,
        "m_commitment": commitment.id, "m_commitment_v": commitment.version_id,
        "m_approved": approved.id, "m_approved_v": approved.version_id, "m_later": later.id,
        "m_union_b": cast.union.id, "m_bank_b": cast.bank.id,
        "t_report_org_name": report.organisation.name, "t_other_bank": other_bank.id,
    })
    users.update({"director_b": director_b.id, "manager_b": manager_b.id,
                  "official_b": cast.official.id, "branch_staff_b": branch_staff_b.id,
                  "report_director": report_director.id,
                  "administrator": factories.make_user("administrator").id})
    # feedback: a link of B's bank's escalation chain
    bank_b = factories.make_org(OrgKind.BANK_HEAD_OFFICE, country="TH", currency="THB")
    escalation_link = EscalationContact(network_id=bank_b.id, level=1, user_id=manager_b.id)
    db.session.add(escalation_link)
    db.session.flush()
    ids["fb_escalation_link"] = escalation_link.id


def _side_a(ids, users):
    union_a = factories.make_org(OrgKind.NATIONAL_UNION, name="اتحادیه سراسری الف")
    director_a = factories.make_user("union_director", union_a)
    manager_a = factories.make_user("relationship_manager")
    manager_a.portfolio = [union_a]
    branch_a = make_branch(name="شعبه ویژه تعاون الف")
    staff_a = make_staff(branch_a)
    official_a = factories.make_user("ministry_official")
    db.session.commit()

    # A's own objects, for the URLs that pair one of A's ids with one of B's
    item_a = feedback_helpers.submit(director_a, title="Item of side A")
    cast_a = meeting_helpers.Cast()
    meeting_a = meeting_helpers.plan(cast_a, recorder=manager_a, title="Meeting of side A")
    meeting_services.add_agenda_item(manager_a, meeting_a, title="Opening of A")
    session_a = make_session(branch_a, make_course("IDOR-A-COURSE"))
    report_b = db.session.get(TurnoverReport, ids["t_report"])
    report_a = TurnoverReport(organisation_id=union_a.id, period_id=report_b.period_id,
                              currency="IRR", total_turnover=1_000_000, bank_turnover=500_000,
                              deposits=0, average_balance=0, loans=0, accounts=1)
    db.session.add(report_a)
    db.session.flush()
    ids.update({"union_a": union_a.id, "manager_a": manager_a.id, "branch_a": branch_a.id,
                "fb_item_a": item_a.id, "m_meeting_a": meeting_a.id,
                "b_session_a": session_a.id, "t_report_a": report_a.id})
    users.update({"union_director": director_a.id, "relationship_manager": manager_a.id,
                  "branch_staff": staff_a.id, "ministry_official": official_a.id})


def build():
    """({name: id}, {who: user id}) for both sides, committed."""
    ids, users = {}, {}
    with current_app.test_request_context(base_url="http://portal.test"):
        _side_b(ids, users)
        _side_a(ids, users)
        db.session.commit()
    return ids, users

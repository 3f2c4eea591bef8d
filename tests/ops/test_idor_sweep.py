"""IDOR sweep: every route with an integer id in its URL, tried by every role of another
organisation with GET and POST, on ids of objects they must not read or change.

Side B owns the objects; side A is one person per role (see tests/ops/idor_world.py). For each
endpoint, TARGETS says how to build a URL naming B's object (and, for nested URLs, one that
pairs an object of A's with one of B's), who on side A may read it by design (the bank and the
ministry read the whole network in most areas), and whether some role of A's may change it by
design. Everything else must be refused, with the app's convention: 404 when the object is
not in the person's scoped query (whether it exists is nobody else's business), 403 when they
may see it but not do this, or when the route refuses their role before looking anything up.
After every refused request the whole database is compared with how it was before.

A control request by someone who may do it (an administrator, B's own director...) proves that
each URL and form is right, so the refusals are not mere typos.

A new route with an <int:...> in its path fails test_every_int_id_route_is_swept until it has
a row in TARGETS (or, if it names nothing private, a justified row in EXEMPT).
"""
import re
from dataclasses import dataclass, field

import pytest

from portal.accounts.models import Passkey, User
from tests.ops import idor_world
from tests.ops.idor_world import SECRET
from tests.ops.snapshot import changed_tables, snapshot

ROLES_A = ("union_director", "relationship_manager", "branch_staff", "ministry_official")
DIRECTOR, MANAGER, STAFF, MINISTRY = ROLES_A
NETWORK = frozenset({MANAGER, STAFF, MINISTRY})  # the bank and the ministry read every org
NOBODY = frozenset()


def every(status):
    """The route refuses all of A's roles alike (e.g. administrators only: 403 before any
    lookup)."""
    return dict.fromkeys(ROLES_A, status)


@dataclass(frozen=True)
class Target:
    path: str                       # with {names} from idor_world.build()
    form: dict = field(default_factory=dict)   # the POST body, {names} too
    sees: frozenset = NETWORK       # A's roles that may read B's object here, by design
    page: bool = False              # GET shows the object: 200 for `sees`, 404 for the rest
    writes: frozenset = NOBODY      # A's roles that may change it, by design (say why)
    status: dict = field(default_factory=dict)  # role -> status where the default is wrong
    control: str | None = "administrator"       # who may do it; None: nobody (say why)
    control_status: int | None = None           # None: anything below 400
    hidden: tuple = (SECRET,)       # text no role outside `sees` may get, even on a 200

    def expected(self, role, method):
        if role in self.status:
            return self.status[role]
        if method == "GET" and self.page and role in self.sees:
            return 200
        if method == "POST" and role in self.writes:
            return "allowed"
        return 403 if role in self.sees else 404


def page(path, **fields):
    return Target(path, page=True, **fields)


ADMIN_ONLY = every(403)
EVERYONE = frozenset(ROLES_A)
NOT_MANAGERS = {DIRECTOR: 403, STAFF: 403, MINISTRY: 403}


def version(name):
    return {"version_id": "{" + name + "_v}"}


# endpoint -> the URLs that name something of B's. Add a row when you add a route with an id.
TARGETS = {
    # a person's own passkeys only: B's director's key is not found by anyone of A's; its
    # owner removes it (the control)
    "auth.remove_passkey": [Target("/account/passkeys/{passkey_b}/remove", status=every(404),
                                   control="director_b")],
    # --- accounts: administrators only, refused before the id is looked at ---
    "users.edit": [Target("/admin/users/{user_b}", status=ADMIN_ONLY)],
    "users.invite": [Target("/admin/users/{user_b}/invite", status=ADMIN_ONLY)],
    "users.deactivate": [Target("/admin/users/{user_b}/deactivate", status=ADMIN_ONLY)],
    "users.reactivate": [Target("/admin/users/{user_b}/reactivate", status=ADMIN_ONLY,
                                control_status=302)],
    "users.add_membership": [Target(
        "/admin/users/{user_b}/memberships", status=ADMIN_ONLY,
        form={"m-organisation_id": "{union_a}", "m-role": "union_director"})],
    "users.remove_membership": [Target("/admin/users/{user_b}/memberships/{membership_b}/delete",
                                       status=ADMIN_ONLY)],
    "users.reset_two_factor": [Target("/admin/users/{user_b}/two-factor/reset",
                                      status=ADMIN_ONLY)],
    "users.set_portfolio": [Target("/admin/users/{user_b}/portfolio", status=ADMIN_ONLY,
                                   form={"organisation_ids": "{union_a}"})],
    "organisations.show": [page("/organisations/{union_b}")],
    "organisations.edit": [Target("/organisations/{union_b}/edit", status=ADMIN_ONLY)],
    "organisations.deactivate": [Target("/organisations/{union_b}/deactivate",
                                        status=ADMIN_ONLY)],
    "home.open_notification": [Target("/notifications/{note_b}/open", status=every(404),
                                      control="director_b")],

    # --- feedback: B's confidential items; the bank and the ministry read every item ---
    "feedback.show": [page("/feedback/{fb_submitted}")],
    "feedback.attachment": [
        page("/feedback/{fb_submitted}/attachments/{fb_attachment}"),
        # A's own item with B's attachment: the pair never matches, for anyone
        Target("/feedback/{fb_item_a}/attachments/{fb_attachment}", status=every(404),
               control=None),
    ],
    "feedback.acknowledge": [Target("/feedback/{fb_submitted}/acknowledge",
                                    form=version("fb_submitted"))],
    "feedback.review": [Target("/feedback/{fb_acknowledged}/review",
                               form=version("fb_acknowledged"))],
    "feedback.publish": [Target("/feedback/{fb_drafted}/publish", form=version("fb_drafted"))],
    "feedback.close": [Target("/feedback/{fb_answered}/close", form=version("fb_answered"))],
    # suggestions for the answer form: whoever answers B's item, and nobody else
    "feedback.duplicate_candidates": [Target("/feedback/{fb_submitted}/duplicates?q=12")],
    "feedback.reopen": [Target("/feedback/{fb_answered}/reopen", form={"reason": "Not settled"},
                               control="director_b")],
    "feedback.add_note": [Target("/feedback/{fb_submitted}/note",
                                 form={"body": "Seen from the other side"})],
    "feedback.save_draft": [Target("/feedback/{fb_submitted}/draft", form={
        "body": "Taken over", "outcome": "planned", "version_id": "{fb_submitted_v}"})],
    # a confidential item can be endorsed by nobody (endorsements are for public items)
    "feedback.endorse": [Target("/feedback/{fb_submitted}/endorse", control=None)],
    # the discussion: the bank writes in any item's of its network (portal/feedback/conversation)
    "feedback.post_comment": [Target("/feedback/{fb_submitted}/discussion",
                                     form={"comment-body": "<p>Seen from the other side</p>"},
                                     writes=frozenset({MANAGER, STAFF}), control="director_b")],
    "feedback.remove_comment": [
        Target("/feedback/{fb_submitted}/discussion/{fb_comment}/remove", control="director_b"),
        # A's own item with B's message: the pair never matches
        Target("/feedback/{fb_item_a}/discussion/{fb_comment}/remove", status=every(404),
               control=None),
    ],
    "feedback.edit_comment": [Target("/feedback/{fb_submitted}/discussion/{fb_comment}/edit",
                                     form={"body": "<p>Rewritten</p>"}, control="director_b")],
    "feedback.hide_comment": [Target("/feedback/{fb_submitted}/discussion/{fb_comment}/hide",
                                     control="manager_b")],
    "feedback.reassign": [Target("/feedback/{fb_submitted}/reassign",
                                 form={"owner_id": "{manager_a}"})],
    "feedback.link_product": [Target("/feedback/{fb_drafted}/product", form={
        "product_id": "{product}", "version_id": "{fb_drafted_v}"})],
    # a bank's escalation chain: administrators only, and only the chain of the bank they
    # look at (a fresh administrator looks at every network, so no control here: see
    # tests/feedback/test_escalation_chain.py for the removal and the other bank's refusal)
    "feedback.remove_escalation_link": [Target("/feedback/escalation/{fb_escalation_link}/delete",
                                               status=ADMIN_ONLY, control=None)],

    # --- meetings: B's confidential meetings; the bank and the ministry see every meeting ---
    "meetings.show": [
        page("/meetings/{m_planned}"),
        # an open meeting of B's series: what was agreed at B's confidential one is carried
        # forward to it, for those who may read the confidential one only
        page("/meetings/{m_later}", status={DIRECTOR: 200}, control=None),
    ],
    "meetings.printable": [
        page("/meetings/{m_planned}/print"),
        page("/meetings/{m_later}/print", status={DIRECTOR: 200}, control=None),
    ],
    "meetings.calendar": [page("/meetings/{m_planned}/calendar.ics")],
    "meetings.revisions": [page("/meetings/{m_held}/minutes/revisions")],
    # a series is open to everyone signed in; its confidential meetings are not
    "meetings.series_show": [page("/meetings/series/{m_series}", status={DIRECTOR: 200})],
    "meetings.series_calendar": [page("/meetings/series/{m_series}/calendar.ics",
                                      status={DIRECTOR: 200})],
    "meetings.edit": [Target("/meetings/{m_planned}/edit")],
    "meetings.mark_held": [Target("/meetings/{m_planned}/held", form=version("m_planned"))],
    "meetings.cancel": [Target("/meetings/{m_planned}/cancel", form={
        "reason": "Not ours to cancel", "version_id": "{m_planned_v}"})],
    "meetings.approve_minutes": [Target("/meetings/{m_held}/approve", form=version("m_held"))],
    # any ministry official signs off or sends back any consultation session: the ministry's
    # review is the one thing it writes (tests/meetings)
    "meetings.sign_off": [Target("/meetings/{m_approved}/sign-off", writes={MINISTRY},
                                 form={"comment": "Agreed", "version_id": "{m_approved_v}"},
                                 control=None)],
    "meetings.send_back": [Target("/meetings/{m_approved}/send-back", writes={MINISTRY},
                                  form={"reason": "Name who was present",
                                        "version_id": "{m_approved_v}"}, control=None)],
    "meetings.add_agenda": [Target("/meetings/{m_planned}/agenda", form={"title": "Ours now"})],
    "meetings.remove_agenda": [
        Target("/meetings/{m_planned}/agenda/{m_agenda}/delete"),
        # A's relationship manager records A's meeting: B's agenda item is still not theirs
        Target("/meetings/{m_meeting_a}/agenda/{m_agenda}/delete", sees=frozenset(ROLES_A),
               status={MANAGER: 404}, control=None),
    ],
    "meetings.edit_agenda": [
        Target("/meetings/{m_planned}/agenda/{m_agenda}/edit", form={"item-title": "Ours"}),
        Target("/meetings/{m_meeting_a}/agenda/{m_agenda}/edit", form={"item-title": "Ours"},
               sees=frozenset(ROLES_A), status={MANAGER: 404}, control=None),
    ],
    "meetings.move_agenda": [
        Target("/meetings/{m_planned}/agenda/{m_agenda}/move", form={"direction": "down"}),
        Target("/meetings/{m_meeting_a}/agenda/{m_agenda}/move", form={"direction": "down"},
               sees=frozenset(ROLES_A), status={MANAGER: 404}, control=None),
    ],
    "meetings.invite": [Target("/meetings/{m_planned}/invite", form={
        "organisation_ids": "{union_a}", "version_id": "{m_planned_v}"})],
    "meetings.reply": [Target("/meetings/{m_planned}/reply", form={"reply": "accepted"},
                              control="official_b")],
    "meetings.attendance": [Target("/meetings/{m_held}/attendance", form={
        "organisation_ids": "{m_union_b}", "version_id": "{m_held_v}"})],
    "meetings.statement": [Target("/meetings/{m_held}/statements", form={
        "organisation_id": "{m_union_b}", "kind": "proposal", "topic": "products",
        "title": "Planted", "body": "Planted from outside."})],
    "meetings.commitment": [Target("/meetings/{m_held}/commitments", form={
        "description": "Planted", "organisation_id": "{m_bank_b}", "due_on": "2031-01-31"})],
    # progress on a commitment is recorded by any of the bank's relationship managers
    # (portal.meetings.permissions.can_update_commitment); a union never reaches another's
    # confidential one
    "meetings.commitment_progress": [Target(
        "/meetings/{m_held}/commitments/progress", writes={MANAGER},
        form={"table": "made", "made-rows-0-commitment_id": "{m_commitment}",
              "made-rows-0-version_id": "{m_commitment_v}", "made-rows-0-status": "in_progress"},
        control=None)],
    "meetings.minutes": [Target("/meetings/{m_held}/minutes")],
    "meetings.autosave": [Target("/meetings/{m_held}/minutes/autosave",
                                 form={"body": "<p>Rewritten</p>"})],

    # --- products: no owner; the private ones are those not yet available to the public ---
    "products.show": [page("/products/{draft_product}")],
    "products.package": [page("/products/packages/{draft_package}")],
    "products.edit": [Target("/products/{draft_product}/edit", status=ADMIN_ONLY)],
    "products.change_status": [Target("/products/{draft_product}/status", status=ADMIN_ONLY,
                                      form={"status": "in_design", "version_id": "1"})],
    "products.package_edit": [Target("/products/packages/{draft_package}/edit",
                                     status=ADMIN_ONLY)],
    "products.package_status": [Target("/products/packages/{draft_package}/status",
                                       status=ADMIN_ONLY,
                                       form={"status": "withdrawn", "version_id": "1"})],

    # --- branches: the registry is open to everyone signed in; deliveries, contracts and
    # training records are not ---
    "branches.show": [page("/branches/{branch}", status={DIRECTOR: 200})],
    "branches.deliveries": [page("/branches/{branch}/deliveries", status={DIRECTOR: 200})],
    "branches.edit": [Target("/branches/{branch}/edit", status=ADMIN_ONLY)],
    # only the branch's own staff log and correct its deliveries
    "branches.log_delivery": [Target("/branches/{branch}/deliveries/new", status=every(403),
                                     control="branch_staff_b")],
    "branches.edit_delivery": [
        Target("/branches/{branch}/deliveries/{delivery}/edit", status=every(403),
               control="branch_staff_b"),
        # A's staff at A's own branch, with B's delivery
        Target("/branches/{branch_a}/deliveries/{delivery}/edit",
               status=every(403) | {STAFF: 404}, control=None),
    ],
    "branches.session_create": [Target("/branches/{branch}/training/new", status=every(403))],
    "branches.session": [
        page("/branches/{branch}/training/{session}", status={DIRECTOR: 403}),
        page("/branches/{branch_a}/training/{session}", status={DIRECTOR: 403},
             sees=NOBODY, control=None),
    ],
    "branches.add_attendance": [
        # the administrator gets past the permission check; the empty form is then refused
        Target("/branches/{branch}/training/{session}/attendance", status=every(403),
               control_status=400),
        Target("/branches/{branch_a}/training/{session}/attendance",
               status=every(403) | {STAFF: 404}, control=None),
    ],
    "branches.contract": [page("/branches/entrustment/{contract}")],
    "branches.contract_edit": [Target("/branches/entrustment/{contract}/edit",
                                      status=ADMIN_ONLY)],

    # --- turnover: a union's figures are read by its director and its relationship manager
    # only; the ministry reads all; branch staff read none ---
    "turnover.report": [page("/turnover/reports/{t_report}", sees={MINISTRY},
                             status={STAFF: 403})],
    "turnover.confirm": [Target("/turnover/reports/{t_report}/confirm", sees={MINISTRY},
                                status={STAFF: 403}, control="report_director")],
    "turnover.edit_report": [Target("/turnover/reports/{t_report}/edit", sees={MINISTRY},
                                    status={STAFF: 403})],
    # a reporting period belongs to a country, not to an organisation; its page lists only
    # the reports the reader may read
    "turnover.period": [page("/turnover/periods/{t_period}", sees={MINISTRY},
                             status={DIRECTOR: 200, MANAGER: 200, STAFF: 403},
                             hidden=("{t_report_org_name}",))],
    "turnover.save_other_bank": [Target("/turnover/reports/{t_report}/other-banks",
                                        sees={MINISTRY}, status={STAFF: 403},
                                        form={"bank_name": "Bank Sepah", "amount": "1000"})],
    "turnover.delete_other_bank": [
        Target("/turnover/reports/{t_report}/other-banks/{t_other_bank}/delete",
               sees={MINISTRY}, status={STAFF: 403}),
        # A's own report with B's row: the pair never matches
        Target("/turnover/reports/{t_report_a}/other-banks/{t_other_bank}/delete",
               sees=frozenset({DIRECTOR, MANAGER, MINISTRY}), status={STAFF: 403} | {
                   DIRECTOR: 404, MANAGER: 404, MINISTRY: 404}, control=None),
    ],
    "turnover.union_report": [page("/turnover/unions/{t_union}/report", sees={MINISTRY},
                                   status={STAFF: 403}, control="report_director")],
    "turnover.period_status": [Target("/turnover/periods/{t_period}/close",
                                      status=ADMIN_ONLY)],
    "turnover.revoke_token": [Target("/turnover/tokens/{t_token}/revoke", status=ADMIN_ONLY)],

    # --- indicators: an organisation's scorecard is read within one's own tree, portfolio or
    # district; the ministry reads all ---
    "indicators.dashboard": [page("/indicators/{i_org}", sees={MINISTRY})],
    "indicators.report": [page("/indicators/{i_org}/report", sees={MINISTRY})],
    "indicators.export": [page("/indicators/{i_org}/export/scorecard.csv", sees={MINISTRY})],

    # --- results: the bank's public account to its whole network; relationship managers of
    # the network answer for them (any of them, as for the network's meetings) ---
    "results.show": [page("/results/{result}", sees=EVERYONE)],
    "results.edit": [page("/results/{result}/edit", sees=EVERYONE, writes={MANAGER},
                          status=NOT_MANAGERS,
                          form={"title_en": "Changed by A's manager", "owner_id": "{result_owner}",
                                "due_on": "2026-12-30", "version_id": "{result_v}"})],
    # A's manager moves it first (by design), so the administrator's control would hold a
    # stale version: the manager's move is the control that the URL and form are right
    "results.change_status": [Target("/results/{result}/status", sees=EVERYONE,
                                     writes={MANAGER}, status=NOT_MANAGERS, control=None,
                                     form={"status": "in_progress", "version_id": "{result_v}"})],
    "results.add_milestone": [Target("/results/{result}/milestones", sees=EVERYONE,
                                     writes={MANAGER}, status=NOT_MANAGERS,
                                     form={"day": "2026-01-10", "title": "A step of A's"})],
}

# endpoint -> why an id in its URL names nothing private (none today)
EXEMPT = {}


def _build():
    """The world, and a message of B's director in the discussion of B's confidential item."""
    from flask import current_app

    from portal.extensions import db
    from portal.feedback import conversation
    from portal.feedback.models import FeedbackItem

    ids, users = idor_world.build()
    with current_app.test_request_context(base_url="http://portal.test"):
        comment = conversation.post(db.session.get(User, users["director_b"]),
                                    db.session.get(FeedbackItem, ids["fb_submitted"]),
                                    f"<p>{SECRET} message</p>")
        key = Passkey(user_id=users["director_b"], credential_id=b"idor-sweep-key-b",
                      public_key=b"not-a-real-key", sign_count=0, name=f"{SECRET} key")
        db.session.add(key)
        db.session.commit()
    return ids | {"fb_comment": comment.id, "passkey_b": key.id}, users


def _int_id_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]


def test_every_int_id_route_is_swept(app):
    endpoints = {rule.endpoint for rule in _int_id_rules(app)}
    missing = endpoints - TARGETS.keys() - EXEMPT.keys()
    assert not missing, (
        f"routes with an id in the URL that the IDOR sweep cannot populate: {sorted(missing)}; "
        "add them to TARGETS in tests/ops/test_idor_sweep.py")
    assert not (TARGETS.keys() | EXEMPT.keys()) - endpoints, "swept routes that no longer exist"
    assert not TARGETS.keys() & EXEMPT.keys()


def _methods(app, endpoint):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return [m for m in ("GET", "POST") if m in rule.methods]


def _fill(template, ids):
    return template.format(**ids)


def _request(client, method, path, form):
    response = client.open(path, method=method, data=form if method == "POST" else None)
    status, body = response.status_code, response.get_data(as_text=True)
    response.close()  # a download holds its file open until closed
    return status, body


@pytest.mark.parametrize("endpoint", sorted(TARGETS))
def test_other_organisations_objects_cannot_be_read_or_changed_by_id(
        endpoint, app, client, login, db):
    ids, users = _build()
    adapter = app.url_map.bind("portal.test")
    methods = _methods(app, endpoint)
    allowed_later = []
    before = snapshot()
    for target in TARGETS[endpoint]:
        path = _fill(target.path, ids)
        form = {k: _fill(v, ids) for k, v in target.form.items()}
        assert adapter.match(path.split("?")[0], method=methods[0])[0] == endpoint, path
        for role in ROLES_A:
            login(db.session.get(User, users[role]))
            for method in methods:
                expected = target.expected(role, method)
                if expected == "allowed":
                    allowed_later.append((role, path, form))
                    continue
                status, body = _request(client, method, path, form)
                assert status == expected, (endpoint, path, role, method, body[:300])
                if status == 200 and role not in target.sees:
                    for text in target.hidden:
                        assert _fill(text, ids) not in body, (endpoint, path, role, method)
                if method == "POST":
                    after = snapshot()
                    assert not changed_tables(before, after), (endpoint, path, role,
                                                               changed_tables(before, after))
    assert not changed_tables(before, snapshot()), endpoint
    # what some role of A's may do by design, then the control: the URL and form are right
    for role, path, form in allowed_later:
        login(db.session.get(User, users[role]))
        status, body = _request(client, "POST", path, form)
        assert status < 400, (endpoint, path, role, body[:300])
    target = TARGETS[endpoint][0]
    if target.control is not None:
        login(db.session.get(User, users[target.control]))
        path = _fill(target.path, ids)
        form = {k: _fill(v, ids) for k, v in target.form.items()}
        method = "GET" if "GET" in methods else "POST"
        status, body = _request(client, method, path, form)
        if target.control_status is not None:
            assert status == target.control_status, (endpoint, target.control, body[:300])
        else:
            assert status < 400, (endpoint, target.control, method, status, body[:300])


def test_the_sweep_names_every_object_of_side_b_it_uses(app, db):
    """Every {name} in TARGETS comes from the world (a typo would fail the format anyway, but
    here it fails with the name)."""
    ids, users = _build()
    names = set()
    for targets in TARGETS.values():
        for target in targets:
            for text in (target.path, *target.form.values(), *target.hidden):
                names.update(re.findall(r"{(\w+)}", text))
            if target.control:
                assert target.control in users, target.control
    assert names <= ids.keys(), sorted(names - ids.keys())


# --- the ministry reads, and writes only its review --------------------------------------------

# POST routes a ministry official may use: the review of a consultation session (sign-off with
# its comment, or sending the minutes back with a reason), answering an invitation, and their
# own account and session. Every other POST route refuses them and changes nothing.
MINISTRY_MAY = {
    "meetings.sign_off": "the review: sign-off, with a comment",
    "meetings.send_back": "the review: minutes sent back, with the reason",
    "meetings.reply": "answering an invitation they received (refused here: not invited)",
    "auth.login": "signing in",
    "auth.logout": "signing out",
    "auth.accept_invitation": "accepting their own invitation",
    "auth.preferences": "their own preferences",
    "auth.security": "their own password and e-mail",
    "auth.confirm_email": "confirming their own new e-mail address",
    "auth.second_factor": "the second step of their own sign-in",
    "auth.request_link": "asking for their own sign-in link",
    "auth.use_link": "using their own sign-in link",
    "auth.confirm_identity": "confirming it is them before a change",
    "auth.two_factor": "setting up their own second factor",
    "auth.renew_recovery_codes": "their own recovery codes",
    "auth.remove_two_factor": "their own second factor (refused: required for the ministry)",
    "auth.passkey_sign_in_options": "the second step of their own sign-in (a passkey)",
    "auth.passkey_sign_in": "the second step of their own sign-in (a passkey)",
    "auth.passkey_options": "adding their own passkey (the challenge, kept in the session)",
    "auth.add_passkey": "adding their own passkey",
    "auth.remove_passkey": "removing their own passkey (refused: none has this id)",
    "auth.switch_language": "their own language",
    "auth.switch_network": "which of their own networks they look at (a session choice)",
    "home.open_notification": "their own notifications",
    "home.read_all_notifications": "their own notifications",
    "digests.preferences": "their own choice of e-mail",
}


def test_the_ministry_writes_nothing_but_its_review(app, client, login_as, db):
    """Extends tests/ops/test_attacks.py::test_the_ministry_cannot_write_anything_but_its_review
    from four forms to every POST route of the app."""
    from tests.ops.post_routes import post_endpoints, post_routes
    from tests.test_route_roles import _world

    posts = post_routes()
    assert post_endpoints(app) <= posts.keys() | {"turnover_api.submit_batch"}
    assert MINISTRY_MAY.keys() <= posts.keys()
    ids = _world()
    db.session.commit()
    login_as("ministry_official")
    before = snapshot()
    wrong = []
    for endpoint in sorted(posts.keys() - MINISTRY_MAY.keys()):
        _role, template, form, _status = posts[endpoint]
        path = template.format(**ids)
        status, body = _request(client, "POST", path,
                                {k: v.format(**ids) for k, v in form.items()})
        if status not in (401, 403, 404):
            wrong.append((endpoint, status, body[:200]))
        elif changed_tables(before, snapshot()):
            wrong.append((endpoint, "changed", changed_tables(before, snapshot())))
    assert not wrong, wrong

"""Attacks through ordinary forms: script in every kind of field, direction-override tricks,
and fields the form does not offer (mass assignment)."""
import pytest
import sqlalchemy as sa

from portal.accounts.models import Organisation, Role, User
from portal.feedback.models import FeedbackItem, State
from tests import factories
from tests.feedback import helpers

PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "\u202egnp.exe\u202c",
]


def _dangerous(html):
    lowered = html.lower()
    return any(marker in lowered for marker in (
        "<script>alert", "onerror=\"alert", "<svg onload", 'href="javascript:',
        'href="data:text', "<style>body", "\u202e"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_feedback_fields_never_run(client, login, db, payload):
    union, director, manager = helpers.union_with_manager()
    login(director)
    response = client.post("/feedback/new/critique", data={
        "organisation_id": union.id, "title": f"T {payload}", "body": f"<p>B</p>{payload}",
        "concerns": payload, "topic": "other", "visibility": "public"})
    assert response.status_code == 302
    item = db.session.scalar(sa.select(FeedbackItem))
    for page in (f"/feedback/{item.id}", "/feedback/", f"/feedback/?q={item.id}"):
        assert not _dangerous(client.get(page).text), page
    login(manager)
    assert not _dangerous(client.get(f"/feedback/{item.id}").text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_organisation_and_people_names_never_run(client, login_as, db, payload):
    admin = login_as("administrator")
    org = admin.memberships[0].organisation
    client.post("/admin/users/new", data={
        "full_name": f"N {payload}", "email": "n@cooperative.example", "preferred_locale": "",
        "organisation_id": org.id, "role": "union_director"})
    client.post("/organisations/new", data={
        "code": "XSS-1", "name": f"O {payload}", "kind": "national_union", "country": "IR",
        "currency": "IRR"})
    created = db.session.scalar(sa.select(Organisation).where(Organisation.code == "XSS-1"))
    person = db.session.scalar(sa.select(User).where(User.email == "n@cooperative.example"))
    assert created is not None and person is not None
    assert "\u202e" not in created.name and "\u202e" not in person.full_name
    for page in ("/admin/users/", f"/admin/users/{person.id}", "/organisations/",
                 f"/organisations/{created.id}", "/organisations/?q=XSS"):
        assert not _dangerous(client.get(page).text), page


def test_fields_the_form_does_not_offer_are_ignored(client, login, db):
    union, director, manager = helpers.union_with_manager()
    other_manager = factories.make_user("relationship_manager")
    login(director)
    client.post("/feedback/new/critique", data={
        "organisation_id": union.id, "title": "Mass assignment", "body": "Text",
        "concerns": "x", "topic": "other", "visibility": "public",
        "state": "closed", "owner_id": other_manager.id, "escalation_level": "3",
        "outcome": "accepted"})
    item = db.session.scalar(sa.select(FeedbackItem))
    assert item.state == State.SUBMITTED and item.owner_id == manager.id
    assert item.escalation_level == 0 and item.outcome is None
    client.post("/account/preferences", data={
        "preferred_locale": "vi", "timezone": "UTC", "calendar": "", "is_active": "0",
        "role": "administrator", "session_version": "99"})
    me = db.session.get(User, director.id)
    assert me.is_active and me.preferred_locale == "vi"
    assert not me.has_role(Role.ADMINISTRATOR)


def test_the_ministry_cannot_write_anything_but_its_review(client, login_as, db, app):
    _union, director, _manager = helpers.union_with_manager()
    with app.test_request_context():
        item = helpers.submit(director)
    login_as("ministry_official")
    for path, data in ((f"/feedback/{item.id}/acknowledge", {}),
                       (f"/feedback/{item.id}/draft", {"body": "x", "outcome": "accepted"}),
                       (f"/feedback/{item.id}/note", {"body": "x"}),
                       ("/organisations/new", {"code": "M-1", "name": "x",
                                               "kind": "cooperative", "country": "IR",
                                               "currency": "IRR"})):
        assert client.post(path, data=data).status_code == 403, path
    assert client.get("/feedback/new/critique").status_code == 403

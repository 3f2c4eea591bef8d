"""Mass assignment of the organisation: nobody acts for an organisation they do not belong
to by adding its id to a form, and forms that do not offer organisation, role or state
ignore them. (State, owner, escalation and outcome on feedback, and role, activity and
session version on one's own preferences: tests/ops/test_attacks.py.)"""
import sqlalchemy as sa

from portal.accounts.models import Membership, Role, User
from portal.feedback.models import Endorsement, FeedbackItem
from tests import factories
from tests.feedback import helpers


def test_a_director_cannot_submit_or_endorse_for_another_organisation(client, login, db, app):
    union, director, _manager = helpers.union_with_manager()
    other, other_director, _m = helpers.union_with_manager("اتحادیه دیگر")
    login(director)
    response = client.post("/feedback/new/critique", data={
        "organisation_id": other.id, "title": "On their behalf", "body": "Text",
        "concerns": "x", "topic": "other", "visibility": "public"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackItem)) == 0
    with app.test_request_context():
        item = helpers.submit(other_director)
    endorsed = client.post(f"/feedback/{item.id}/endorse",
                           data={"organisation_id": other.id, "comment": "x"})
    assert endorsed.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Endorsement)) == 0


def _memberships(db, user):
    return sorted((m.organisation_id, m.role.value) for m in db.session.scalars(
        sa.select(Membership).where(Membership.user_id == user.id)))


def test_own_account_forms_ignore_organisation_role_and_state(client, login, db):
    _union, director, _manager = helpers.union_with_manager()
    bank = factories.make_org("bank_head_office")
    db.session.commit()
    before = _memberships(db, director)
    version = director.session_version
    login(director)
    for path, data in (
            ("/account/preferences", {"preferred_locale": "fa", "timezone": "UTC"}),
            ("/account/security", {"pw-current": "x"})):
        client.post(path, data=data | {
            "organisation_id": bank.id, "role": "administrator", "m-organisation_id": bank.id,
            "m-role": "administrator", "is_active": "0", "memberships": bank.id,
            "session_version": "7", "email": "other@evil.example"})
    me = db.session.get(User, director.id)
    assert _memberships(db, me) == before and not me.has_role(Role.ADMINISTRATOR)
    assert me.is_active and me.email == director.email and me.session_version == version


def test_editing_a_person_does_not_change_their_organisation_or_role(client, login_as, db):
    person = factories.make_user("union_director")
    bank = factories.make_org("bank_head_office")
    db.session.commit()
    before, version = _memberships(db, person), person.session_version
    login_as("administrator")
    response = client.post(f"/admin/users/{person.id}", data={
        "full_name": "Renamed", "email": "renamed@cooperative.example", "preferred_locale": "",
        "version_id": person.version_id, "organisation_id": bank.id, "role": "administrator",
        "is_active": "0", "session_version": "9", "password_hash": "x"})
    assert response.status_code == 302
    edited = db.session.get(User, person.id)
    assert edited.full_name == "Renamed" and _memberships(db, edited) == before
    assert edited.is_active and edited.session_version == version and edited.password_hash != "x"

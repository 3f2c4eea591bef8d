"""The audit log, readable: who did what, when, to which record. Administrators and the
ministry browse it; everyone but an administrator looking at every network sees only what
people of their network did. Values before and after stay with administrators: they can
hold text the ministry may not read (a confidential critique's wording)."""
import json

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal import permissions
from portal.accounts.models import Membership, User
from portal.core.audit import AuditEntry
from portal.core.textnorm import matches_all_words
from portal.extensions import db

# what security events are called on the page; other actions show their code
ACTION_LABELS = {
    "login": _l("Signed in"),
    "login_failed": _l("Failed sign-in"),
    "second_factor_failed": _l("Wrong second-factor code"),
    "two_factor_enabled": _l("Second factor turned on"),
    "two_factor_disabled": _l("Second factor turned off"),
    "two_factor_reset": _l("Second factor removed by an administrator"),
    "recovery_code_used": _l("Recovery code used"),
    "recovery_codes_renewed": _l("Recovery codes renewed"),
    "sign_in_link_sent": _l("Sign-in link sent"),
    "identity_confirmed": _l("Identity confirmed"),
    "identity_confirmation_failed": _l("Identity confirmation failed"),
    "current_password_failed": _l("Wrong current password"),
    "password_changed": _l("Password changed"),
    "email_change_asked": _l("E-mail change asked"),
    "email_change_refused": _l("E-mail change refused"),
    "email_changed": _l("E-mail address changed"),
    "invitation_sent": _l("Invitation sent"),
    "invitation_accepted": _l("Invitation accepted"),
    "user_created": _l("Person created"),
    "user_updated": _l("Person changed"),
    "user_activated": _l("Account reactivated"),
    "user_deactivated": _l("Account deactivated"),
    "membership_added": _l("Role added"),
    "membership_removed": _l("Role removed"),
    "api_token_issued": _l("API token issued"),
    "api_token_revoked": _l("API token revoked"),
}
SECURITY_ACTIONS = tuple(ACTION_LABELS)[:14]


def action_label(action):
    return ACTION_LABELS.get(action)


def can_read_audit(user):
    return permissions.is_admin(user) or permissions.is_ministry(user)


def can_read_values(user):
    return permissions.is_admin(user)


def visible_entries(user):
    """The entries this person may read, newest first."""
    if not can_read_audit(user):
        return sa.select(AuditEntry).where(sa.false())
    query = sa.select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    condition = permissions.in_network(user, Membership.organisation_id)
    if condition is None:
        return query
    people = sa.select(Membership.user_id).where(condition)
    return query.where(AuditEntry.actor_id.in_(people))


def filtered(query, *, action="", who="", record="", record_id=None, start=None, end=None,
             security_only=False):
    if action:
        query = query.where(AuditEntry.action == action)
    if security_only:
        query = query.where(AuditEntry.action.in_(SECURITY_ACTIONS))
    if who:
        query = query.where(AuditEntry.actor_id.in_(
            sa.select(User.id).where(matches_all_words(User.search_key, who))))
    if record:
        query = query.where(AuditEntry.object_type == record)
    if record_id is not None:
        query = query.where(AuditEntry.object_id == record_id)
    if start is not None:
        query = query.where(AuditEntry.created_at >= start)
    if end is not None:
        query = query.where(AuditEntry.created_at < end)
    return query


def actions_in_use():
    return list(db.session.scalars(sa.select(AuditEntry.action).distinct()
                                   .order_by(AuditEntry.action)))


def record_types_in_use():
    return list(db.session.scalars(sa.select(AuditEntry.object_type).distinct()
                                   .order_by(AuditEntry.object_type)))


EXPORT_LIMIT = 50_000


def export_rows(query, values=False):
    """(header, rows) of the CSV export of the entries `query` selects (its first
    EXPORT_LIMIT, newest first): who by name and address read in the same statement, not
    one person at a time; the values before and after only when `values`."""
    header = ["when_utc", "who", "who_email", "action", "record", "record_id", "address"] + (
        ["before", "after"] if values else [])
    columns = [AuditEntry.created_at, User.full_name, User.email, AuditEntry.action,
               AuditEntry.object_type, AuditEntry.object_id, AuditEntry.remote_addr]
    if values:
        columns += [AuditEntry.before, AuditEntry.after]
    rows = db.session.execute(query.outerjoin(User, User.id == AuditEntry.actor_id)
                              .with_only_columns(*columns).limit(EXPORT_LIMIT))

    def line(row):
        when, name, email, action, record, record_id, address, *kept = row
        return [when.isoformat(timespec="seconds"), name or "", email or "", action, record,
                record_id or "", address or ""] + [
            json.dumps(value, ensure_ascii=False) if value else "" for value in kept]

    return header, (line(row) for row in rows)

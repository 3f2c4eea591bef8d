"""Audit log: who did what, when, with the values before and after, in the same transaction."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import utcnow
from portal.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False,
                                                 index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    object_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))

    actor = relationship("User", foreign_keys=[actor_id])

    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _jsonable_dict(values):
    if not isinstance(values, dict):
        return values
    return {key: _jsonable(value) for key, value in values.items()}


def snapshot(obj, fields):
    """The values of fields on obj, ready to store as 'before' or 'after'."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def edited_or_new(obj, create, before):
    """What a create-or-edit service writes to, and the audit entry's 'before': (obj,
    before(obj)) for an edit; (create(), None) for a creation, the new row already in the
    session. A 'before' of None is what tells "created" from "updated" in the entry."""
    if obj is not None:
        return obj, before(obj)
    obj = create()
    db.session.add(obj)
    return obj, None


def record(actor, action, obj, before=None, after=None):
    """Add an audit entry to the session; it commits (or rolls back) with the change itself.

    obj is the model instance changed, or a type name for changes to many rows at once.
    before and after are dicts of values; dates, Decimals (money) and enums are stored as
    snapshot() stores them.
    """
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=obj if isinstance(obj, str) else type(obj).__name__,
        object_id=None if isinstance(obj, str) else getattr(obj, "id", None),
        before=_jsonable_dict(before),
        after=_jsonable_dict(after),
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry

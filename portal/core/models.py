"""Model mixins: timestamps in UTC and optimistic versioning; enums with their labels."""
import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from portal.core.errors import Conflict, NotFound, ValidationError
from portal.extensions import db


class LabelledEnum(enum.StrEnum):
    """A closed set of values kept as strings (see enum_column), each member written with the
    label people read, in one line: `CRITIQUE = "critique", _l("Critique")`. A label kept in
    a dict beside the enum could be forgotten for a new member; here it cannot."""

    def __new__(cls, value, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls):
        """[(value, label)] in the order the members are written: a form's select."""
        return [(member.value, member.label) for member in cls]


def enum_column(enum_cls, length=32):
    """An enum stored as its string value (no native enum: SQLite and PostgreSQL agree)."""
    return sa.Enum(enum_cls, native_enum=False, length=length,
                   values_callable=lambda e: [m.value for m in e], validate_strings=True)


# a text missing in the reader's language is shown in English, else in any language it has
FALLBACK_ORDER = ("en", "fa", "vi", "th")


def text_in(texts, locale, field):
    """(text row, is_fallback) among a record's texts per language (a product's names, a
    result's titles): the one in the reader's language whose `field` is filled, else the first
    filled one in FALLBACK_ORDER; (None, True) when none is."""
    by_locale = {t.locale: t for t in texts if getattr(t, field)}
    if locale in by_locale:
        return by_locale[locale], False
    for other in FALLBACK_ORDER:
        if other in by_locale:
            return by_locale[other], True
    return None, True


def get_visible(query, model, object_id):
    """The object with this id if it is in the user's scoped query (a view's or a
    service's); NotFound (404) otherwise.

    Not 403: whether a row exists is itself information a stranger should not get.
    """
    obj = db.session.scalar(query.where(model.id == object_id))
    if obj is None:
        raise NotFound()
    return obj


def link_table(name, left, right):
    """A many-to-many link between two tables, each side (column, table it points to): the two
    foreign keys are the key, a link goes with either row, and the right side is indexed so
    that the link is read from there too (the organisations a branch serves, and the branches
    serving an organisation)."""
    (left_column, left_table), (right_column, right_table) = left, right
    return sa.Table(
        name, db.metadata,
        sa.Column(left_column, sa.ForeignKey(f"{left_table}.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column(right_column, sa.ForeignKey(f"{right_table}.id", ondelete="CASCADE"),
                  primary_key=True, index=True))


def refuse_taken(column, value, row, message, field):
    """Refuse (ValidationError on field) a value of a unique column that another row than
    `row` (None for a new one) already has: a product's code, a contract's number. Checked
    before the flush, so the person reads why instead of a database error."""
    other = db.session.scalar(sa.select(column.class_.id).where(column == value))
    if other is not None and (row is None or other != row.id):
        raise ValidationError(message, field=field)


def utcnow():
    return datetime.now(UTC).replace(tzinfo=None)


class TimestampMixin:
    # Stored as naive UTC: SQLite has no time zones, and both databases must agree.
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class VersionedMixin:
    """Rows two people may edit at once carry a version; a stale save is refused with 409."""

    version_id: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805 - SQLAlchemy's declared_attr signature
        return {"version_id_col": cls.version_id}

    def check_version(self, expected):
        """Refuse the edit when the form was loaded from an older version of this row.

        None: the caller holds no version (a service acting on its own, the demo data), so
        there is nothing to compare. Anything else came from a form and must name exactly the
        version the person saw: an empty, missing (PortalForm.validate empties it) or
        unreadable version would otherwise save over a change made meanwhile.
        """
        if expected is None:
            return
        text = str(expected).strip()
        if not (text.isascii() and text.isdigit()) or int(text) != self.version_id:
            raise Conflict(version=self.version_id)

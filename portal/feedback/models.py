"""Feedback items (critiques, proposals, product requests), their official responses, internal
notes, endorsements, attachments and history."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Role
from portal.core.models import LabelledEnum, TimestampMixin, VersionedMixin, enum_column, utcnow
from portal.core.search import SearchableMixin, words_of
from portal.extensions import db


class Kind(LabelledEnum):
    CRITIQUE = "critique", _l("Critique")
    PROPOSAL = "proposal", _l("Proposal")
    PRODUCT_REQUEST = "product_request", _l("Product request")


class State(LabelledEnum):
    SUBMITTED = "submitted", _l("Submitted")
    ACKNOWLEDGED = "acknowledged", _l("Acknowledged")
    UNDER_REVIEW = "under_review", _l("Under review")
    ANSWERED = "answered", _l("Answered")
    CLOSED = "closed", _l("Closed")


OPEN_STATES = (State.SUBMITTED, State.ACKNOWLEDGED, State.UNDER_REVIEW)


class Outcome(LabelledEnum):
    ACCEPTED = "accepted", _lp("feedback outcome", "Accepted")
    PLANNED = "planned", _lp("feedback outcome", "Planned")
    PARTLY_ACCEPTED = "partly_accepted", _l("Partly accepted")
    DECLINED = "declined", _l("Declined")
    DUPLICATE = "duplicate", _l("Duplicate")


class Visibility(LabelledEnum):
    PUBLIC = "public", _l("Public to the network")
    CONFIDENTIAL = "confidential", _l("Confidential to the bank and the ministry")


class Topic(LabelledEnum):
    SERVICE_QUALITY = "service_quality", _l("Quality of service")
    SPEED = "speed", _l("Speed of service")
    PRODUCTS = "products", _l("Products fitted to the sector")
    FINANCING = "financing", _l("Financing in less-developed regions")
    BRANCHES = "branches", _l("Branches")
    PROCESSES = "processes", _l("Processes and paperwork")
    DIGITAL = "digital", _l("Digital services")
    OTHER = "other", _l("Other")


class FeedbackItem(SearchableMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "feedback_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[Kind] = mapped_column(enum_column(Kind), nullable=False, index=True)
    state: Mapped[State] = mapped_column(enum_column(State), nullable=False,
                                         default=State.SUBMITTED, index=True)
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), nullable=False,
                                                   default=Visibility.PUBLIC)
    topic: Mapped[Topic] = mapped_column(enum_column(Topic), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # kind-specific: where the problem is (critique), the expected benefit (proposal), the
    # sector, size of demand and terms wanted (product request)
    concerns: Mapped[str | None] = mapped_column(sa.String(300))
    expected_benefit: Mapped[str | None] = mapped_column(sa.Text)
    sector: Mapped[str | None] = mapped_column(sa.String(120))
    demand_size: Mapped[int | None] = mapped_column(sa.Integer)
    terms_wanted: Mapped[str | None] = mapped_column(sa.Text)

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False, index=True)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    # set when the item was spoken by the organisation and entered by someone else (a statement
    # from the floor of a meeting, recorded by the bank): the organisation is then the submitter
    # of record and its directors, not this person, are told of what becomes of it
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("feedback_item.id"))
    # a product request the bank acted on: the product or the service package (new or
    # existing) that answers it, never both
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("product.id"), index=True)
    package_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_package.id"),
                                                   index=True)
    # when the requesters were told that the linked offer is available: told once, however
    # often its status moves; cleared when the item is linked to another offer
    offer_notice_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    acknowledge_due_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    answer_due_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    reopened_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    reopen_reason: Mapped[str | None] = mapped_column(sa.Text)
    escalation_level: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    endorsement_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # where the item was raised, when not through the form: e.g. a meeting's statement from
    # the floor. The other area keeps its own link to the item; this is for display.
    origin_title: Mapped[str | None] = mapped_column(sa.String(300))
    origin_link: Mapped[str | None] = mapped_column(sa.String(500))
    search_key: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    __searchable__ = ("title", "body_html", "concerns", "sector", "expected_benefit",
                      "terms_wanted")

    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    branch = relationship("Organisation", foreign_keys=[branch_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    owner = relationship("User", foreign_keys=[owner_id])
    duplicate_of = relationship("FeedbackItem", remote_side=[id])
    product = relationship("Product")
    package = relationship("ServicePackage")
    responses = relationship("Response", back_populates="item", order_by="Response.id",
                             cascade="all, delete-orphan")
    notes = relationship("InternalNote", order_by="InternalNote.id",
                         cascade="all, delete-orphan")
    endorsements = relationship("Endorsement", back_populates="item",
                                order_by="Endorsement.id", cascade="all, delete-orphan")
    attachments = relationship("Attachment", order_by="Attachment.id",
                               cascade="all, delete-orphan")
    events = relationship("FeedbackEvent", order_by="FeedbackEvent.id",
                          cascade="all, delete-orphan")

    __table_args__ = (
        sa.Index("ix_feedback_item_state_due", "state", "answer_due_at"),
        # the list's sorts: newest first, most endorsed first
        sa.Index("ix_feedback_item_created", "created_at", "id"),
        sa.Index("ix_feedback_item_endorsed", "endorsement_count", "id"),
        # trigram index: substring search (Thai has no spaces) stays fast on PostgreSQL
        sa.Index("ix_feedback_item_search_trgm", "search_key", postgresql_using="gin",
                 postgresql_ops={"search_key": "gin_trgm_ops"}),
        sa.CheckConstraint("product_id IS NULL OR package_id IS NULL", name="one_offer"),
    )

    def search_parts(self):
        return [self.title, words_of(self.body_html), self.concerns, self.sector,
                self.expected_benefit, self.terms_wanted]

    @property
    def offer(self):
        """The product or service package that answers this product request, if any."""
        return self.product or self.package

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def published_response(self):
        published = [r for r in self.responses if r.published_at is not None]
        return published[-1] if published else None

    @property
    def draft_response(self):
        drafts = [r for r in self.responses if r.published_at is None]
        return drafts[-1] if drafts else None

    def overdue(self, now=None):
        now = now or utcnow()
        if self.state == State.SUBMITTED and self.acknowledge_due_at < now:
            return True
        return self.is_open and self.answer_due_at < now


class Response(TimestampMixin, VersionedMixin, db.Model):
    """The official answer. A draft until published; what the submitter sees."""

    __tablename__ = "feedback_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback_item.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome), nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime, index=True)

    item = relationship("FeedbackItem", back_populates="responses")
    author = relationship("User")


class InternalNote(db.Model):
    """The bank's own notes on an item: never shown to the submitter or the network."""

    __tablename__ = "feedback_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback_item.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    author = relationship("User")


class Endorsement(db.Model):
    __tablename__ = "feedback_endorsement"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback_item.id", ondelete="CASCADE"),
                                         nullable=False)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    item = relationship("FeedbackItem", back_populates="endorsements")
    organisation = relationship("Organisation")
    user = relationship("User")

    __table_args__ = (sa.UniqueConstraint("item_id", "organisation_id",
                                          name="uq_feedback_endorsement_item_org"),)


class Attachment(db.Model):
    __tablename__ = "feedback_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback_item.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    filename: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    storage_key: Mapped[str] = mapped_column(sa.String(100), nullable=False, unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)


class FeedbackEvent(db.Model):
    """The item's visible history: every state change and escalation, who and when."""

    __tablename__ = "feedback_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback_item.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    detail: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    actor = relationship("User")


class EscalationContact(db.Model):
    """One link of a bank's escalation chain: who is told when an overdue item of an
    organisation in this bank's network (network_id: the bank's head office) reaches a level:
    1 the branch, 2 the province, 3 the head office.

    A link names a person (user_id) or a role: everyone holding the role at the office
    (organisation_id) or, with no office, at the item's own office of that level (the branch
    that handles it, the provincial office above that branch, the head office). An office also
    limits the link to the items handled by that office or by the offices under it; without
    one the link serves every item of the network.
    """

    __tablename__ = "feedback_escalation_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), nullable=False,
                                            index=True)
    level: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    role: Mapped[Role | None] = mapped_column(enum_column(Role))

    user = relationship("User")
    organisation = relationship("Organisation", foreign_keys=[organisation_id])
    network = relationship("Organisation", foreign_keys=[network_id])

    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (role IS NULL)", name="person_or_role"),
        sa.CheckConstraint("level BETWEEN 1 AND 3", name="escalation_level"),
    )


ESCALATION_LEVELS = (1, 2, 3)
# where each level sits in the bank, for the chain's page
ESCALATION_LEVEL_NAMES = {
    1: _l("The branch"),
    2: _l("The province"),
    3: _l("The head office"),
}
ESCALATION_LABELS = {
    0: _l("With the owner"),
    1: _l("Escalated to the branch"),
    2: _l("Escalated to the province"),
    3: _l("Escalated to the head office"),
}

EVENT_LABELS = {
    "submitted": _l("Submitted"), "acknowledged": _l("Acknowledged"),
    "under_review": _l("Review started"), "answered": _l("Answered"), "closed": _l("Closed"),
    "reopened": _l("Reopened"), "endorsed": _l("Endorsed"), "reassigned": _l("Reassigned"),
    "escalated": _l("Escalated"),
    "product_linked": _l("Linked to a product"),
    "product_available": _l("The product asked for is available"),
    "package_linked": _l("Linked to a service package"),
    "package_available": _l("The service package asked for is available"),
    "confidential_with_origin": _l("Made confidential with the meeting where it was raised"),
    "public_with_origin": _l("Made public again with the meeting where it was raised"),
}


class FeedbackComment(db.Model):
    """One message of the discussion under an item, kept apart from the official answer.

    Written by the submitter's organisation, its endorsers and the bank (see
    portal/feedback/conversation.py). A removed or hidden message keeps its place in the thread
    so that the replies around it still read in order; its text is no longer shown.
    """

    __tablename__ = "feedback_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback_item.id", ondelete="CASCADE"),
                                         nullable=False)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False,
                                           index=True)
    # the organisation the author speaks for: the submitter, an endorser or the bank's office
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    edited_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(300))

    item = relationship("FeedbackItem")
    author = relationship("User", foreign_keys=[author_id])
    organisation = relationship("Organisation")
    hidden_by = relationship("User", foreign_keys=[hidden_by_id])

    __table_args__ = (sa.Index("ix_feedback_comment_item", "item_id", "id"),)

    @property
    def is_removed(self):
        return self.deleted_at is not None

    @property
    def is_hidden(self):
        return self.hidden_at is not None

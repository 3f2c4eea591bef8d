"""What came back from the field: one row per entry a device sent and the server settled."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import TimestampMixin
from portal.extensions import db


class FieldSubmission(TimestampMixin, db.Model):
    """An entry recorded on a device (keyed by the id the device gave it) and settled here:
    recorded, or dropped because the officer kept the online version. Sending it again returns
    the stored result, so a replay creates nothing twice. Refused entries and conflicts are not
    kept: they stay on the device to be corrected or settled and sent again."""

    __tablename__ = "field_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         nullable=False)
    client_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False, index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id",
                                                                 ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    result: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)

    __table_args__ = (sa.UniqueConstraint("user_id", "client_id",
                                          name="uq_field_submission_user_client"),)

"""Forms of the meetings area."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from portal.core.forms import PortalForm, choices
from portal.i18n.display import timezone_choices
from portal.i18n.fields import LocalDateField, LocalIntegerField, LocalTimeField, NumberRange
from portal.meetings.models import COMMITMENT_LABELS, KIND_LABELS

# the zones of the network first; any IANA name is accepted by the service
TIMEZONES = ("Asia/Tehran", "Asia/Ho_Chi_Minh", "Asia/Bangkok", "Asia/Kabul", "Asia/Dubai",
             "Asia/Kolkata", "Asia/Jakarta", "Europe/Istanbul", "Europe/London", "UTC")


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class VersionForm(PortalForm):
    version_id = HiddenField()


class SeriesForm(PortalForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    title_fa = StringField(_l("Title in Persian"), validators=[Optional(), Length(max=300)])
    title_vi = StringField(_l("Title in Vietnamese"), validators=[Optional(), Length(max=300)])
    title_th = StringField(_l("Title in Thai"), validators=[Optional(), Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    host_organisation_id = SelectField(_l("Host organisation"), coerce=int)
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=5000)])
    organisation_ids = SelectMultipleField(_l("Invited organisations"), coerce=int,
                                           validate_choice=False)


class MeetingForm(PortalForm):
    version_id = HiddenField()
    kind = SelectField(_l("Kind"), choices=choices(
        (k.value, label) for k, label in KIND_LABELS.items()))
    series_id = SelectField(_l("Series"), coerce=_optional_int, validators=[Optional()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    day = LocalDateField(_l("Date"), validators=[DataRequired()])
    start_time = LocalTimeField(_l("Starts at"), validators=[DataRequired()])
    end_time = LocalTimeField(_l("Ends at"), validators=[DataRequired()])
    timezone = SelectField(_l("Time zone"), choices=choices(timezone_choices(TIMEZONES)))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    online_link = StringField(_l("Online link"), validators=[Optional(), Length(max=500)])
    host_organisation_id = SelectField(_l("Host organisation"), coerce=int)
    chair_id = SelectField(_l("Chair"), coerce=_optional_int, validators=[Optional()])
    chair_name = StringField(_l("Chair, if not a portal user"),
                             validators=[Optional(), Length(max=200)])
    recorder_id = SelectField(_l("Recorder"), coerce=int)
    confidential = BooleanField(_l("Confidential: only invited organisations, the bank and "
                                   "the ministry see it"))


class AgendaForm(PortalForm):
    title = StringField(_l("Agenda item"), validators=[DataRequired(), Length(max=300)])
    presenter = StringField(_l("Presenter"), validators=[Optional(), Length(max=200)])
    duration = LocalIntegerField(_l("Minutes set aside"),
                                 validators=[Optional(), NumberRange(min=1, max=600)])


class InviteForm(PortalForm):
    organisation_ids = SelectMultipleField(_l("Organisations"), coerce=int,
                                           validate_choice=False)
    user_ids = SelectMultipleField(_l("People"), coerce=int, validate_choice=False)


class MinutesForm(PortalForm):
    version_id = HiddenField()
    # the size limit is the service's, so an oversized text gets a clear message
    body = TextAreaField(_l("Minutes"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for the correction"),
                           validators=[Optional(), Length(max=2000)])


class StatementForm(PortalForm):
    organisation_id = SelectField(_l("Organisation speaking"), coerce=int,
                                  validate_choice=False)
    kind = SelectField(_l("Kind"), choices=[])
    topic = SelectField(_l("Topic"), choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("What was said"), validators=[DataRequired(), Length(max=50_000)])


class CommitmentForm(PortalForm):
    description = TextAreaField(_l("What was committed"),
                                validators=[DataRequired(), Length(max=5000)])
    organisation_id = SelectField(_l("Organisation that owns it"), coerce=int,
                                  validate_choice=False)
    owner_id = SelectField(_l("Person who owns it"), coerce=_optional_int,
                           validators=[Optional()], validate_choice=False)
    due_on = LocalDateField(_l("Due date"), validators=[DataRequired()])


class CommitmentStatusForm(PortalForm):
    version_id = HiddenField()
    at_meeting = HiddenField()
    status = SelectField(_l("Status"), choices=choices(
        (s.value, label) for s, label in COMMITMENT_LABELS.items()))
    note = StringField(_l("Note (the reason, when dropped)"),
                       validators=[Optional(), Length(max=2000)])


class ReasonForm(PortalForm):
    version_id = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])


class SignOffForm(PortalForm):
    version_id = HiddenField()
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(),
                                                                 Length(max=5000)])

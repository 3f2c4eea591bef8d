"""Forms of the meetings area."""
import re

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, StopValidation
from wtforms.widgets import html_params

from portal.accounts.models import Organisation
from portal.accounts.picker import OrganisationField, offered_pairs
from portal.core.forms import PortalForm, choices
from portal.core.richtext import RichTextField
from portal.extensions import db
from portal.i18n.display import timezone_choices
from portal.i18n.fields import LocalDateField, LocalIntegerField, LocalTimeField, NumberRange
from portal.meetings.models import CommitmentStatus, MeetingKind

# the zones of the network first; any IANA name is accepted by the service
TIMEZONES = ("Asia/Tehran", "Asia/Ho_Chi_Minh", "Asia/Bangkok", "Asia/Kabul", "Asia/Dubai",
             "Asia/Kolkata", "Asia/Jakarta", "Europe/Istanbul", "Europe/London", "UTC")


def _optional_int(value):
    return int(value) if value not in (None, "") else None


_CODE_AT_END = re.compile(r"\(([^()]+)\)\s*$")


class OrganisationsField(SelectMultipleField):
    """Several organisations among thousands (invitations): a multiple select while they are
    few, otherwise a row of the picker's search boxes (portal/accounts/picker.py), each
    sending "Name (CODE)". Either way the data is a list of ids the person may choose."""

    BOXES = 4

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=int, validate_choice=False, **kwargs)
        self.allowed = None
        self.searching = False
        self.typed = []

    def offer(self, allowed):
        """allowed: a select(Organisation) of what may be chosen."""
        self.allowed = allowed
        self.searching, pairs = offered_pairs(allowed)
        self.choices = choices(pairs)

    def process_formdata(self, valuelist):
        # ids from the select, "Name (CODE)" or a code from the boxes: read in pre_validate,
        # once the field knows what may be chosen
        self.typed = [text.strip() for text in valuelist if text and text.strip()]
        self.data = []

    def _find(self, text):
        query = self.allowed.with_only_columns(Organisation.id)
        if text.isdecimal():
            return db.session.scalar(query.where(Organisation.id == int(text)))
        match = _CODE_AT_END.search(text)
        code = (match.group(1) if match else text).strip()
        return db.session.scalar(query.where(Organisation.code == code))

    def pre_validate(self, form):
        found = []
        for text in self.typed:
            organisation_id = self._find(text) if self.allowed is not None else None
            if organisation_id is None:
                raise StopValidation(_l("No organisation you may choose is called "
                                        "“%(text)s”. Choose one of the suggestions.",
                                        text=text))
            found.append(organisation_id)
        self.data = list(dict.fromkeys(found))

    def __call__(self, **kwargs):
        if not self.searching:
            kwargs["class_"] = kwargs.get("class_", "").replace("form-control", "form-select")
            return super().__call__(**kwargs)
        kwargs["class_"] = kwargs.get("class_", "form-control").replace("form-select",
                                                                        "form-control")
        shared = {k: v for k, v in kwargs.items() if k not in ("id", "size")}
        boxes = []
        for n in range(self.BOXES):
            box_id = self.id if n == 0 else f"{self.id}-{n + 1}"
            # the field's label names the first box; the others say what they are for
            extra = {} if n == 0 else {"aria_label": _l("Another organisation")}
            params = html_params(
                type="text", id=box_id, name=self.name, list=f"{box_id}-options",
                value=self.typed[n] if n < len(self.typed) else "", autocomplete="off",
                dir="auto", data_org_lookup=url_for("organisations.lookup"), **extra, **shared)
            boxes.append(f'<input {params}><datalist id="{escape(box_id)}-options">'
                         "</datalist>")
        return Markup('<div class="d-grid gap-1">' + "".join(boxes) + "</div>")  # noqa: S704 - html_params escapes every value  # nosec B704


class MeetingFilterForm(PortalForm):
    """The meetings list's organisation filter: read from the address, never posted."""

    class Meta(PortalForm.Meta):
        csrf = False

    # the list page's own id for the box, the one its label names
    organisation = OrganisationField(_l("Organisation"), validators=[Optional()], id="f-org")


class VersionForm(PortalForm):
    version_id = HiddenField()


class SeriesForm(PortalForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    title_fa = StringField(_l("Title in Persian"), validators=[Optional(), Length(max=300)])
    title_vi = StringField(_l("Title in Vietnamese"), validators=[Optional(), Length(max=300)])
    title_th = StringField(_l("Title in Thai"), validators=[Optional(), Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    host_organisation_id = OrganisationField(_l("Host organisation"), validators=[
        DataRequired(message=_l("Choose the host organisation."))])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=5000)])
    organisation_ids = OrganisationsField(_l("Invited organisations"))


class MeetingForm(PortalForm):
    version_id = HiddenField()
    kind = SelectField(_l("Kind"), choices=choices(MeetingKind.choices()))
    series_id = SelectField(_l("Series"), coerce=_optional_int, validators=[Optional()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    day = LocalDateField(_l("Date"), validators=[DataRequired()])
    start_time = LocalTimeField(_l("Starts at"), validators=[DataRequired()])
    end_time = LocalTimeField(_l("Ends at"), validators=[DataRequired()])
    timezone = SelectField(_l("Time zone"), choices=choices(timezone_choices(TIMEZONES)))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    online_link = StringField(_l("Online link"), validators=[Optional(), Length(max=500)])
    host_organisation_id = OrganisationField(_l("Host organisation"), validators=[
        DataRequired(message=_l("Choose the host organisation."))])
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
    organisation_ids = OrganisationsField(_l("Organisations"))
    user_ids = SelectMultipleField(_l("People"), coerce=int, validate_choice=False)


class MinutesForm(PortalForm):
    version_id = HiddenField()
    # the size limit is the service's, so an oversized text gets a clear message
    body = RichTextField(_l("Minutes"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for the correction"),
                           validators=[Optional(), Length(max=2000)])


class StatementForm(PortalForm):
    organisation_id = SelectField(_l("Organisation speaking"), coerce=int,
                                  validate_choice=False)
    kind = SelectField(_l("Kind"), choices=[])
    topic = SelectField(_l("Topic"), choices=[])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = RichTextField(_l("What was said"), validators=[DataRequired(), Length(max=50_000)])


class CommitmentForm(PortalForm):
    description = TextAreaField(_l("What was committed"),
                                validators=[DataRequired(), Length(max=5000)])
    organisation_id = SelectField(_l("Organisation that owns it"), coerce=int,
                                  validate_choice=False)
    owner_id = SelectField(_l("Person who owns it"), coerce=_optional_int,
                           validators=[Optional()], validate_choice=False)
    due_on = LocalDateField(_l("Due date"), validators=[DataRequired()])


class CommitmentRowForm(Form):
    """One commitment's row in a table's progress form (no token of its own: the table's
    form carries it)."""

    commitment_id = HiddenField()
    version_id = HiddenField()
    status = SelectField(_l("Status"), choices=choices(CommitmentStatus.choices()))
    note = StringField(_l("Note (the reason, when dropped)"),
                       validators=[Optional(), Length(max=2000)])


class CommitmentProgressForm(PortalForm):
    """Progress on every commitment of one table of the meeting page, saved with one button.
    Each table has its own prefix (made here, carried forward), so their boxes keep distinct
    ids on the one page."""

    TABLES = ("made", "carried")

    rows = FieldList(FormField(CommitmentRowForm))


class ReasonForm(PortalForm):
    version_id = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])


class SignOffForm(PortalForm):
    version_id = HiddenField()
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(),
                                                                 Length(max=5000)])

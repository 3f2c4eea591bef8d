"""Forms of the branches area. Select choices are filled by the views from scoped queries."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.accounts.picker import OrganisationField
from portal.branches.models import BranchKind, DeliveryOutcome
from portal.core.forms import PortalForm, choices
from portal.i18n.fields import LocalDateField, LocalDecimalField, LocalIntegerField, NumberRange


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class BranchForm(PortalForm):
    SERVICE_FIELDS = ("organisation_id", "kind", "served_by_id", "head_id", "address",
                      "opening_hours", "schedule_day", "schedule_note", "opened_on",
                      "served_ids", "product_ids", "package_ids")
    version_id = HiddenField()
    organisation_id = SelectField(_l("Organisation of the bank"), coerce=int)
    kind = SelectField(_l("Kind"), choices=choices(BranchKind.choices()))
    served_by_id = SelectField(_l("Staffed by (for a transaction point)"),
                               coerce=_optional_int, validators=[Optional()])
    head_id = SelectField(_l("Head"), coerce=_optional_int, validators=[Optional()],
                          validate_choice=False)
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=1000)],
                            render_kw={"rows": 2})
    opening_hours = StringField(_l("Opening hours"), validators=[Optional(), Length(max=300)])
    schedule_day = LocalIntegerField(_l("Transaction day of each month"), validators=[Optional()])
    schedule_note = StringField(_l("Schedule note"), validators=[Optional(), Length(max=300)])
    opened_on = LocalDateField(_l("Opened on"), validators=[Optional()])
    served_ids = SelectMultipleField(_l("Organisations served"), coerce=int,
                                     validators=[Optional()])
    product_ids = SelectMultipleField(_l("Products offered"), coerce=int,
                                      validators=[Optional()])
    package_ids = SelectMultipleField(_l("Service packages offered"), coerce=int,
                                      validators=[Optional()])


class CourseForm(PortalForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=200)])
    hours = LocalIntegerField(_l("Hours"), validators=[InputRequired(), NumberRange(min=1,
                              max=1000)])
    cooperative_services = BooleanField(_l("Counts as training for cooperative services"),
                                        default=True)
    certificate_months = LocalIntegerField(_l("Certificate valid for (months)"),
                                           validators=[Optional(), NumberRange(min=1, max=120)])


class SessionForm(PortalForm):
    course_id = SelectField(_l("Course"), coerce=int)
    starts_on = LocalDateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = LocalDateField(_l("Ends on"), validators=[InputRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    trainer = StringField(_l("Trainer"), validators=[Optional(), Length(max=200)])


class AttendanceForm(PortalForm):
    # Not limited to the choices offered: the service refuses staff of another branch with a
    # message the user understands, rather than "Not a valid choice".
    user_id = SelectField(_l("Staff member"), coerce=_optional_int, validate_choice=False,
                          validators=[InputRequired()])
    passed = BooleanField(_l("Passed"), default=True)
    certificate_no = StringField(_l("Certificate number"), validators=[Optional(),
                                                                       Length(max=60)])
    certificate_expires_on = LocalDateField(_l("Certificate expires on"), validators=[Optional()],
                                            description=_l("Empty: the course's usual validity."))


class DeliveryForm(PortalForm):
    SERVICE_FIELDS = ("organisation_id", "product_id", "package_id", "requested_on",
                      "delivered_on", "amount", "outcome", "note")
    version_id = HiddenField()
    # thousands in a country: a list while they are few, a search box beyond (picker.py)
    organisation_id = OrganisationField(_l("Organisation served"), validators=[
        DataRequired(message=_l("Choose the organisation served."))])
    product_id = SelectField(_l("Product"), coerce=_optional_int, validators=[Optional()])
    package_id = SelectField(_l("Service package"), coerce=_optional_int,
                             validators=[Optional()])
    requested_on = LocalDateField(_l("Requested on"), validators=[InputRequired()])
    delivered_on = LocalDateField(_l("Delivered on"), validators=[Optional()])
    amount = LocalDecimalField(_l("Amount"), validators=[Optional()])
    outcome = SelectField(_l("Outcome"), choices=choices(DeliveryOutcome.choices()))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)],
                         render_kw={"rows": 2})


class ContractForm(PortalForm):
    SERVICE_FIELDS = ("number", "branch_id", "organisation_id", "scope", "fee_rate_percent",
                      "starts_on", "ends_on", "group_ids")
    version_id = HiddenField()
    number = StringField(_l("Contract number"), validators=[DataRequired(), Length(max=60)])
    branch_id = SelectField(_l("Branch"), coerce=int)
    organisation_id = SelectField(_l("Mass organisation"), coerce=int)
    scope = TextAreaField(_l("Scope"), validators=[Optional(), Length(max=2000)],
                          render_kw={"rows": 3})
    fee_rate_percent = LocalDecimalField(_l("Fee rate (percent of the interest collected)"),
                                         validators=[InputRequired()])
    starts_on = LocalDateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = LocalDateField(_l("Ends on"), validators=[Optional()])
    group_ids = SelectMultipleField(_l("Savings-and-loan groups covered"), coerce=int,
                                    validate_choice=False, validators=[Optional()])


class ConfirmForm(PortalForm):
    """An empty form: a POST button with its CSRF token."""

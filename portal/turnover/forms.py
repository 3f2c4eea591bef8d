"""Forms of the turnover area. Labels are lazy so they translate per request."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from portal.accounts.picker import OrganisationField
from portal.core.forms import PortalForm
from portal.i18n.fields import LocalDecimalField, LocalIntegerField, NumberRange
from portal.turnover.models import FIGURE_LABELS


def _figure(name):
    return LocalIntegerField(FIGURE_LABELS[name], validators=[
        InputRequired(), NumberRange(min=0, message=_l("A figure cannot be negative."))])


class ReportForm(PortalForm):
    version_id = HiddenField()
    organisation_id = OrganisationField(_l("Organisation"), validators=[
        DataRequired(message=_l("Choose an organisation."))])
    period_id = SelectField(_l("Period"), coerce=int)
    total_turnover = _figure("total_turnover")
    bank_turnover = _figure("bank_turnover")
    deposits = _figure("deposits")
    average_balance = _figure("average_balance")
    loans = _figure("loans")
    accounts = _figure("accounts")


class OtherBankForm(PortalForm):
    bank_name = StringField(_l("Other bank"), validators=[DataRequired(), Length(max=120)])
    amount = LocalIntegerField(_l("Turnover through that bank"), validators=[
        InputRequired(), NumberRange(min=0, message=_l("A figure cannot be negative."))])


class ImportForm(PortalForm):
    file = FileField(_l("CSV or Excel file"), validators=[FileRequired()])


class PeriodForm(PortalForm):
    country = StringField(_l("Country code"), validators=[
        DataRequired(), Length(min=2, max=2),
        Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, such as IR or VN."))])
    month = StringField(_l("Month"), validators=[
        DataRequired(), Regexp(r"^\d{4}-\d{2}$", message=_l("Write the month as 2025-08."))])


class ThresholdForm(PortalForm):
    percent = LocalDecimalField(_l("Lowest acceptable in-bank share (%)"), validators=[
        InputRequired(), NumberRange(min=0, max=100)])


class ConfirmForm(PortalForm):
    """An empty form: only its CSRF token matters."""


class StatusForm(PortalForm):
    status = SelectField(_l("Status"), choices=[])


class TokenForm(PortalForm):
    name = StringField(_l("Name of the system"), validators=[DataRequired(), Length(max=120)])
    scopes = SelectField(_l("Access"), choices=[])

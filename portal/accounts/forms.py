"""Forms of the accounts area. Labels are lazy so they translate per request."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from portal.accounts.models import (
    ORGANISATION_CODE,
    ORGANISATION_CODE_MAX,
    Organisation,
    OrgKind,
    Role,
    Sector,
)
from portal.accounts.picker import OrganisationField
from portal.core.forms import PortalForm, choices
from portal.i18n import LANGUAGE_NAMES
from portal.i18n.calendars import CALENDARS
from portal.i18n.display import TIMEZONE_LABELS, timezone_choices

# every zone a meeting may be held in: a person's own zone is one of them too
TIMEZONES = tuple(TIMEZONE_LABELS)
CALENDAR_LABELS = {"gregorian": _l("Gregorian"), "jalali": _l("Solar Hijri (Jalali)"),
                   "buddhist": _l("Buddhist era")}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def language_choices(blank=None):
    return choices(([("", blank)] if blank else []) + list(LANGUAGE_NAMES.items()))


class LoginForm(PortalForm):
    email = EmailField(_l("E-mail address"), filters=[_strip],
                       validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class SetPasswordForm(PortalForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class PreferencesForm(PortalForm):
    preferred_locale = SelectField(_l("Language"))
    calendar = SelectField(_l("Calendar"), validators=[Optional()])
    timezone = SelectField(_l("Time zone"), choices=choices(timezone_choices(TIMEZONES)))
    persian_digits = BooleanField(_l("Persian digits on Persian pages"))
    email_notifications = BooleanField(_l("Send me notifications by e-mail"))

    def __init__(self, *args, default_timezone="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_timezone = default_timezone
        self.preferred_locale.choices = language_choices()
        self.calendar.choices = choices([("", _l("The language's usual calendar"))] + [
            (c, CALENDAR_LABELS[c]) for c in CALENDARS])

    def show_timezone(self, user):
        """Select the zone the person's pages use: their own, else the default one."""
        self.timezone.data = user.timezone or self.default_timezone

    def chosen_timezone(self, user):
        """The zone to store: None while the person keeps the default they never chose, so
        their pages go on following their organisation (or language) as before."""
        if not user.timezone and self.timezone.data == self.default_timezone:
            return None
        return self.timezone.data


class UserForm(PortalForm):
    version_id = HiddenField()
    email = EmailField(_l("E-mail address"), filters=[_strip],
                       validators=[DataRequired(), Email(), Length(max=254)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    preferred_locale = SelectField(_l("Language"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_locale.choices = language_choices(blank=_l("As the browser asks"))


class NewUserForm(UserForm):
    organisation_id = OrganisationField(_l("Organisation"), validators=[
        DataRequired(message=_l("Choose an organisation."))])
    role = SelectField(_l("Role"), choices=choices(Role.choices()))


class MembershipForm(PortalForm):
    organisation_id = OrganisationField(_l("Organisation"), validators=[
        DataRequired(message=_l("Choose an organisation."))])
    role = SelectField(_l("Role"), choices=choices(Role.choices()))


class PortfolioForm(PortalForm):
    organisation_ids = SelectMultipleField(_l("Organisations served"), coerce=int)


class OrganisationForm(PortalForm):
    SERVICE_FIELDS = ("code", "name", "name_en", "kind", "parent_id", "country", "sector",
                      "province", "district", "commune", "currency")

    version_id = HiddenField()
    code = StringField(_l("Code"), validators=[
        DataRequired(), Length(max=ORGANISATION_CODE_MAX),
        Regexp(ORGANISATION_CODE,
               message=_l("Use letters, digits, dots, dashes and underscores only."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(OrgKind.choices()))
    parent_id = OrganisationField(_l("Part of"), validators=[Optional()])
    country = StringField(_l("Country code"), validators=[
        DataRequired(), Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, e.g. IR or VN."))])
    sector = SelectField(_l("Sector"), choices=choices(
        [("", _l("— inherited from the union —"))] +
        Sector.choices()), validators=[Optional()])
    province = StringField(_l("Province"), validators=[Optional(), Length(max=120)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=120)])
    commune = StringField(_l("Commune"), validators=[Optional(), Length(max=120)])
    currency = StringField(_l("Currency"), validators=[
        DataRequired(), Regexp(r"^[A-Za-z]{3}$", message=_l("Three letters, e.g. IRR or VND."))])


class ImportForm(PortalForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class ConfirmForm(PortalForm):
    """An empty form: a POST button with its CSRF token."""


def offer_organisations(field, exclude=None, blank=None):
    """Let the field choose among the active organisations (but `exclude`)."""
    query = sa.select(Organisation).where(Organisation.is_active)
    if exclude is not None:
        query = query.where(Organisation.id != exclude)
    field.offer(query, blank)


class ChangePasswordForm(PortalForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])


class ChangeEmailForm(PortalForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("New e-mail address"), filters=[_strip],
                       validators=[DataRequired(), Email(), Length(max=254)])


class CodeForm(PortalForm):
    """The six digits of the authenticator app (any script), or a recovery code."""
    code = StringField(_l("Code"), filters=[_strip],
                       validators=[DataRequired(), Length(max=40)])


class ConfirmIdentityForm(PortalForm):
    """Before a sensitive change: the password, or the second factor's code."""
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)])
    code = StringField(_l("Code from your authenticator app"), filters=[_strip],
                       validators=[Optional(), Length(max=40)])


class SignInLinkForm(PortalForm):
    email = EmailField(_l("E-mail address"), filters=[_strip],
                       validators=[DataRequired(), Length(max=254)])

"""Forms of results: a title and description per language, generated from LOCALES."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.accounts.picker import OrganisationField
from portal.core.forms import PortalForm, choices
from portal.i18n import LANGUAGE_NAMES
from portal.i18n.fields import LocalDateField, LocalDecimalField, LocalIntegerField, NumberRange
from portal.i18n.parsing import ascii_digits
from portal.results.models import LOCALES, ResultStatus


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def item_numbers(text):
    """"#12, #15 ۱۶" -> [12, 15, 16]: item numbers as people type them, in any digits."""
    text = ascii_digits(text or "")
    if re.search(r"[^\d#,،;\s]", text):
        raise ValueError(text)
    return sorted({int(n) for n in re.findall(r"\d{1,9}", text)})


class ResultForm(PortalForm):
    version_id = HiddenField()
    owner_id = SelectField(_l("Owner"), coerce=_optional_int, validators=[DataRequired()])
    due_on = LocalDateField(_l("Due on"), validators=[DataRequired()])
    parent_id = SelectField(_l("Part of"), coerce=_optional_int, validators=[Optional()])
    weight = LocalIntegerField(_l("Weight in its parent's progress"), default=1,
                               validators=[Optional(), NumberRange(min=1, max=100)])
    typed_progress = LocalIntegerField(_l("Progress (%)"), default=0,
                                       validators=[Optional(), NumberRange(min=0, max=100)])
    items = StringField(_l("Answers items (numbers, e.g. #12, #15)"),
                        validators=[Optional(), Length(max=500)])
    commitments = StringField(_l("Carries out meeting commitments (numbers, e.g. #3)"),
                              validators=[Optional(), Length(max=500)])
    products = SelectMultipleField(_l("Products it changes"), coerce=int,
                                   validators=[Optional()])
    packages = SelectMultipleField(_l("Service packages it changes"), coerce=int,
                                   validators=[Optional()])
    branches = SelectMultipleField(_l("Branches it changes"), coerce=int,
                                   validators=[Optional()])
    # measured by a figure (optional)
    measure = SelectField(_l("Measured by"), validators=[Optional()])
    measure_organisation_id = OrganisationField(_l("Whose figure"), validators=[Optional()])
    baseline = LocalDecimalField(_l("Baseline"), validators=[Optional()])
    baseline_on = LocalDateField(_l("Baseline on"), validators=[Optional()])
    target = LocalDecimalField(_l("Target"), validators=[Optional()])
    target_on = LocalDateField(_l("Target by"), validators=[Optional()])

    def validate_items(self, field):
        try:
            item_numbers(field.data)
        except ValueError:
            raise ValidationError(_l("Write item numbers only, e.g. #12, #15.")) from None

    validate_commitments = validate_items

    def texts(self):
        return {loc: (getattr(self, f"title_{loc}").data or "",
                      getattr(self, f"description_{loc}").data or "") for loc in LOCALES}

    def load_texts(self, result):
        for text in result.texts:
            getattr(self, f"title_{text.locale}").data = text.title
            getattr(self, f"description_{text.locale}").data = text.description_html


for _locale in LOCALES:
    _language = LANGUAGE_NAMES[_locale]
    setattr(ResultForm, f"title_{_locale}", StringField(
        _l("Title (%(language)s)", language=_language),
        validators=[Optional(), Length(max=300)], render_kw={"lang": _locale, "dir": "auto"}))
    setattr(ResultForm, f"description_{_locale}", TextAreaField(
        _l("What the bank will do (%(language)s)", language=_language),
        validators=[Optional(), Length(max=20_000)],
        render_kw={"lang": _locale, "dir": "auto", "rows": 4}))


class StatusForm(PortalForm):
    version_id = HiddenField()
    status = SelectField(_l("Status"), choices=choices(
        [("", _l("Choose…"))] + ResultStatus.choices()),
        validators=[DataRequired()])
    reason = TextAreaField(_l("Why it is dropped"), validators=[Optional(), Length(max=5000)],
                           render_kw={"rows": 2, "dir": "auto"})


class MilestoneForm(PortalForm):
    day = LocalDateField(_l("Date"), validators=[DataRequired()])
    title = StringField(_l("Milestone"), validators=[DataRequired(), Length(max=300)],
                        render_kw={"dir": "auto"})
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)],
                         render_kw={"rows": 2, "dir": "auto"})
    reached = BooleanField(_l("Reached"))

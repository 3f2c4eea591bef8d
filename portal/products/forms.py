"""Forms of the catalogue. One name and description per language, generated from LOCALES."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from portal.accounts.models import OrgKind, Sector
from portal.core.forms import PortalForm, choices
from portal.i18n import LANGUAGE_NAMES
from portal.i18n.fields import LocalDateField, LocalDecimalField, LocalIntegerField, NumberRange
from portal.products.models import (
    LOCALES,
    ProductCategory,
    ProductStatus,
)

CODE = [DataRequired(), Length(max=40),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
               message=_l("Use letters, digits, dots, dashes and underscores only."))]


def _add_text_fields(cls, extra=()):
    for locale in LOCALES:
        language = LANGUAGE_NAMES[locale]
        setattr(cls, f"name_{locale}", StringField(
            _l("Name (%(language)s)", language=language),
            validators=[Optional(), Length(max=200)], render_kw={"lang": locale}))
        setattr(cls, f"description_{locale}", TextAreaField(
            _l("Description (%(language)s)", language=language),
            validators=[Optional(), Length(max=5000)], render_kw={"lang": locale, "rows": 3}))
        if "rate_text" in extra:
            setattr(cls, f"rate_text_{locale}", StringField(
                _l("Rate or fee in words (%(language)s)", language=language),
                validators=[Optional(), Length(max=300)], render_kw={"lang": locale}))
        if "eligibility" in extra:
            setattr(cls, f"eligibility_{locale}", TextAreaField(
                _l("Eligibility (%(language)s)", language=language),
                validators=[Optional(), Length(max=5000)],
                render_kw={"lang": locale, "rows": 3}))
    return cls


class _TextsMixin:
    TEXT_KEYS = ("name", "description")

    def texts(self):
        return {loc: {key: getattr(self, f"{key}_{loc}").data for key in self.TEXT_KEYS}
                for loc in LOCALES}

    def load_texts(self, obj):
        for text in obj.texts:
            for key in self.TEXT_KEYS:
                getattr(self, f"{key}_{text.locale}").data = getattr(text, key)

    def text_fields(self, locale):
        return [getattr(self, f"{key}_{locale}") for key in self.TEXT_KEYS]


def kind_choices():
    return choices(OrgKind.choices())


class ProductForm(_TextsMixin, PortalForm):
    TEXT_KEYS = ("name", "description", "rate_text")
    version_id = HiddenField()
    code = StringField(_l("Code"), validators=CODE)
    category = SelectField(_l("Category"), choices=choices(ProductCategory.choices()))
    kinds = SelectMultipleField(_l("Organisations served"), choices=kind_choices(),
                                validators=[Optional()])
    sectors = SelectMultipleField(_l("Sectors served"), choices=choices(Sector.choices()),
                                  validators=[Optional()])
    currency = StringField(_l("Currency"), default="IRR", validators=[
        DataRequired(), Regexp(r"^[A-Za-z]{3}$", message=_l("Three letters, e.g. IRR or VND."))])
    min_amount = LocalDecimalField(_l("Smallest amount"),
                                   validators=[Optional(), NumberRange(min=0)])
    max_amount = LocalDecimalField(_l("Largest amount"),
                                   validators=[Optional(), NumberRange(min=0)])
    min_tenor_months = LocalIntegerField(_l("Shortest term (months)"),
                                         validators=[Optional(), NumberRange(min=0, max=600)])
    max_tenor_months = LocalIntegerField(_l("Longest term (months)"),
                                         validators=[Optional(), NumberRange(min=0, max=600)])
    rate_percent = LocalDecimalField(_l("Annual rate or fee (%)"),
                                     validators=[Optional(), NumberRange(min=0, max=100)])
    target_days = LocalIntegerField(_l("Target turnaround (working days)"),
                                    validators=[Optional(), NumberRange(min=0, max=365)])
    planned_launch = LocalDateField(_l("Planned launch"), validators=[Optional()])

    SERVICE_FIELDS = ("code", "category", "kinds", "sectors", "currency", "min_amount",
                      "max_amount", "min_tenor_months", "max_tenor_months", "rate_percent",
                      "target_days", "planned_launch")

    def data_for_service(self):
        return super().data_for_service() | {"texts": self.texts()}


_add_text_fields(ProductForm, extra=("rate_text",))


class PackageForm(_TextsMixin, PortalForm):
    TEXT_KEYS = ("name", "description", "eligibility")
    version_id = HiddenField()
    code = StringField(_l("Code"), validators=CODE)
    org_kind = SelectField(_l("For organisations of this kind"), choices=kind_choices())
    product_ids = SelectMultipleField(_l("Products in the package"), coerce=int,
                                      validators=[Optional()])
    min_members = LocalIntegerField(_l("Members at least"),
                                    validators=[Optional(), NumberRange(min=0)])
    min_years_active = LocalIntegerField(_l("Years active at least"),
                                         validators=[Optional(), NumberRange(min=0, max=200)])
    max_overdue_percent = LocalDecimalField(
        _l("Overdue loans at most (percent of outstanding loans)"),
                                       validators=[Optional()])
    requires_audited_accounts = BooleanField(_l("Audited accounts required"))

    SERVICE_FIELDS = ("code", "org_kind", "product_ids", "min_members", "min_years_active",
                      "max_overdue_percent", "requires_audited_accounts")

    def data_for_service(self):
        return super().data_for_service() | {"texts": self.texts()}


_add_text_fields(PackageForm, extra=("eligibility",))


def _id_or_none(value):
    return int(value) if value not in (None, "") else None


class StatusForm(PortalForm):
    version_id = HiddenField()
    status = SelectField(_l("New status"), choices=choices(ProductStatus.choices()))
    # the choices are the offers of the same kind; the service checks the one given
    replaced_by = SelectField(_l("When withdrawn, replaced by"), coerce=_id_or_none,
                              validate_choice=False, validators=[Optional()])

"""Forms of the feedback area: one per kind, and the handling actions."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from markupsafe import Markup, escape
from wtforms import Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation
from wtforms.widgets import TextInput, html_params

from portal.accounts.picker import OrganisationField
from portal.core.forms import PortalForm, choices
from portal.core.richtext import RichTextField
from portal.feedback.models import (
    ESCALATION_LEVEL_NAMES,
    Kind,
    Outcome,
    Topic,
    Visibility,
)
from portal.i18n.fields import LocalIntegerField, NumberRange, reader_digits
from portal.i18n.parsing import ascii_digits

BODY_HELP = _l("Paragraphs, bold, lists and links are kept; anything else is removed.")


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class FeedbackForm(PortalForm):
    organisation_id = SelectField(_l("On behalf of"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = RichTextField(_l("Details"), validators=[DataRequired(), Length(max=50_000)])
    topic = SelectField(_l("Topic"), choices=choices(Topic.choices()))
    visibility = SelectField(_l("Who may read it"), choices=choices(Visibility.choices()))
    branch_id = SelectField(_l("Branch concerned"), coerce=_optional_int,
                            validators=[Optional()])
    attachments = MultipleFileField(_l("Attachments"))


class CritiqueForm(FeedbackForm):
    concerns = StringField(_l("What is wrong, and where (a branch, a product, a process)"),
                           validators=[DataRequired(), Length(max=300)])


class ProposalForm(FeedbackForm):
    expected_benefit = TextAreaField(_l("Expected benefit"),
                                     validators=[DataRequired(), Length(max=5000)])


class ProductRequestForm(FeedbackForm):
    sector = StringField(_l("Sector"), validators=[DataRequired(), Length(max=120)])
    # a text box, not type=number: browsers drop digits typed on a Persian keyboard from
    # number inputs, and int() reads ۱۲۰۰ as well as 1200
    demand_size = LocalIntegerField(_l("Size of demand (members or organisations who need it)"),
                                    widget=TextInput(), render_kw={"inputmode": "numeric"},
                                    validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    terms_wanted = TextAreaField(_l("Terms wanted (amount, tenor, rate, guarantees)"),
                                 validators=[Optional(), Length(max=5000)])


FORMS = {Kind.CRITIQUE: CritiqueForm, Kind.PROPOSAL: ProposalForm,
         Kind.PRODUCT_REQUEST: ProductRequestForm}


# "#123", "123", "#۱۲۳ · title" (a suggestion as the browser fills it in): the number first
_ITEM_NUMBER = re.compile(r"^#?\s*(\d+)(?!\d)")


def item_label(item_id, title):
    """How a chosen item is written in the picker: its number in the reader's digits, then its
    title, so the person sees which item they named."""
    return f"#{reader_digits(item_id)} · {title}"


class ItemPickerField(Field):
    """One feedback item, named by its number.

    A text box: with JavaScript (static/js/item-picker.js) it suggests the items the person may
    name, by title, from a JSON search (offer()'s lookup_url); without it the person types
    "#123" or "123" in any digits. The view says which items may be named (offer()); the
    field's data is the id of one of them, and a refused entry keeps what was typed."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.candidates = None      # a function: id -> title, or None when not one of them
        self.lookup_url = None
        self.self_id = None         # the item being answered: it cannot duplicate itself
        self.typed = None
        self.chosen_title = None

    def offer(self, candidates, lookup_url, self_id=None):
        self.candidates, self.lookup_url, self.self_id = candidates, lookup_url, self_id

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.typed = (valuelist[0] or "").strip()
        match = _ITEM_NUMBER.match(ascii_digits(self.typed))
        self.data = int(match.group(1)) if match else None

    def pre_validate(self, form):
        if not self.typed:
            self.data = None
            return
        # stop: "required" or another message would hide what is wrong with the entry
        if self.data is None:
            raise StopValidation(_l("Write the item's number, such as #12, or choose one of "
                                    "the suggestions."))
        if self.data == self.self_id:
            raise StopValidation(_l("An item cannot duplicate itself. Name the other item."))
        title = self.candidates(self.data) if self.candidates else None
        if title is None:
            raise StopValidation(_l("No item you may name here has this number. Choose one of "
                                    "the suggestions."))
        self.chosen_title = title

    def show_item(self, item_id):
        """Show an item already chosen (a saved draft), with its title."""
        self.data = item_id
        self.chosen_title = self.candidates(item_id) if (item_id and self.candidates) else None

    def _value(self):
        if self.typed is not None and not self.chosen_title:
            return self.typed
        if self.data and self.chosen_title:
            return item_label(self.data, self.chosen_title)
        return self.typed or ""

    def __call__(self, **kwargs):
        options = f"{self.id}-options"
        kwargs.setdefault("class_", "form-control")
        params = html_params(type="text", id=self.id, name=self.name, value=self._value(),
                             list=options if self.lookup_url else False, autocomplete="off",
                             dir="auto", data_item_lookup=self.lookup_url or False, **kwargs)
        datalist = f'<datalist id="{escape(options)}"></datalist>' if self.lookup_url else ""
        return Markup(f"<input {params}>{datalist}")  # noqa: S704 - html_params escapes every value  # nosec B704


class VersionForm(PortalForm):
    version_id = HiddenField()


class NoteForm(PortalForm):
    body = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=10_000)])


class ResponseForm(PortalForm):
    version_id = HiddenField()
    body = RichTextField(_l("Official response"), validators=[DataRequired(),
                                                              Length(max=50_000)])
    # no outcome is chosen for the person: an answer published as "Accepted" because nobody
    # changed the first choice would promise what the bank never decided
    outcome = SelectField(_l("Outcome"), default="", choices=choices(
        [("", _l("Choose…"))] + Outcome.choices()),
        validators=[DataRequired(message=_l("Choose the outcome of the answer."))])
    duplicate_of = ItemPickerField(_l("Duplicate of"), validators=[Optional()])


class ReopenForm(PortalForm):
    reason = TextAreaField(_l("Why the answer does not settle the matter"),
                           validators=[DataRequired(), Length(max=5000)])


class EndorseForm(PortalForm):
    organisation_id = SelectField(_l("Endorse on behalf of"), coerce=int,
                                  validate_choice=False)
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(),
                                                                 Length(max=2000)])


class ReassignForm(PortalForm):
    owner_id = SelectField(_l("Owner"), coerce=int)


class EscalationLinkForm(PortalForm):
    """A link of a bank's escalation chain: a level, a person or a role, an office. The view
    fills the choices from the bank looked at; the service checks them again."""

    level = SelectField(_l("Level"), coerce=int, choices=choices(
        (level, name) for level, name in ESCALATION_LEVEL_NAMES.items()))
    # "person:12" or "role:administrator", in two groups
    who = SelectField(_l("Who is told"), validators=[DataRequired()], validate_choice=False)
    office_id = OrganisationField(_l("Office"), validators=[Optional()])

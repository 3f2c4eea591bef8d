"""Forms of the feedback area: one per kind, and the handling actions."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import TextInput

from portal.accounts.picker import OrganisationField
from portal.core.forms import PortalForm, choices
from portal.feedback.models import (
    ESCALATION_LEVEL_NAMES,
    OUTCOME_LABELS,
    TOPIC_LABELS,
    VISIBILITY_LABELS,
    Kind,
)
from portal.i18n.fields import LocalIntegerField, NumberRange

BODY_HELP = _l("Paragraphs, bold, lists and links are kept; anything else is removed.")


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class FeedbackForm(PortalForm):
    organisation_id = SelectField(_l("On behalf of"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Details"), validators=[DataRequired(), Length(max=50_000)])
    topic = SelectField(_l("Topic"), choices=choices(
        (t.value, label) for t, label in TOPIC_LABELS.items()))
    visibility = SelectField(_l("Who may read it"), choices=choices(
        (v.value, label) for v, label in VISIBILITY_LABELS.items()))
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


class VersionForm(PortalForm):
    version_id = HiddenField()


class NoteForm(PortalForm):
    body = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=10_000)])


class ResponseForm(PortalForm):
    version_id = HiddenField()
    body = TextAreaField(_l("Official response"), validators=[DataRequired(),
                                                              Length(max=50_000)])
    outcome = SelectField(_l("Outcome"), choices=choices(
        (o.value, label) for o, label in OUTCOME_LABELS.items()))
    duplicate_of = LocalIntegerField(_l("Duplicate of item number"), validators=[Optional()])


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

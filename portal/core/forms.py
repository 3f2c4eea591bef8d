"""Form helpers shared by every area."""
from flask_babel import get_translations, gettext
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


def choices(pairs):
    """WTForms 3.3+ wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


class _PortalTranslations:
    """WTForms' own messages from the portal's catalogues.

    WTForms ships no Vietnamese or Thai catalogue, and its Persian one is not ours; its
    messages are listed in portal/i18n/validation_messages.py so they are extracted and
    translated with everything else.
    """

    # the catalogue itself, not flask_babel's gettext: WTForms fills in %(min)d itself
    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _PortalTranslations()


class PortalForm(FlaskForm):
    """The base of every form: validation messages in the reader's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _TRANSLATIONS

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and csrf.errors:
            # Flask-WTF raises these in English whatever the page's language
            csrf.errors = [gettext(str(error)) for error in csrf.errors]
        return valid

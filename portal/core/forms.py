"""Form helpers shared by every area."""
from flask import g, has_request_context, request
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

    # the fields an area's service takes from this form, by name: see data_for_service
    SERVICE_FIELDS = ()

    def data_for_service(self):
        """{name: value} of SERVICE_FIELDS: what the service is handed, without what only the
        page needs (the CSRF token, the version the form was opened at)."""
        return {name: self[name].data for name in self.SERVICE_FIELDS}

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _TRANSLATIONS

    def validate(self, extra_validators=None):
        version = self._fields.get("version_id")
        if version is not None and has_request_context() and version.name not in request.form:
            # a form built from the record (obj=) would otherwise send the record's current
            # version as the one the person saw: leaving it out must not skip the check
            version.data = ""
        valid = super().validate(extra_validators)
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and csrf.errors:
            # Flask-WTF raises these in English whatever the page's language
            csrf.errors = [gettext(str(error)) for error in csrf.errors]
        if not valid and has_request_context() and request.method == "POST":
            # the base layout lists what was refused at the top of the page (error_summary)
            g.setdefault("refused_forms", []).append(self)
        return valid


def _field_messages(field):
    """A field's messages as flat strings: FieldList and FormField nest lists and dicts."""
    pending = [field.errors]
    while pending:
        errors = pending.pop(0)
        if isinstance(errors, dict):
            pending.extend(errors.values())
        elif isinstance(errors, (list, tuple)):
            pending.extend(errors)
        elif errors:
            yield str(errors)


def refused_fields():
    """What the forms refused in this request, for the summary at the top of the page: one
    entry per field, (anchor, label, message). Hidden fields (the CSRF token) have no input to
    move to, so their anchor is None; their message still shows."""
    entries = []
    for form in g.get("refused_forms", ()):
        for field in form:
            messages = list(_field_messages(field))
            if not messages:
                continue
            hidden = field.type in ("HiddenField", "CSRFTokenField")
            label = "" if hidden else str(field.label.text)
            entries.append((None if hidden else field.id, label, messages[0]))
    return entries


def init_app(app):
    app.jinja_env.globals["refused_fields"] = refused_fields

"""The messages WTForms and Flask-WTF write themselves, listed so they are extracted.

portal.core.forms.PortalForm looks them up in the portal's catalogues (WTForms has no
Vietnamese or Thai catalogue of its own). Nothing calls this function: `pybabel extract` reads
it. Keep the msgids exactly as the libraries write them.
"""
from flask_babel import gettext, ngettext


def _catalogue():  # pragma: no cover - read by pybabel, never run
    return [
        gettext("This field is required."),
        gettext("Invalid input."),
        gettext("Invalid email address."),
        gettext("Invalid URL."),
        gettext("Invalid value, must be one of: %(values)s."),
        gettext("Invalid value, can't be any of: %(values)s."),
        gettext("Field must be equal to %(other_name)s."),
        ngettext("Field must be at least %(min)d character long.",
                 "Field must be at least %(min)d characters long.", 1),
        ngettext("Field cannot be longer than %(max)d character.",
                 "Field cannot be longer than %(max)d characters.", 1),
        ngettext("Field must be exactly %(max)d character long.",
                 "Field must be exactly %(max)d characters long.", 1),
        gettext("Field must be between %(min)d and %(max)d characters long."),
        gettext("Number must be at least %(min)s."),
        gettext("Number must be at most %(max)s."),
        gettext("Number must be between %(min)s and %(max)s."),
        gettext("Not a valid choice."),
        gettext("Invalid Choice: could not coerce."),
        gettext("Invalid choice(s): one or more data inputs could not be coerced."),
        ngettext("'%(value)s' is not a valid choice for this field.",
                 "'%(value)s' are not valid choices for this field.", 1),
        gettext("Not a valid date value."),
        gettext("Not a valid time value."),
        gettext("Not a valid datetime value."),
        gettext("Not a valid integer value."),
        gettext("Not a valid decimal value."),
        gettext("Not a valid float value."),
        gettext("File does not have an approved extension."),
        # Flask-WTF's CSRF check (PortalForm.validate translates them)
        gettext("The CSRF token is missing."),
        gettext("The CSRF session token is missing."),
        gettext("The CSRF token has expired."),
        gettext("The CSRF token is invalid."),
        gettext("The CSRF tokens do not match."),
    ]

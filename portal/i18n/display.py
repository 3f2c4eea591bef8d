"""What the portal prints, in the reader's language: time zones by name, values isolated from
the text around them, and numbers (clock times, file sizes, list numbering) in the reader's
digits.

Every filter here is registered on the Jinja environment by portal.i18n.init_app.
"""
import re

from babel.dates import get_timezone_location
from babel.numbers import get_currency_name
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from portal import i18n
from portal.core import clock, filters
from portal.i18n import formatting

# The zones a person or a meeting can choose, the network's first (portal/meetings/forms.py
# and portal/accounts/forms.py offer them). People name a zone by its city, the way they say
# it: "به وقت تهران", "giờ Hà Nội", "เวลากรุงเทพฯ".
TIMEZONE_LABELS = {
    "Asia/Tehran": _l("Tehran time"),
    "Asia/Ho_Chi_Minh": _l("Hanoi time"),
    "Asia/Bangkok": _l("Bangkok time"),
    "Asia/Kabul": _l("Kabul time"),
    "Asia/Dubai": _l("Dubai time"),
    "Asia/Kolkata": _l("New Delhi time"),
    "Asia/Jakarta": _l("Jakarta time"),
    "Europe/Istanbul": _l("Istanbul time"),
    "Europe/London": _l("London time"),
    "UTC": _l("Coordinated Universal Time (UTC)"),
}

_ANY_DIGIT = re.compile(r"[0-9\u06f0-\u06f9\u0660-\u0669]")
_LATIN_OF = {**{chr(0x06F0 + d): str(d) for d in range(10)},
             **{chr(0x0660 + d): str(d) for d in range(10)}}


# --- time zones ------------------------------------------------------------------------------

def timezone_label(zone):
    """A zone as people name it, in the reader's language ("به وقت تهران", "giờ Hà Nội").

    A zone outside the list (the meetings service accepts any IANA name) is named by its
    country as CLDR has it ("Giờ Nhật Bản"); a name nobody knows is shown as it is."""
    if not zone:
        return ""
    if zone in TIMEZONE_LABELS:
        return str(TIMEZONE_LABELS[zone])
    try:
        return get_timezone_location(zone, locale=formatting.babel_locale(i18n.current_language()))
    except LookupError:
        return str(zone)


def timezone_choices(zones=None):
    """(zone, lazy label) pairs for a select box; the labels translate when the page renders."""
    return [(zone, TIMEZONE_LABELS.get(zone) or LazyString(timezone_label, zone))
            for zone in (zones or TIMEZONE_LABELS)]


def organisation_timezone(organisation):
    """The zone of the organisation's country, or None outside the network's countries."""
    if organisation is None:
        return None
    # the zone its deadlines fall in too (portal.core.clock): one list of the countries
    return clock.COUNTRY_ZONES.get((organisation.country or "").upper())


def default_timezone(user, language):
    """The zone a person's pages use when they have not chosen one: their organisation's,
    else the usual zone of the language they read, else UTC."""
    for organisation in (user.organisations if user is not None else ()):
        zone = organisation_timezone(organisation)
        if zone:
            return zone
    return i18n.DEFAULT_TIMEZONES.get(str(language), "UTC")


def effective_timezone(user, language):
    """The zone a person's pages use: their own choice, else default_timezone()."""
    if user is not None and user.timezone:
        return user.timezone
    return default_timezone(user, language)


# --- isolation -------------------------------------------------------------------------------

def isolate(value):
    """A value someone typed, isolated from the sentence around it (<bdi>): a Persian name in
    an English list, or an English note on a Persian page, keeps its own direction and leaves
    the separators and punctuation around it where they belong."""
    if value is None or value == "":
        return ""
    return Markup("<bdi>%s</bdi>") % value


# --- digits ----------------------------------------------------------------------------------

def localise_digits(text):
    """Every digit of text (Latin, Persian or Arabic-Indic) in the reader's digits: opening
    hours typed as "7:30–11:30" read "۷:۳۰–۱۱:۳۰" on a Persian page and "7:30–11:30" on a
    Thai one, whichever way they were typed."""
    if text is None:
        return ""
    latin = _ANY_DIGIT.sub(lambda m: _LATIN_OF.get(m.group(), m.group()), str(text))
    return formatting.to_persian_digits(latin) if i18n.native_digits() else latin


def hours(value):
    """Opening hours or a schedule note: typed text, isolated, its digits the reader's."""
    return isolate(localise_digits(value)) if value else ""


def file_size(size):
    """A size in bytes as people read it: "120 KB", "۵ مگابایت"."""
    if size is None:
        return ""
    if size >= 1024 * 1024:
        megabytes = size / (1024 * 1024)
        return _("%(n)s MB", n=i18n.number_filter(megabytes, 0 if megabytes >= 10 else 1))
    return _("%(n)s KB", n=i18n.number_filter(max(size / 1024, 1), 0))


def currency_name(code):
    """A currency by its name in the reader's language ("ریال ایران", "đồng Việt Nam"),
    where a bare code would sit next to a figure that is not money (a share)."""
    try:
        return get_currency_name(code, locale=formatting.babel_locale(i18n.current_language()))
    except (LookupError, ValueError):
        return code


def country_name(code):
    """A country by its name in the reader's language ("ایران", "Việt Nam", "อิหร่าน"): a
    reporting period belongs to a country, and a bare "IR" means nothing to its reader."""
    if not code:
        return ""
    names = formatting.babel_locale(i18n.current_language()).territories
    return names.get(str(code).upper(), str(code))


def numbering_class():
    """The class of <body> that numbers ordered lists in the reader's digits (portal.css):
    Persian digits only for a Persian page of a reader who chose them."""
    return "digits-persian" if i18n.native_digits() else "digits-latin"


FILTERS = {"bdi": isolate, "timezone_label": timezone_label, "hours": hours,
           "file_size": file_size, "localise_digits": localise_digits,
           "currency_name": currency_name, "country_name": country_name}
GLOBALS = {"numbering_class": numbering_class, "timezone_label": timezone_label,
           "active_filter_count": filters.active_count, "option_tags": filters.option_tags}

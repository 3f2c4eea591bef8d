"""Locale selection, calendars and locale-aware template filters."""
from collections import namedtuple
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from portal.i18n import calendars, display, formatting

LANGUAGE_NAMES = {"en": "English", "fa": "فارسی", "vi": "Tiếng Việt", "th": "ไทย"}
RTL_LANGUAGES = {"fa"}
DEFAULT_TIMEZONES = {"fa": "Asia/Tehran", "vi": "Asia/Ho_Chi_Minh", "th": "Asia/Bangkok"}


def select_locale():
    """The user's saved preference, then the switcher's choice, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: English unless forced
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.preferred_locale:
        if current_user.preferred_locale in languages:
            return current_user.preferred_locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "en"


def select_timezone():
    if not has_request_context():
        return "UTC"
    user = current_user if current_user and current_user.is_authenticated else None
    return display.effective_timezone(user, str(get_locale()))


def current_language():
    """The page's language code. Asked thousands of times on a dashboard (every figure and
    date): the code is kept on the request's Locale object rather than built again each time."""
    locale = get_locale()
    if locale is None:
        return "en"
    code = locale.__dict__.get("_portal_code")
    if code is None:
        code = locale.__dict__["_portal_code"] = str(locale)
    return code


def is_rtl():
    return current_language() in RTL_LANGUAGES


def reader_calendar():
    if current_user and current_user.is_authenticated and current_user.calendar:
        return current_user.calendar
    return calendars.default_calendar(current_language())


def native_digits():
    """Persian digits for Persian pages, unless the user chose Latin digits."""
    if current_language() != "fa":
        return False
    if current_user and current_user.is_authenticated:
        return bool(current_user.persian_digits)
    return True


Reader = namedtuple("Reader", "language zone calendar native_digits locale")


def _reader():
    """The reader's language, zone, calendar and digits, worked out once per request and
    language: a list of twenty items formats forty dates, each asking all four (0.3 ms a date).
    Kept with the Babel locale it was worked out for, so that a mail rendered for someone else
    under force_locale (a new locale object) gets its own; the check is one identity test, as
    a dashboard asks for every figure."""
    if not has_request_context():
        return _work_out_reader()
    found = g.get("_portal_reader")
    if found is None or found.locale is not get_locale():
        found = g._portal_reader = _work_out_reader()
    return found


def _work_out_reader():
    language = current_language()
    return Reader(language, ZoneInfo(select_timezone()), reader_calendar(), native_digits(),
                  get_locale())


def _to_local(value, zone=None):
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(zone or _reader().zone)
    return value


def _digits(text):
    return formatting.to_persian_digits(text) if _reader().native_digits else text


def _in_digits(text, reader):
    return formatting.to_persian_digits(text) if reader.native_digits else text


def date_filter(value, style="medium"):
    reader = _reader()
    local = _to_local(value, reader.zone)
    return _in_digits(calendars.format_date(local, style, reader.language, reader.calendar),
                      reader)


def datetime_filter(value, style="medium"):
    if value is None:
        return ""
    reader = _reader()
    local = _to_local(value, reader.zone)
    day = calendars.format_date(local, style, reader.language, reader.calendar)
    return _in_digits(f"{day} {calendars.format_time(local, reader.language)}", reader)


def month_filter(value):
    reader = _reader()
    return _in_digits(calendars.format_month(value, reader.language, reader.calendar), reader)


def number_filter(value, decimals=None):
    reader = _reader()
    return formatting.format_number(value, reader.language, decimals, reader.native_digits)


def percent_filter(value, decimals=2):
    reader = _reader()
    return formatting.format_percentage(value, reader.language, decimals, reader.native_digits)


def money_filter(value, currency):
    reader = _reader()
    return formatting.format_money(value, currency, reader.language, reader.native_digits)


def init_app(app):
    from portal.extensions import babel

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories="i18n/translations")
    app.jinja_env.filters.update(
        date=date_filter, datetime=datetime_filter, month=month_filter,
        number=number_filter, percent=percent_filter, money=money_filter, digits=_digits,
    )
    app.jinja_env.globals.update(
        current_language=current_language, is_rtl=is_rtl, LANGUAGE_NAMES=LANGUAGE_NAMES,
    )
    app.jinja_env.filters.update(display.FILTERS)
    app.jinja_env.globals.update(display.GLOBALS)

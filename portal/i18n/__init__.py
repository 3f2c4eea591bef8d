"""Locale selection, calendars and locale-aware template filters."""
from flask import current_app, has_request_context, request, session
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


def _to_local(value):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(ZoneInfo(select_timezone()))
    return value


def _digits(text):
    return formatting.to_persian_digits(text) if native_digits() else text


def date_filter(value, style="medium"):
    local = _to_local(value)
    return _digits(calendars.format_date(local, style, current_language(), reader_calendar()))


def datetime_filter(value, style="medium"):
    if value is None:
        return ""
    local = _to_local(value)
    day = calendars.format_date(local, style, current_language(), reader_calendar())
    return _digits(f"{day} {calendars.format_time(local, current_language())}")


def month_filter(value):
    return _digits(calendars.format_month(value, current_language(), reader_calendar()))


def number_filter(value, decimals=None):
    return formatting.format_number(value, current_language(), decimals, native_digits())


def percent_filter(value, decimals=2):
    return formatting.format_percentage(value, current_language(), decimals, native_digits())


def money_filter(value, currency):
    return formatting.format_money(value, currency, current_language(), native_digits())


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

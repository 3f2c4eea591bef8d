"""Numbers, percentages, money and digits by locale.

With native=True (a Persian reader who chose Persian digits) numbers use the locale's own
numbering system: Persian digits and separators (۱٬۶۶۲٫۵).
"""
import re
from functools import lru_cache, wraps

from babel import Locale
from babel.numbers import format_currency, format_decimal, format_percent, parse_pattern

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@lru_cache(maxsize=64)
def babel_locale(identifier):
    """The Babel locale of a language, parsed once.

    Given a string, Babel parses it into a new Locale for every number or date, and the new
    Locale looks its data up again: a quarter of a millisecond each, 60-90 ms on a dashboard
    that prints a few hundred figures and months. A parsed Locale is reused as it is.
    """
    return Locale.parse(str(identifier))


@lru_cache(maxsize=256)
def number_pattern(pattern):
    """A number pattern parsed once: Babel parses a pattern given as text on every call."""
    return None if pattern is None else parse_pattern(pattern)


def remembered(format_function):
    """A formatter whose answers are kept per process (the last 8,192 distinct calls).

    Babel takes 10-50 us a figure; a dashboard prints a few hundred, and shows the same
    figures to every reader of a network until a report changes them (14 ms of 78 on the
    concentration dashboard went to format_money). Equal values of one type print alike, so
    the answer is a pure function of the arguments; an unhashable value is formatted anew."""
    kept = lru_cache(maxsize=8192, typed=True)(format_function)

    @wraps(format_function)
    def format_or_recall(*args, **kwargs):
        try:
            return kept(*args, **kwargs)
        except TypeError:  # an unhashable value (a signalling NaN): no memory, same answer
            return format_function(*args, **kwargs)
    format_or_recall.cache_info = kept.cache_info
    return format_or_recall


def to_persian_digits(text):
    return str(text).translate(_PERSIAN_DIGITS)


def _finish(text, native):
    # Persian digits come with the Persian percent sign
    return to_persian_digits(text).replace("%", "٪") if native else text


def _system(native):
    return "default" if native else "latn"


@remembered
def format_number(value, locale, decimals=None, native=False):
    if value is None:
        return ""
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(value, format=number_pattern(pattern), locale=babel_locale(locale),
                          numbering_system=_system(native))
    return _finish(text, native)


@remembered
def format_percentage(value, locale, decimals=2, native=False):
    """value is a fraction (0.9671 -> 96.71%)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    text = format_percent(value, format=number_pattern(pattern), locale=babel_locale(locale),
                          numbering_system=_system(native))
    return _finish(text, native)


# Persian writes the unit after the amount ("۱۰۰٬۰۰۰٬۰۰۰ ریال"); CLDR's pattern puts it before,
# behind a left-to-right mark, so a Persian page read "ریال ۱۰۰٬۰۰۰٬۰۰۰".
_UNIT_AFTER = {"fa": "#,##0.00\u00a0¤"}
# a currency shown by its code ("IRR") needs a space before the digits: "IRR 100,000,000"
_CODE_THEN_DIGIT = re.compile(r"([A-Z]{3})(?=[0-9\u06f0-\u06f9])")


@remembered
def format_money(value, currency, locale, native=False):
    """Money in the organisation's currency, grouped, with the currency's own decimals (none
    for IRR and VND) and its unit where the locale puts it: "۱۰۰٬۰۰۰٬۰۰۰ ریال",
    "100.000.000 ₫", "฿1,250.00"."""
    if value is None:
        return ""
    babel = babel_locale(locale)
    text = format_currency(value, currency, format=number_pattern(_UNIT_AFTER.get(babel.language)),
                           locale=babel, currency_digits=True,
                           numbering_system=_system(native))
    return _finish(_CODE_THEN_DIGIT.sub("\\1\u00a0", text), native)

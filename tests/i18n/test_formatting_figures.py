"""Issue 17: figures read as figures. A share is a percentage, never followed by a currency
code ("۴۴٫۷۶٪ IRR"); an amount carries its unit where the reader's language puts it, in a
sentence too ("از ۱۰۰٬۰۰۰٬۰۰۰ ریال", not "از ریال ۱۰۰٬۰۰۰٬۰۰۰"); a period is a month in words
with the country's name, not "IR · مرداد ۱۴۰۴"."""
import pytest
from flask_babel import force_locale, gettext
from werkzeug.datastructures import MultiDict

from portal.core.filters import active_count
from portal.i18n.display import country_name
from portal.i18n.formatting import format_money, format_percentage

NBSP = "\u00a0"


@pytest.mark.parametrize("language, native, shown", [
    ("fa", True, "۴۴٫۷۶٪"), ("fa", False, "44.76%"), ("vi", False, "44,76%"),
    ("th", False, "44.76%")])
def test_a_share_is_a_percentage_without_a_currency(language, native, shown):
    assert format_percentage(0.4476, language, native=native) == shown


@pytest.mark.parametrize("language, native, currency, shown", [
    ("fa", True, "IRR", f"۱۰۰٬۰۰۰٬۰۰۰{NBSP}ریال"),
    ("fa", False, "IRR", f"100,000,000{NBSP}ریال"),
    ("vi", False, "VND", f"100.000.000{NBSP}₫"),
    ("th", False, "THB", "฿100,000,000.00"),
    ("th", False, "VND", "₫100,000,000"),
])
def test_an_amount_has_its_unit_where_the_language_puts_it(language, native, currency, shown):
    assert format_money(100_000_000, currency, language, native=native) == shown


def test_a_persian_amount_reads_number_then_rial_inside_a_sentence(app):
    """The sentence of the dashboard's card, as a Persian reader gets it: the rial after the
    figure, and no left-to-right mark that would pull the unit in front of it."""
    amount = format_money(6_690_000_000_000, "IRR", "fa", native=True)
    with app.test_request_context(), force_locale("fa"):
        sentence = gettext("of %(total)s went through the bank (%(n)s organisations)",
                           total=amount, n="۷")
    assert f"۶٬۶۹۰٬۰۰۰٬۰۰۰٬۰۰۰{NBSP}ریال" in sentence
    assert f"ریال{NBSP}۶" not in sentence and "ریال ۶" not in sentence
    assert "\u200e" not in amount and "IRR" not in amount


@pytest.mark.parametrize("language, name", [("fa", "ایران"), ("vi", "Iran"), ("th", "อิหร่าน"),
                                            ("en", "Iran")])
def test_a_country_is_named_in_the_readers_language(app, language, name):
    with app.test_request_context(), force_locale(language):
        assert country_name("IR") == name
        assert country_name("vn") == {"fa": "ویتنام", "vi": "Việt Nam", "th": "เวียดนาม",
                                      "en": "Vietnam"}[language]
        assert country_name("") == ""


@pytest.mark.parametrize("args, count", [
    ([], 0),
    ([("q", ""), ("kind", "")], 0),                                 # empty boxes
    ([("q", "وام"), ("kind", "critique")], 2),
    ([("q", "  "), ("state", "open"), ("sort", "deadline"), ("page", "3")], 1),
    ([("overdue", "1"), ("from", "۱۴۰۴/۰۵/۰۱"), ("to", "2568-08-31")], 3),
    ([("series", "4"), ("series", "5")], 1),                        # one filter, two values
])
def test_active_filters_are_counted_from_the_query_string(args, count):
    assert active_count(MultiDict(args)) == count


def test_a_view_setting_that_is_not_a_filter_can_be_left_out():
    assert active_count(MultiDict([("group", "month"), ("product", "3")]),
                        ignore=("group",)) == 1

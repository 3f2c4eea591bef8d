"""Issue 17 on the turnover pages: figures that read as figures, periods in words, a phone's
chart and tables that scroll in their own box."""
import re

import pytest

from portal.accounts.models import OrgKind
from tests import factories
from tests.turnover.helpers import AUG, JUL, make_report, open_period

NBSP = "\u00a0"


def _options(html):
    return [re.sub(r"\s+", " ", o).strip() for o in
            re.findall(r"<option value=\"[A-Z]{2}-[^\"]+\"[^>]*>([^<]*)</option>", html)]


@pytest.fixture()
def iran_reports(db):
    union = factories.make_org(OrgKind.NATIONAL_UNION, code="IR-UN-PH")
    db.session.commit()
    make_report(union, open_period("IR", JUL), 1_000_000_000, 400_000_000)
    make_report(union, open_period("IR", AUG), 1_000_000_000, 447_600_000)
    return union


def test_the_persian_dashboard_reads_shares_amounts_and_months_as_a_reader_says_them(
        client, login_as, iran_reports):
    login_as("ministry_official", preferred_locale="fa")
    html = client.get("/turnover/?window=IR-2025-08").get_data(as_text=True)

    # the period picker: "مرداد ۱۴۰۴", never "IR · مرداد ۱۴۰۴"
    options = _options(html)
    assert "مرداد ۱۴۰۴" in options and "تیر ۱۴۰۴" in options, options
    assert not [o for o in options if "IR" in o or "·" in o], options
    # the share a percentage with no currency code; the amount with its rial after it
    share = re.search(r'id="network-share-IRR">([^<]*)<', html).group(1)
    assert share == "۴۴٫۷۶٪"
    card = html[html.index('id="network-share-IRR"'):][:600]
    assert f"۱٬۰۰۰٬۰۰۰٬۰۰۰{NBSP}ریال" in card and "IRR" not in re.sub(r'id="[^"]*"', "", card)
    # the trend table lists amounts with their unit, without a column of currency codes
    trend = html[html.index('id="trend-table"'):html.index("</table>", html.index(
        'id="trend-table"'))]
    assert ">IRR<" not in trend and f"{NBSP}ریال" in trend


def test_the_picker_names_the_country_when_it_offers_several(client, login_as, iran_reports):
    vietnam = factories.make_org(OrgKind.MASS_ORGANISATION, code="VN-PH-1", country="VN",
                                 currency="VND")
    make_report(vietnam, open_period("VN", AUG), 5_000_000, 1_000_000)
    login_as("administrator", preferred_locale="th")
    html = client.get("/turnover/?window=IR-2025-08").get_data(as_text=True)
    options = _options(html)
    assert "สิงหาคม 2568, อิหร่าน" in options, options
    assert "สิงหาคม 2568, เวียดนาม" in options, options


def test_each_chart_comes_in_a_phone_layout_and_tables_scroll_in_their_own_box(
        client, login_as, iran_reports):
    login_as("ministry_official", preferred_locale="th")
    html = client.get("/turnover/?window=IR-2025-08").get_data(as_text=True)
    for section in ("trend-title", "shares-title"):
        part = html[html.index(f'aria-labelledby="{section}"'):]
        wide = part.index('class="mb-2 chart-wide"')
        phone = part.index('class="mb-2 chart-phone"')
        assert wide < phone < part.index("</section>")
        assert 'viewBox="0 0 360 ' in part[phone:part.index("</svg>", phone)]
    boxes = re.findall(r'<div class="table-responsive" role="region" tabindex="0" '
                       r'aria-labelledby="([a-z-]+)">\s*<table', html)
    assert {"trend-title", "shares-title", "laggards-title", "movers-title"} <= set(boxes)
    # the row of buttons wraps rather than running off a phone
    assert 'class="d-flex flex-wrap gap-2 no-print"' in html

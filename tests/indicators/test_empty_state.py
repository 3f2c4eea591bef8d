"""Issue 17: a director's Indicators link led to an empty page with no next step. Without a
dashboard the page says what it is for and what the reader can do now."""
import re

from flask_babel import force_locale, gettext


def _fa(app, message):
    with app.test_request_context(), force_locale("fa"):
        return gettext(message)


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_director_without_a_dashboard_is_told_what_it_is_and_offered_to_report_turnover(
        app, client, login_as):
    login_as("union_director", preferred_locale="fa")
    html = client.get("/indicators/").get_data(as_text=True)
    assert 'id="indicators-empty"' in html
    text = _text(html)
    assert _fa(app, "There is no dashboard for the organisations you can see yet.") in text
    assert "برنامه" in text  # what the page compares: figures against the plan
    report = re.search(r'<a class="btn btn-primary" href="([^"]+)">([^<]+)</a>', html)
    assert report.group(1) == "/turnover/reports/new"
    assert report.group(2) == _fa(app, "Report turnover figures")
    assert client.get(report.group(1)).status_code == 200  # a step the director may take


def test_a_reader_who_can_do_nothing_yet_is_told_so(app, client, login_as):
    login_as("branch_staff", preferred_locale="fa")  # reads indicators, reports nothing
    html = client.get("/indicators/").get_data(as_text=True)
    assert "/turnover/reports/new" not in html
    assert _fa(app, "Nothing to do for now: the dashboards appear here by themselves.") in \
        _text(html)

"""The rich-text field: a textarea that asks for the editor, with the toolbar's labels in the
reader's language and the editor's files named (loaded only where such a box is); what
arrives is sanitised before anything else sees it. And the forms that carry long formatted
text use it: the minutes (new ones start from the agenda as headings), statements, an item's
details and the official response."""
import json
import re
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from portal.core.forms import PortalForm
from portal.core.richtext import ASSETS, RichTextField
from portal.extensions import db
from portal.feedback.forms import FeedbackForm, ResponseForm
from portal.meetings import services
from portal.meetings.forms import MinutesForm, StatementForm
from portal.meetings.models import Minutes
from tests.meetings import helpers
from tests.meetings.helpers import Cast


class _Form(PortalForm):
    body = RichTextField("Body")


@pytest.fixture()
def in_request(app, db):
    """Services build links with url_for: they want a request (as in tests/meetings)."""
    with app.test_request_context(base_url="http://portal.test"):
        yield


def _attribute(html, name):
    found = re.search(rf'{name}="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


@pytest.mark.parametrize(("language", "bold", "numbered"), [
    ("fa", "پررنگ", "فهرست شماره‌دار"), ("vi", "In đậm", "Danh sách đánh số"),
    ("th", "ตัวหนา", "รายการลำดับเลข")])
def test_the_field_renders_a_textarea_that_asks_for_the_editor(app, language, bold, numbered):
    with app.test_request_context(), force_locale(language):
        html = str(_Form(formdata=None, data={"body": "<p>متن</p>"}).body())
    assert html.startswith("<textarea") and "data-richtext" in html
    assert _attribute(html, "dir") == "auto"
    labels = json.loads(_attribute(html, "data-richtext-labels"))
    assert labels["bold"] == bold and labels["ordered"] == numbered
    assets = json.loads(_attribute(html, "data-richtext-assets"))
    static = Path(app.static_folder)
    assert [url.split("?")[0].removeprefix("/static/") for url in assets] == list(ASSETS)
    assert all((static / name).is_file() for name in ASSETS)
    assert (static / "vendor/quill/LICENSE").is_file()
    assert "&lt;p&gt;متن&lt;/p&gt;" in html  # the text inside, as text


def test_what_arrives_is_sanitised_before_validation(app):
    typed = ('<ol><li data-list="bullet"><span class="ql-ui"></span>یک</li></ol>'
             '<p style="color:red" onclick="x()"><a href="//evil.example">سایت</a></p>'
             "<script>alert(1)</script>")
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"body": typed}))
        form.validate()
    assert form.body.data == "<ul><li>یک</li></ul><p>سایت</p>"


def test_plain_lines_arrive_as_paragraphs(app):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"body": "سطر یک\r\nسطر دو\r\n\r\nبند دوم"}))
    assert form.body.data == "<p>سطر یک<br>سطر دو</p><p>بند دوم</p>"


@pytest.mark.parametrize(("form_class", "name"), [
    (MinutesForm, "body"), (StatementForm, "body"), (FeedbackForm, "body"),
    (ResponseForm, "body")])
def test_long_formatted_texts_use_the_editor(app, form_class, name):
    with app.test_request_context():
        assert isinstance(form_class(formdata=None)[name], RichTextField)


def test_new_minutes_start_from_the_agenda_as_headings_in_the_readers_digits(client, login,
                                                                            in_request):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast), minutes=None)
    services.add_agenda_item(cast.recorder, meeting, title="گشایش <و> گزارش")
    services.add_agenda_item(cast.recorder, meeting, title="شعب ویژه")
    db.session.commit()
    login(cast.recorder)
    page = client.get(f"/meetings/{meeting.id}/minutes", headers={"Accept-Language": "fa"})
    body = unescape(re.search(r"<textarea[^>]*name=\"body\"[^>]*>(.*?)</textarea>", page.text,
                              re.S).group(1)).strip()
    # headings the editor shows as headings, each with a line to write under; no empty <p>
    assert body == ("<h3>۱. گشایش &lt;و&gt; گزارش</h3><p><br></p>"
                    "<h3>۲. شعب ویژه</h3><p><br></p>")
    assert "js/richtext.js" in page.text


def test_minutes_pasted_from_word_are_stored_as_the_editor_shows_them(client, login,
                                                                      in_request):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast), minutes=None)
    login(cast.recorder)
    saved = client.post(f"/meetings/{meeting.id}/minutes", data={"version_id": "", "body": (
        "<h1 class=MsoTitle style='color:red'>Biên bản</h1>"
        "<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><span style='mso-list:Ignore'>"
        "1.</span>Khai mạc<o:p></o:p></p>"
        "<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><span style='mso-list:Ignore'>"
        "2.</span>Thảo luận<o:p></o:p></p>"
        "<p><a href='//evil.example'>xem</a></p>")})
    assert saved.status_code == 302
    stored = db.session.scalar(sa.select(Minutes)).body_html
    assert stored == ("<h3>Biên bản</h3><ol><li>Khai mạc</li><li>Thảo luận</li></ol>"
                      "<p>xem</p>")
    shown = client.get(f"/meetings/{meeting.id}").text
    assert "<ol><li>Khai mạc</li><li>Thảo luận</li></ol>" in shown

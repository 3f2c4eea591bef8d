"""Forms that guide: required fields are marked before anything is sent; a refused form lists
what it refused at the top of the page (role=alert), each entry linking to its field, and keeps
everything that was typed. Checked on the meeting form, in Persian and in Thai."""
import re
from html.parser import HTMLParser

import pytest

from portal.extensions import db
from tests.meetings.helpers import Cast


@pytest.fixture(autouse=True)
def request_context(app, db):
    with app.test_request_context(base_url="http://portal.test"):
        yield


def _manager(cast, locale):
    cast.recorder.preferred_locale = locale
    cast.recorder.calendar = None
    db.session.commit()
    return cast.recorder


def _form(cast, **changes):
    data = {"kind": "consultation_session", "series_id": "", "title": "نشست هم‌اندیشی اول",
            "day": "۱۴۰۴/۰۵/۲۱", "start_time": "۱۰:۰۰", "end_time": "۱۳:۳۰",
            "timezone": "Asia/Tehran", "place": "تهران", "host_organisation_id": cast.bank.id,
            "chair_id": "", "recorder_id": cast.recorder.id}
    data.update(changes)
    return data


class _Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    def __getitem__(self, name):
        return self.attrs[name]

    def get_text(self):
        return "".join(c if isinstance(c, str) else c.get_text() for c in self.children)

    @property
    def contents(self):
        return self.children

    def walk(self):
        for child in self.children:
            if isinstance(child, _Node):
                yield child
                yield from child.walk()

    def find(self, tag=None, id=None, class_=None, attrs=None):  # noqa: A002 - soup's names
        return next(iter(self.find_all(tag, id, class_, attrs)), None)

    def find_all(self, tag=None, id=None, class_=None, attrs=None):  # noqa: A002
        found = []
        for node in self.walk():
            if tag and node.tag != tag:
                continue
            if id and node.get("id") != id:
                continue
            if class_ and class_ not in (node.get("class") or "").split():
                continue
            if attrs and any(node.get(k) != v for k, v in attrs.items()):
                continue
            found.append(node)
        return found


class _Page(HTMLParser):
    """Just enough of a DOM to ask where things are."""
    VOID = {"input", "br", "meta", "link", "img", "hr", "source"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = self.current = _Node("document", {}, None)
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def BeautifulSoup(text, _parser):  # noqa: N802 - reads like the library it stands in for
    return _Page(text).root


def _label(page, field_id):
    return page.find("label", attrs={"for": field_id})


def test_required_fields_are_marked_before_anything_is_sent(client, login):
    cast = Cast()
    login(_manager(cast, "fa"))
    page = BeautifulSoup(client.get("/meetings/new").text, "html.parser")
    title = page.find(id="title")
    assert title.get("aria-required") == "true"
    assert _label(page, "title").find(class_="required-mark") is not None
    assert "الزامی" in _label(page, "title").get_text()
    # an optional field carries no mark
    assert _label(page, "place").find(class_="required-mark") is None
    assert page.find(id="place").get("aria-required") is None
    # nothing was refused yet: no summary
    assert page.find(id="error-summary") is None


def test_a_refused_form_says_what_at_the_top_links_each_field_and_keeps_the_text(client, login):
    cast = Cast()
    login(_manager(cast, "fa"))
    response = client.post("/meetings/new", data=_form(cast, title="", day="۱۴۰۴/۱۲/۳۰"))
    assert response.status_code in (200, 400)
    page = BeautifulSoup(response.text, "html.parser")
    summary = page.find(id="error-summary")
    assert summary is not None and summary.get("role") == "alert"
    # before the form: the first thing after the flashed messages in the main column
    main = page.find("main")
    assert main.find(class_="alert-danger") is summary
    links = {a["href"]: a.get_text() for a in summary.find_all("a")}
    assert set(links) == {"#title", "#day"}
    assert links["#title"] == _label(page, "title").contents[0].strip()
    heading = summary.find(id="error-summary-title").get_text()
    assert "ذخیره نشد" in heading and "۲" in heading and "2" not in heading
    # each field points at its own message, and what was typed is kept
    assert page.find(id="day").get("aria-describedby") == "day-error"
    assert page.find(id="day")["value"] == "۱۴۰۴/۱۲/۳۰"
    assert page.find(id="place")["value"] == "تهران"
    assert page.find(id="title").get("aria-invalid") == "true"


def test_the_summary_speaks_thai(client, login):
    cast = Cast()
    login(_manager(cast, "th"))
    response = client.post("/meetings/new", data=_form(
        cast, title="", day="21/08/2568", start_time="10:00", end_time="13:30",
        timezone="Asia/Bangkok", place="กรุงเทพฯ"))
    page = BeautifulSoup(response.text, "html.parser")
    summary = page.find(id="error-summary")
    assert summary is not None
    text = summary.get_text()
    assert "ยังไม่ได้บันทึก" in text
    assert [a["href"] for a in summary.find_all("a")] == ["#title"]
    assert not re.search(r"[A-Za-z]{4,}", summary.find("li").get_text().split(":", 1)[1])


def test_a_form_that_passes_leaves_no_summary(client, login):
    cast = Cast()
    login(_manager(cast, "fa"))
    response = client.post("/meetings/new", data=_form(cast), follow_redirects=True)
    assert 'id="error-summary"' not in response.text

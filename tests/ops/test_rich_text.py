"""The XSS corpus through every rich-text box the portal has: an item's text (also in
tests/ops/test_attacks.py), the official response the bank publishes, the minutes of a
meeting (saved and autosaved). Each is rendered as HTML (|safe) after the one sanitiser, so
these are the fields where a gap in the sanitiser would run script in someone's browser."""
from html.parser import HTMLParser

import pytest

from tests.feedback import helpers
from tests.test_route_roles import _world

CORPUS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<style>body{background:red}</style>",
    '<form action="https://evil.example"><button>x</button></form>',
    "<p>\u202egnp.exe \u202bمتن\u202c</p>",
]
OVERRIDES = ("\u202a", "\u202b", "\u202d", "\u202e")
BAD_TAGS = {"iframe", "math", "object", "embed", "base", "style", "frame", "frameset"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


class _Harm(HTMLParser):
    """Everything in a page that would run or mislead: inline script, event handlers,
    script URLs, frames, style, forms posting elsewhere, direction overrides."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag in BAD_TAGS or (tag == "script" and not names.get("src")):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and value.startswith(("javascript:", "vbscript:",
                                                            "data:text")):
                self.found.append(f"<{tag} {name}={value[:20]}>")
            if tag == "form" and name == "action" and value.startswith(("http:", "https:", "//")):
                self.found.append("<form> posting elsewhere")
            if any(ch in value for ch in OVERRIDES):
                self.found.append(f"override in <{tag} {name}>")

    def handle_data(self, data):
        if any(ch in data for ch in OVERRIDES):
            self.found.append("override in text")


def _assert_harmless(html, where):
    harm = _Harm()
    harm.feed(html)
    assert not harm.found, (where, harm.found)


@pytest.mark.parametrize("payload", CORPUS)
def test_payloads_in_a_published_response_never_run(client, login, db, app, payload):
    _union, director, manager = helpers.union_with_manager()
    with app.test_request_context():
        item = helpers.submit(director)
    login(manager)
    # the version the manager's page carries, as a browser sends it back
    saved = client.post(f"/feedback/{item.id}/draft", data={
        "body": f"<p>Our answer</p>{payload}", "outcome": "accepted",
        "version_id": str(item.version_id)})
    assert saved.status_code == 302
    _assert_harmless(client.get(f"/feedback/{item.id}").text, "draft, as the manager")
    db.session.refresh(item)
    assert client.post(f"/feedback/{item.id}/publish",
                       data={"version_id": str(item.version_id)}).status_code == 302
    for who in (manager, director):
        login(who)
        _assert_harmless(client.get(f"/feedback/{item.id}").text, who.full_name)


@pytest.mark.parametrize("payload", CORPUS)
def test_payloads_in_the_minutes_never_run(client, login_as, db, payload):
    ids = _world()
    db.session.commit()
    login_as("administrator")
    held = ids["m_held"]
    autosaved = client.post(f"/meetings/{held}/minutes/autosave",
                            data={"body": f"<p>Draft</p>{payload}"})
    assert autosaved.status_code == 200
    _assert_harmless(client.get(f"/meetings/{held}/minutes").text, "autosaved draft")
    from portal.meetings.models import Meeting

    minutes = db.session.get(Meeting, held).minutes   # the version the editor page carries
    saved = client.post(f"/meetings/{held}/minutes", data={
        "body": f"<p>Minutes</p>{payload}",
        "version_id": str(minutes.version_id) if minutes else ""})
    assert saved.status_code == 302
    for path in (f"/meetings/{held}", f"/meetings/{held}/minutes",
                 f"/meetings/{held}/minutes/revisions"):
        _assert_harmless(client.get(path).text, path)

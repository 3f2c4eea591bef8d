"""The findings of the attack pass of issue 20, each replayed as the attacker sent it.

Session stamps (tests/core/test_sessions.py) and crafted workbooks
(tests/core/test_tabular_limits.py) have their own files; the rest is here: optimistic locking
that an empty version skipped, server errors from odd input, a code that injected a header,
a forged Host kept in a page, unlimited attachments, the API's and costly reads' rate limits,
the order of checks when publishing, and gunicorn's trust of X-Forwarded-Proto.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.accounts.models import Organisation, OrgKind
from portal.feedback.models import Attachment, FeedbackItem
from tests import factories
from tests.feedback import helpers
from tests.turnover.helpers import API, bearer, issue_token

PERSIAN = {"Accept-Language": "fa-IR,fa;q=0.9"}
BEYOND_INT4 = "2147483648"          # PostgreSQL's INTEGER ends at 2,147,483,647
BEYOND_INT8 = "99999999999999999999"
ROOT = Path(__file__).resolve().parents[2]


def _org_form(org, **changes):
    data = {"version_id": org.version_id, "code": org.code, "name": org.name,
            "name_en": org.name_en or "", "kind": org.kind.value, "parent_id": "",
            "country": org.country, "currency": org.currency, "province": "",
            "district": "", "commune": ""}
    data.update(changes)
    return data


# --- optimistic locking ----------------------------------------------------------------------

@pytest.mark.parametrize("version", ["", "   ", None, "abc", "1e3", "-1", BEYOND_INT8, "۱"])
def test_an_organisation_edit_without_a_readable_version_never_saves_over_a_change(
        client, login_as, db, version):
    login_as("administrator")
    org = factories.make_org(OrgKind.NATIONAL_UNION, name="اتحادیه سراسری تعاونی‌ها")
    db.session.commit()
    seen = _org_form(org)
    assert client.post(f"/organisations/{org.id}/edit",
                       data=_org_form(org, name="نام تازه همکار")).status_code == 302
    stale = seen | {"name": "نام من"}
    if version is None:
        del stale["version_id"]  # left out altogether
    else:
        stale["version_id"] = version
    response = client.post(f"/organisations/{org.id}/edit", data=stale, headers=PERSIAN)
    assert response.status_code == 409
    assert "نام من" in response.text  # what they typed is kept in the form
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name == "نام تازه همکار"


@pytest.mark.parametrize("version", ["", None, "abc"])
def test_a_feedback_draft_without_a_readable_version_keeps_the_other_answer(
        app, client, login, db, version):
    _union, director, manager = helpers.union_with_manager()
    admin = factories.make_user("administrator")
    with app.test_request_context():
        item = helpers.submit(director)
    login(admin)
    assert client.post(f"/feedback/{item.id}/draft", data={
        "version_id": item.version_id, "body": "پاسخ مدیر سامانه",
        "outcome": "accepted"}).status_code == 302
    login(manager)
    data = {"body": "پاسخ کارشناس", "outcome": "planned"}
    if version is not None:
        data["version_id"] = version
    response = client.post(f"/feedback/{item.id}/draft", data=data)
    assert response.status_code == 409
    kept = db.session.get(FeedbackItem, item.id).draft_response.body_html
    assert "مدیر سامانه" in kept and "کارشناس" not in kept


def test_publishing_asks_who_may_publish_before_which_version(app, client, login, db):
    _union, director, manager = helpers.union_with_manager()
    with app.test_request_context():
        item = helpers.submit(director)
    login(director)  # may read the item, may not answer it
    response = client.post(f"/feedback/{item.id}/publish", data={"version_id": "0"})
    assert response.status_code == 403  # not 409: a stale version tells an outsider nothing
    assert db.session.get(FeedbackItem, item.id).answered_at is None


# --- odd input: a translated 400 or 404, never a server error --------------------------------

@pytest.mark.parametrize("path", ["/feedback/?q=%00", "/organisations/?q=KB%00",
                                  "/meetings/?q=a%00b", "/feedback/?topic=%00"])
def test_nul_in_a_query_is_refused_in_the_readers_language(client, login_as, path):
    login_as("relationship_manager")
    response = client.get(path, headers=PERSIAN)
    assert response.status_code == 400
    assert 'lang="fa"' in response.text and "cannot be part of any text" not in response.text


def test_nul_in_the_sign_in_form_is_refused_not_a_server_error(client, make_user):
    user = make_user("union_director")
    response = client.post("/login", data={"email": user.email + "\x00",
                                           "password": factories.PASSWORD})
    assert response.status_code == 400
    assert client.get("/organisations/").status_code == 302  # not signed in


def test_nul_in_the_apis_country_is_a_json_400(client, db):
    _token, text = issue_token(scopes=("turnover:read",))
    response = client.get(f"{API}/turnover?period=2025-08&country=I%00R", headers=bearer(text))
    assert response.status_code == 400
    assert response.is_json and response.json["message"]


@pytest.mark.parametrize("number", [BEYOND_INT4, BEYOND_INT8, "9" * 40])
@pytest.mark.parametrize("path", ["/feedback/{n}", "/organisations/{n}", "/meetings/{n}",
                                  "/feedback/{n}/attachments/{n}"])
def test_ids_beyond_the_databases_integers_are_not_found(client, login_as, path, number):
    login_as("administrator")
    response = client.get(path.format(n=number), headers=PERSIAN)
    assert response.status_code == 404
    assert 'lang="fa"' in response.text


@pytest.mark.parametrize("query", [f"page={BEYOND_INT8}", f"page={BEYOND_INT4}",
                                   f"page=-{BEYOND_INT8}", f"owner={BEYOND_INT8}",
                                   f"owner={BEYOND_INT4}"])
def test_page_numbers_and_filters_beyond_any_id_show_the_list(app, client, login_as, db,
                                                             query):
    _union, director, manager = helpers.union_with_manager()
    with app.test_request_context():
        helpers.submit(director, title="کندی افتتاح حساب")
    login_as("administrator")
    response = client.get(f"/feedback/?{query}")
    assert response.status_code == 200


def test_a_duplicate_number_beyond_any_id_is_refused_as_input(app, client, login, db):
    _union, director, manager = helpers.union_with_manager()
    with app.test_request_context():
        item = helpers.submit(director)
    login(manager)
    response = client.post(f"/feedback/{item.id}/draft", data={
        "version_id": item.version_id, "body": "تکراری است", "outcome": "duplicate",
        "duplicate_of": BEYOND_INT8})
    assert response.status_code == 400


def test_api_paging_beyond_any_offset_is_answered(client, db):
    _token, text = issue_token(scopes=("turnover:read",))
    response = client.get(f"{API}/turnover?period=2025-08&offset={BEYOND_INT8}",
                          headers=bearer(text))
    assert response.status_code == 200 and response.json["rows"] == []


# --- header injection through an imported code ----------------------------------------------

INJECTED = "Q2\"; filename*=UTF-8''evil.html"


def test_an_imported_code_must_follow_the_forms_pattern(client, login_as, db):
    login_as("administrator")
    rows = ("code,name,kind,country,currency\n"
            f"\"{INJECTED.replace(chr(34), chr(34) * 2)}\",Evil union,national_union,IR,IRR\n"
            "IR-OK,اتحادیه درست,national_union,IR,IRR\n")
    body, content_type = factories.multipart({}, {"file": ("orgs.csv", rows.encode())})
    response = client.post("/organisations/import", data=body, content_type=content_type)
    assert response.status_code == 400
    assert "is not a valid code" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation).where(
        Organisation.code.in_([INJECTED, "IR-OK"]))) == 0  # the whole file or nothing


def test_a_code_with_quotes_already_stored_cannot_add_a_filename_to_an_export(
        client, login, make_user, db):
    from tests.indicators.builders import actual, office

    org = office("Hà Nội", code=INJECTED)
    actual(org, "outstanding_loans", 300)
    db.session.commit()
    login(make_user("relationship_manager", org))
    response = client.get(f"/indicators/{org.id}/export/scorecard.csv?period=2023-08")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert header.count("filename=") == 1 and header.count("filename*=") == 1
    assert 'filename="indicators-scorecard-Q2_ filename_UTF-8_evil.html-2023-08.csv"' in header
    assert header.endswith("-2023-08.csv")  # the name the browser keeps ends as ours does


# --- a forged Host header ---------------------------------------------------------------------

def test_a_page_drawn_for_a_forged_host_is_never_sent_for_the_real_one(app, db):
    from tests.meetings.helpers import Cast, plan

    with app.test_request_context():
        cast = Cast()
        meeting = plan(cast)
    reader = app.test_client()
    with reader.session_transaction() as session:
        from portal.core.sessions import stamp

        session["_user_id"] = cast.recorder.get_id()
        session["_fresh"] = True
        stamp(session)
    url = f"/meetings/{meeting.id}"
    assert reader.get(url).status_code == 200  # creates the session's CSRF secret
    # the same session (its cookie, as a proxy or a script would pass it) under a forged host
    cookie = reader.get_cookie("session").value
    forged = app.test_client(use_cookies=False).get(
        url, headers={"Host": "evil.example", "Cookie": f"session={cookie}"})
    assert "http://evil.example/meetings/feed/" in forged.text
    real = reader.get(url)
    assert real.status_code == 200
    assert "evil.example" not in real.text
    assert "http://localhost/meetings/feed/" in real.text


# --- attachments per item --------------------------------------------------------------------

def _files(n):
    boundary = "attack-boundary"
    fields = {"organisation_id": None, "title": "فایل‌های بسیار", "concerns": "branch",
              "body": "صورت‌جلسه‌ها پیوست است.", "topic": "speed", "visibility": "public"}
    return boundary, fields, [(f"minutes-{k}.pdf", b"%PDF-1.7 minutes") for k in range(n)]


def _post_files(client, union, n):
    boundary, fields, files = _files(n)
    fields["organisation_id"] = union.id
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
              f'filename="{name}"\r\n\r\n'.encode() + data + b"\r\n" for name, data in files]
    parts.append(f"--{boundary}--\r\n".encode())
    return client.post("/feedback/new/critique", data=b"".join(parts), headers=PERSIAN,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_more_files_than_an_item_may_hold_are_refused_and_none_is_kept(app, client, login, db):
    union, director, _manager = helpers.union_with_manager()
    login(director)
    folder = Path(app.config["UPLOAD_DIR"]) / "feedback"  # shared by the run's tests
    before = set(folder.iterdir()) if folder.exists() else set()
    response = _post_files(client, union, app.config["ATTACHMENTS_PER_ITEM"] + 1)
    assert response.status_code == 400
    assert "Attach at most" not in response.text  # said in Persian
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackItem)) == 0
    assert (set(folder.iterdir()) if folder.exists() else set()) == before  # none left on disk


def test_as_many_files_as_an_item_may_hold_are_kept(app, client, login, db):
    union, director, _manager = helpers.union_with_manager()
    login(director)
    assert _post_files(client, union, app.config["ATTACHMENTS_PER_ITEM"]).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == \
        app.config["ATTACHMENTS_PER_ITEM"]


# --- rate limits: the API per token, costly reads per person ---------------------------------

def test_the_api_is_limited_per_token(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API_TOKEN", "3 per minute")
    _token, busy = issue_token(scopes=("turnover:read",), name="runaway script")
    _other, calm = issue_token(scopes=("turnover:read",), name="core banking",
                               admin=factories.make_user("administrator"))
    url = f"{API}/turnover?period=2025-08"
    statuses = [client.get(url, headers=bearer(busy)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(url, headers=bearer(busy))
    assert refused.is_json and "Retry-After" in refused.headers
    assert client.get(url, headers=bearer(calm)).status_code == 200  # another system is served


def test_exports_and_searches_are_limited_per_person_but_pages_are_not(
        app, client, login_as, db, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_READS", "3 per minute")
    login_as("administrator")
    exports = [client.get("/organisations/export.csv").status_code for _ in range(4)]
    assert exports == [200, 200, 200, 429]
    assert client.get("/organisations/?q=KB").status_code == 429  # searches count too
    assert [client.get("/organisations/").status_code for _ in range(5)] == [200] * 5


def test_the_lookup_has_a_limit_of_its_own_and_spends_no_export(
        app, client, login_as, db, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOOKUP", "4 per minute")
    monkeypatch.setitem(app.config, "RATELIMIT_READS", "2 per minute")
    login_as("administrator")
    typed = [client.get("/organisations/lookup?q=" + q).status_code
             for q in ("Ki", "Kim", "Kim B", "Kim Bả", "Kim Bản")]
    assert typed == [200, 200, 200, 200, 429]
    # the keystrokes spent nothing of the costly reads' budget
    assert [client.get("/organisations/export.csv").status_code for _ in range(2)] == [200, 200]


def test_a_calendar_feed_is_limited_per_feed_address(app, client, db, monkeypatch):
    from portal.meetings.feeds import feed_token

    monkeypatch.setitem(app.config, "RATELIMIT_FEED", "2 per hour")
    polled = factories.make_user("union_director")
    other = factories.make_user("union_director")
    url = f"/meetings/feed/{feed_token(polled)}.ics"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    # another person's feed, from the same address, is served
    assert client.get(f"/meetings/feed/{feed_token(other)}.ics").status_code == 200


# --- gunicorn trusts no X-Forwarded-Proto; the application decides ---------------------------

def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port, headers):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers=headers)
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback only
        return answer.headers


def test_gunicorn_started_as_deployed_does_not_take_a_local_clients_word_for_https(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "FORWARDED_ALLOW_IPS"}
    env |= {"PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/portal.sqlite",
            "PORTAL_SECRET_KEY": "test-only-secret",
            "PORTAL_PROXY_COUNT": "0"}
    server = subprocess.Popen(  # as scripts/serve.sh and deploy/portal-web.service start it
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "portal:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                headers = _get(port, {"X-Forwarded-Proto": "https"})
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        assert "Strict-Transport-Security" not in headers
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "--forwarded-allow-ips" not in (ROOT / "deploy/portal-web.service").read_text()
    assert "--forwarded-allow-ips" not in (ROOT / "scripts/serve.sh").read_text()

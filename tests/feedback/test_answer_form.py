"""The answer form (issue 17, part 4): the outcome is chosen by the person answering, never by
the form; "duplicate of" names an item by its title, found among those the answer's readers
may open, or typed as a number in any digits; products and packages are chosen by name."""
import html
import json
import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale, gettext, pgettext

from portal.feedback.models import FeedbackItem, Response
from portal.products.models import ProductStatus
from tests import factories
from tests.feedback import helpers
from tests.products.helpers import NAMES, make_package, make_product

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
ANSWER = "<p>پاسخ بانک: شعبه ویژه تهران از ماه آینده حساب تعاونی‌ها را در سه روز باز می‌کند.</p>"


class _Options(HTMLParser):
    """The options of one <select> (by id): [(value, selected, text)]."""

    def __init__(self, select_id):
        super().__init__()
        self.select_id, self.inside, self.options = select_id, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.inside = attrs.get("id") == self.select_id
        elif tag == "option" and self.inside:
            self.options.append([attrs.get("value"), "selected" in attrs, ""])

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.options:
            self.options[-1][2] += data.strip()


def options_of(page, select_id):
    parser = _Options(select_id)
    parser.feed(page)
    return [tuple(option) for option in parser.options]


def in_language(app, locale, message, context=None):
    with app.test_request_context(), force_locale(locale):
        text = pgettext(context, message) if context else gettext(message)
    assert text != message, f"{message!r} is not translated into {locale}"
    return text


def input_value(page, field_id):
    match = re.search(rf'<input [^>]*id="{field_id}"[^>]*>', page)
    assert match, field_id
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


@pytest.fixture()
def answering(app, db):
    """A union's critique, owned by a manager who reads Persian."""
    factories.bank("IR")
    _union, director, manager = helpers.union_with_manager()
    manager.preferred_locale = "fa"
    db.session.commit()
    with app.test_request_context():
        item = helpers.submit(director)
    return item, director, manager


# --- the outcome ---------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["fa", "th"])
def test_no_outcome_is_chosen_before_the_person_chooses_one(app, client, login, db, answering,
                                                             locale):
    item, _director, manager = answering
    manager.preferred_locale = locale
    db.session.commit()
    login(manager)
    page = client.get(f"/feedback/{item.id}").text
    options = options_of(page, "outcome")
    assert options[0] == ("", True, in_language(app, locale, "Choose…"))
    assert not [o for o in options[1:] if o[1]], "an outcome is chosen for the person"
    accepted = in_language(app, locale, "Accepted", "feedback outcome")
    assert accepted in [o[2] for o in options]
    assert re.search(r'<select [^>]*id="outcome"[^>]*required', page)


def test_an_answer_without_an_outcome_is_refused_and_keeps_its_text(app, client, login, db,
                                                                    answering):
    item, _director, manager = answering
    login(manager)
    refused = client.post(f"/feedback/{item.id}/draft", data={
        "body": ANSWER, "outcome": "", "duplicate_of": "", "version_id": item.version_id})
    assert refused.status_code == 400
    assert in_language(app, "fa", "Choose the outcome of the answer.") in refused.text
    assert "شعبه ویژه تهران از ماه آینده" in html.unescape(refused.text)  # the text is kept
    assert options_of(refused.text, "outcome")[0][1]  # still nothing chosen for them
    # ... and the internal note's box (also called "body") is not filled with the answer
    assert re.search(r'<textarea [^>]*id="note-body"[^>]*>\s*</textarea>', refused.text)
    assert db.session.query(Response).count() == 0


def test_a_chosen_outcome_is_saved_and_shown_back(app, client, login, db, answering):
    item, _director, manager = answering
    login(manager)
    saved = client.post(f"/feedback/{item.id}/draft", data={
        "body": ANSWER, "outcome": "planned", "version_id": item.version_id})
    assert saved.status_code == 302
    options = options_of(client.get(f"/feedback/{item.id}").text, "outcome")
    assert [o[0] for o in options if o[1]] == ["planned"]


# --- duplicate of --------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    lambda n: "#" + str(n).translate(PERSIAN),      # "#۱۲" on a Persian keyboard
    lambda n: str(n).translate(THAI),               # "๑๒" on a Thai one
    lambda n: f"# {n}",
])
def test_duplicate_of_is_typed_as_a_number_in_any_digits(app, client, login, db, answering,
                                                         typed):
    item, director, manager = answering
    with app.test_request_context():
        earlier = helpers.submit(director, title="تأخیر در افتتاح حساب تعاونی‌ها در شعب")
    login(manager)
    saved = client.post(f"/feedback/{item.id}/draft", data={
        "body": ANSWER, "outcome": "duplicate", "duplicate_of": typed(earlier.id),
        "version_id": item.version_id})
    assert saved.status_code == 302, saved.text[:500]
    assert db.session.get(FeedbackItem, item.id).duplicate_of_id == earlier.id
    # shown back by its number, in Persian digits, and its title
    page = client.get(f"/feedback/{item.id}").text
    value = input_value(page, "duplicate_of")
    assert value == f"#{str(earlier.id).translate(PERSIAN)} · {earlier.title}"


def test_the_submitter_reads_which_item_theirs_duplicates(app, client, login, db, answering):
    item, director, manager = answering
    with app.test_request_context():
        earlier = helpers.submit(director, title="تأخیر در افتتاح حساب تعاونی‌ها در شعب")
        from portal.feedback import services

        services.save_draft(manager, item, body_html=ANSWER, outcome="duplicate",
                            duplicate_of=earlier)
        services.publish(manager, item)
        db.session.commit()
    login(director)
    answer = client.get(f"/feedback/{item.id}").text
    assert f'href="/feedback/{earlier.id}"' in answer
    assert earlier.title in answer


def test_duplicate_of_refuses_the_item_itself_and_what_its_readers_cannot_open(
        app, client, login, db, answering):
    item, director, manager = answering
    other_union = factories.make_org(name="اتحادیه سراسری تعاونی‌های مسکن")
    other_director = factories.make_user("union_director", other_union)
    with app.test_request_context():
        secret = helpers.submit(other_director, visibility="confidential",
                                title="پرونده محرمانه تعاونی مسکن")
    login(manager)

    def refusal(typed):
        response = client.post(f"/feedback/{item.id}/draft", data={
            "body": ANSWER, "outcome": "duplicate", "duplicate_of": typed,
            "version_id": item.version_id})
        assert response.status_code == 400
        assert input_value(response.text, "duplicate_of") == typed  # what was typed stays
        return response.text

    assert in_language(app, "fa", "An item cannot duplicate itself. Name the other item.") \
        in refusal(f"#{item.id}")
    unseen = in_language(app, "fa", "No item you may name here has this number. Choose one "
                                    "of the suggestions.")
    assert unseen in refusal(str(secret.id))
    assert unseen in refusal("999999")
    assert in_language(app, "fa", "Write the item's number, such as #12, or choose one of "
                                  "the suggestions.") in refusal("کندی")
    assert db.session.get(FeedbackItem, item.id).duplicate_of_id is None
    assert "پرونده محرمانه" not in refusal(str(secret.id))


# --- the picker's suggestions --------------------------------------------------------------

def _suggestions(client, item, q):
    response = client.get(f"/feedback/{item.id}/duplicates", query_string={"q": q})
    assert response.status_code == 200
    return json.loads(response.text)["results"]


def test_suggestions_are_the_items_the_answer_may_name(app, client, login, db, answering):
    item, director, manager = answering
    factories.bank("VN")
    own_secret_union = director.organisations[0]
    other_union = factories.make_org(name="اتحادیه سراسری تعاونی‌های حمل و نقل")
    other_director = factories.make_user("union_director", other_union)
    vietnamese = factories.make_org("mass_organisation", name="Hội Nông dân huyện Kim Bảng")
    vietnamese_director = factories.make_user("union_director", vietnamese)
    with app.test_request_context():
        public = helpers.submit(other_director, title="کندی افتتاح حساب در شعب استان‌ها")
        secret = helpers.submit(other_director, visibility="confidential",
                                title="کندی افتتاح حساب؛ پرونده محرمانه")
        abroad = helpers.submit(vietnamese_director, title="کندی افتتاح حساب در کیم بانگ")
        own_secret = helpers.submit(director, own_secret_union, visibility="confidential",
                                    title="کندی افتتاح حساب؛ یادداشت محرمانه اتحادیه")
    login(manager)
    found = {r["id"]: r for r in _suggestions(client, item, "افتتاح حساب")}
    # a public item points only to what the whole network may open; never itself, never
    # another bank's network
    assert set(found) == {public.id}
    assert found[public.id]["title"] == public.title
    assert found[public.id]["label"] == \
        f"#{str(public.id).translate(PERSIAN)} · {public.title}"
    # by its number, typed in Persian digits
    assert [r["id"] for r in _suggestions(client, item, str(public.id).translate(PERSIAN))] \
        == [public.id]
    assert _suggestions(client, item, str(item.id)) == []
    assert _suggestions(client, item, str(abroad.id)) == []
    # a confidential item may also point to its own organisation's confidential items
    with app.test_request_context():
        confidential = helpers.submit(director, visibility="confidential",
                                      title="کندی افتتاح حساب برای اعضا")
    found = {r["id"] for r in _suggestions(client, confidential, "افتتاح حساب")}
    assert found == {public.id, item.id, own_secret.id}
    assert secret.id not in found


def test_only_who_answers_the_item_gets_suggestions(app, client, login, db, answering):
    item, director, _manager = answering
    login(director)
    assert client.get(f"/feedback/{item.id}/duplicates?q=12").status_code == 403
    login(factories.make_user("ministry_official"))
    assert client.get(f"/feedback/{item.id}/duplicates?q=12").status_code == 403


def test_without_javascript_the_box_names_its_suggestions_source(app, client, login, db,
                                                                answering):
    item, _director, manager = answering
    login(manager)
    page = client.get(f"/feedback/{item.id}").text
    box = re.search(r'<input [^>]*id="duplicate_of"[^>]*>', page).group(0)
    assert f'data-item-lookup="/feedback/{item.id}/duplicates"' in box
    assert 'list="duplicate_of-options"' in box
    assert "js/item-picker.js" in page


# --- products and packages by name ---------------------------------------------------------

@pytest.mark.parametrize("locale", ["fa", "th"])
def test_the_offer_chooser_names_products_and_packages_in_the_readers_language(
        app, client, login, db, locale):
    factories.bank("IR")
    _union, director, manager = helpers.union_with_manager()
    manager.preferred_locale = locale
    make_product(code="WC-LOAN-17", languages=("en", "fa", "th"))
    make_product(code="EN-ONLY-17", status=ProductStatus.IN_DESIGN, languages=("en",))
    make_package(code="PKG-UNIONS-17")
    db.session.commit()
    with app.test_request_context():
        request_item = helpers.submit(director, kind="product_request")
    login(manager)
    page = client.get(f"/feedback/{request_item.id}").text
    labels = [o[2] for o in options_of(page, "offer")]
    assert NAMES[locale] in labels
    # no name in the reader's language: the English one, as the catalogue falls back
    with app.test_request_context(), force_locale(locale):
        in_design = gettext("%(name)s (%(status)s)", name=NAMES["en"],
                            status=gettext("In design"))
    assert in_design in labels
    assert "Package for national unions" in labels
    assert not [label for label in labels if "-17" in label], "a code is shown"

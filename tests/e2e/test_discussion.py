"""Issue 17 (7b): the discussion under an item, and similar items while a title is typed.

The director of the carpet-weavers' union reads the demo discussion under her critique in
Persian, writes in it, and, starting a new critique, is shown her earlier one while she types
its title with Arabic letters; then the same pages in Thai.
"""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.pages import PageChecks, sign_in, switch_language, translated

pytestmark = pytest.mark.e2e

DIRECTOR = "director@carpet-union.example"
ITEM_TITLE = "کندی ارائه خدمات به تعاونی‌ها در شعب"
MESSAGE = ("امروز هم در شعبه ساری پرونده تعاونی ما را نپذیرفتند؛ "
           "لطفاً این شعبه را هم در فهرست آموزش بگذارید.")
# the same words with Arabic yeh and kaf, as a keyboard without the Persian layout types them
TYPED_TITLE = "كندي ارائه خدمات به تعاوني"


def _item_id(app):
    from portal.extensions import db
    from portal.feedback.models import FeedbackItem

    with app.app_context():
        return db.session.scalar(sa.select(FeedbackItem.id).where(
            FeedbackItem.title == ITEM_TITLE))


def test_a_director_writes_in_the_discussion_and_is_shown_similar_items(
        page, live_server, demo_accounts, screenshots):
    app = live_server.app
    check = PageChecks(page, app, screenshots, "discussion")
    item_id = _item_id(app)
    sign_in(page, DIRECTOR, demo_accounts.password)
    expect(page.locator("html")).to_have_attribute("lang", "fa")

    # --- the discussion under her critique, apart from the official response ---------------
    page.goto(f"/feedback/{item_id}")
    discussion = page.locator("#discussion")
    expect(discussion.locator("h2")).to_contain_text(translated(app, "fa", "Discussion"))
    # the demo's messages: hers, an endorsing union's and the bank's
    expect(discussion.locator("li.card")).to_have_count(3)
    expect(discussion).to_contain_text("آموزش کارکنان شعب استانی")
    check("the item with its discussion")

    # the formatting editor over the text box (the last one: the message form's, not a
    # correction's, which stays folded away)
    form = discussion.locator("form[action$='/discussion']")
    editor = form.locator(".ql-editor")
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.type(MESSAGE)
    page.keyboard.press("Enter")
    page.keyboard.press("Control+b")
    page.keyboard.type("شعبه ساری")
    page.keyboard.press("Control+b")
    form.locator("button[type=submit]", has_text=translated(
        app, "fa", "Post the message")).click()
    page.wait_for_url(f"**/feedback/{item_id}#comment-*")
    expect(page.locator("main .alert-success")).to_contain_text(translated(
        app, "fa", "Your message is posted. Those taking part are told."))
    posted = discussion.locator("li.card").last
    expect(posted).to_contain_text(MESSAGE)
    expect(posted.locator(".rich-text strong, .rich-text b")).to_have_text("شعبه ساری")
    expect(posted.locator(".rich-text")).to_have_attribute("dir", "auto")
    expect(posted.locator("button", has_text=translated(app, "fa", "Remove my message"))) \
        .to_be_visible()
    # a correction, in the first minutes
    posted.locator("summary", has_text=translated(app, "fa", "Correct my message")).click()
    correction = posted.locator(".ql-editor")
    expect(correction).to_contain_text(MESSAGE)
    check("the discussion after her message, correcting it")
    correction.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" از هفته گذشته")
    posted.locator("button[type=submit]", has_text=translated(
        app, "fa", "Save the correction")).click()
    # back to the corrected message, the whole thread open (it may be an older one)
    page.wait_for_url(f"**/feedback/{item_id}?discussion=all#comment-*")
    posted = page.locator("#discussion li.card").last
    expect(posted).to_contain_text("از هفته گذشته")
    expect(posted).to_contain_text(translated(app, "fa", "Corrected %(when)s", when="")
                                   .strip())

    # --- a new critique: her earlier one is suggested while she types ----------------------
    page.goto("/feedback/new/critique")
    box = page.locator("#similar-items")
    expect(box).to_have_attribute("aria-live", "polite")
    page.locator("#title").press_sequentially(TYPED_TITLE, delay=20)
    suggestion = box.locator(f"a[href='/feedback/{item_id}']")
    expect(suggestion).to_have_text(ITEM_TITLE)
    expect(box).to_contain_text(translated(
        app, "fa", "Already raised: endorse one of these if it says what you mean."))
    check("the critique form with a similar item")

    # --- the same in Thai ------------------------------------------------------------------
    switch_language(page, "th")
    page.locator("#title").fill(TYPED_TITLE)
    expect(box.locator(f"a[href='/feedback/{item_id}']")).to_have_text(ITEM_TITLE)
    expect(box).to_contain_text(translated(
        app, "th", "Already raised: endorse one of these if it says what you mean."))
    check("the critique form with a similar item")
    page.goto(f"/feedback/{item_id}")
    expect(page.locator("#discussion h2")).to_contain_text(translated(app, "th", "Discussion"))
    expect(page.locator("#discussion")).to_contain_text(MESSAGE)
    check("the item with its discussion")


def test_the_owner_hides_a_message_and_the_union_no_longer_reads_it(
        page, live_server, demo_accounts, screenshots):
    app = live_server.app
    check = PageChecks(page, app, screenshots, "discussion-moderation")
    item_id = _item_id(app)
    endorsers_words = "در شعب خراسان رضوی هم پرونده تسهیلات"
    reason = "نام شعبه در این گفتگو لازم نیست"

    sign_in(page, "rm.tehran@cdb.example", demo_accounts.password)
    page.goto(f"/feedback/{item_id}")
    message = page.locator("#discussion li.card", has_text=endorsers_words)
    message.locator("summary", has_text=translated(app, "fa", "Hide this message")).click()
    message.locator("input[name=reason]").fill(reason)
    check("the hide form open under a message")
    message.locator("button[type=submit]", has_text=translated(app, "fa", "Hide")).click()
    page.wait_for_url(f"**/feedback/{item_id}?discussion=all#comment-*")
    hidden = page.locator("#discussion li.card", has_text=endorsers_words)
    expect(hidden.locator(".badge")).to_have_text(translated(app, "fa", "Hidden"))
    expect(hidden).to_contain_text(reason)  # the bank still reads it, and why it was hidden
    check("the hidden message as the bank sees it")

    page.context.clear_cookies()
    sign_in(page, DIRECTOR, demo_accounts.password)
    page.goto(f"/feedback/{item_id}")
    expect(page.locator("#discussion")).not_to_contain_text(endorsers_words)
    expect(page.locator("#discussion")).to_contain_text(
        translated(app, "fa", "The bank hid this message."))
    check("the hidden message as the union sees it")

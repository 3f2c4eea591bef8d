"""Every e-mail the portal sends, in Persian, Vietnamese and Thai, arrives exactly as written.

Each kind of notification (and the invitation and address-change mails queued directly) is
triggered through the real services for recipients of one language, delivered by the real
outbox to an SMTP server on loopback, and read back with the standard decoders: the subject,
the sender's name and the body must be the text written, and the HTML part must say its
language and direction. Long subjects fold over several lines; before this was fixed, the
fold swallowed a space in about a third of them ("trùngngày").
"""
import re
from collections import Counter
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.accounts import services as account_services
from portal.accounts import signin
from portal.accounts.models import OrgKind
from portal.core import outbox
from portal.core.models import utcnow
from portal.core.notify import Notification
from portal.core.outbox import OutboxMessage
from portal.feedback import conversation
from portal.feedback import services as feedback_services
from portal.meetings import services as meeting_services
from portal.products import services as product_services
from portal.products.models import ProductStatus
from portal.results import services as result_services
from tests import factories
from tests.conftest import SmtpSink
from tests.feedback import helpers as feedback_helpers
from tests.meetings import helpers as meeting_helpers
from tests.products.helpers import make_product

# what people of each language type: long enough that every subject folds, with short words
# (where the old folding broke a line, at a space between two encoded words)
TYPED = {
    "fa": {
        "union": "اتحادیه سراسری تعاونی‌های فرش دستباف روستایی و صنایع دستی استان‌ها",
        "critique": "کندی افتتاح حساب برای تعاونی‌ها در شعبه ویژه تعاون تهران و نبود بسته "
                    "خدماتی ویژه اعضا",
        "request": "تسهیلات سرمایه در گردش برای خرید مواد اولیه فرش دستباف با بازپرداخت فصلی",
        "meeting": "نشست هم‌اندیشی بانک توسعه تعاون با اتحادیه‌های سراسری درباره نقدها و "
                   "پیشنهادها",
        "commitment": "بانک شعب ویژه تعاون را در تهران و استان‌ها راه می‌اندازد و کارکنان را "
                      "آموزش می‌دهد",
        "reason": "پاسخ به مشکل اصلی اعضا یعنی زمان افتتاح حساب نپرداخته است.",
    },
    "vi": {
        "union": "Hội Liên hiệp Phụ nữ huyện Kim Bảng và các Tổ TK&VV xã Ba Sao",
        "critique": "Thủ tục giải ngân chậm, cán bộ tín dụng chưa tiếp nhận kiến nghị của tổ "
                    "viên trùng ngày sinh hoạt tổ",
        "request": "Sản phẩm cho vay vốn lưu động cho hợp tác xã dệt thảm với kỳ trả nợ theo "
                   "mùa vụ",
        "meeting": "Sinh hoạt tổ định kỳ Tổ TK&VV số 1 xã Ba Sao trùng ngày với phiên giao dịch "
                   "tại Điểm giao dịch xã",
        "commitment": "Ngân hàng Chính sách xã hội huyện Kim Bảng tiếp nhận và trả lời kiến nghị "
                      "của tổ viên trong tháng",
        "reason": "Câu trả lời chưa giải quyết việc giải ngân chậm tại điểm giao dịch xã.",
    },
    "th": {
        "union": "สหภาพสหกรณ์ทอพรมมือแห่งชาติ และกลุ่มออมทรัพย์และสินเชื่อ ตำบลบ่าเซา",
        "critique": "การเบิกจ่ายเงินกู้ล่าช้า และเจ้าหน้าที่สินเชื่อยังไม่ได้รับข้อเสนอแนะของสมาชิก"
                    "กลุ่ม ในวันประชุม",
        "request": "สินเชื่อเงินทุนหมุนเวียนสำหรับสหกรณ์ทอพรม ชำระคืนตามฤดูกาลเพาะปลูก",
        "meeting": "การประชุมกลุ่มออมทรัพย์และสินเชื่อประจำเดือน ตำบลบ่าเซา ตรงกับวันทำธุรกรรม "
                   "ณ จุดบริการตำบล",
        "commitment": "ธนาคารเพื่อนโยบายสังคมอำเภอกิมบั่ง รับเรื่องและตอบข้อเสนอแนะของสมาชิก "
                      "ภายในเดือนนี้",
        "reason": "คำตอบยังไม่ได้แก้ปัญหาการเบิกจ่ายล่าช้า ณ จุดบริการตำบล",
    },
}
KINDS = {
    "feedback_assigned", "feedback_acknowledged", "feedback_answered", "feedback_reopened",
    "feedback_escalated", "feedback_comment", "product_available", "meeting_invitation",
    "meeting_moved", "meeting_cancelled", "meeting_commitment", "meeting_commitment_overdue",
    "meeting_review", "meeting_signed_off", "meeting_sent_back", "password_changed",
    "result.created", "result.milestone", "result.done", "result.dropped", "result.overdue",
}
# the modules that send notifications (feedback keeps escalation, product requests and the
# discussion apart, meetings their commitments, states and notices)
SERVICES = ("accounts/services.py", "feedback/services.py", "feedback/escalation.py",
            "feedback/offers.py", "feedback/conversation.py", "meetings/services.py",
            "meetings/commitments.py", "meetings/states.py", "meetings/notices.py",
            "products/services.py", "results/services.py")


class RawSmtpSink(SmtpSink):
    """The loopback SMTP server, keeping each message as the bytes that arrived."""

    def __init__(self):
        super().__init__()
        self.raw = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.raw.append(envelope.content)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture()
def raw_smtp(app):
    sink = RawSmtpSink().start()
    old = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
    yield sink
    sink.stop()
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = old


class _HtmlReader(HTMLParser):
    """The root element's attributes, the paragraphs' text and the links of an HTML part."""

    def __init__(self):
        super().__init__()
        self.root, self.paragraphs, self.links, self._open = None, [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.root = attrs
        elif tag == "p":
            self._open = [attrs.get("dir"), ""]
        elif tag == "br" and self._open:
            self._open[1] += "\n"
        elif tag == "a":
            self.links.append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "p":
            self.paragraphs.append(tuple(self._open))
            self._open = None

    def handle_data(self, data):
        if self._open:
            self._open[1] += data.replace("\r", "").replace("\n", "")


def _header_lines(raw):
    """{field name: its physical lines} of a message's header, as they arrived."""
    fields, name = {}, None
    for line in raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line[:1] not in (b" ", b"\t"):  # not a continuation: a new field starts
            name = line.split(b":", 1)[0]
        fields.setdefault(name, []).append(line)
    return fields


# --- triggering every kind ------------------------------------------------------------------

def _person(role, locale, organisation=None, **fields):
    return factories.make_user(role, organisation, preferred_locale=locale, **fields)


def _accounts_mails(locale, admin, union):
    invited = _person("union_director", locale, union)
    account_services.send_invitation(admin, invited)
    changer = _person("union_director", locale, union)
    account_services.change_password(changer, factories.PASSWORD, "a quiet river at Ba Sao 2026")
    mover = _person("union_director", locale, union)
    account_services.change_email(mover, factories.PASSWORD, f"moved.{mover.id}@portal.test")
    # the sign-in's own mails to the owner: a link as the way through, a new device, an
    # address someone else tried to take
    owner = _person("union_director", locale, union)
    signin.send_sign_in_link(owner.email)
    signin.tell_owner_of_new_device(owner, "Mozilla/5.0 (Linux; Android 14) Chrome/130")
    signin.tell_owner_email_taken(owner)


def _feedback_mails(locale, typed, admin, union):
    director = _person("union_director", locale, union)
    manager = _person("relationship_manager", locale)
    manager.portfolio = [union]
    successor = _person("relationship_manager", locale)
    item = feedback_helpers.submit(director, union, title=typed["critique"])  # assigned
    feedback_services.acknowledge(manager, item)
    feedback_services.reassign(admin, item, successor)                       # assigned
    feedback_helpers.answer(successor, item)
    feedback_services.reopen(director, item, typed["reason"])
    conversation.post(successor, item, f"<p>{typed['commitment']}</p>")     # comment
    late = feedback_helpers.submit(director, union, title=typed["critique"] + " (2)")
    late.acknowledge_due_at = utcnow() - timedelta(days=40)
    feedback_services.escalate_overdue()
    request = feedback_helpers.submit(director, union, kind="product_request",
                                      title=typed["request"])
    product = make_product(code=f"WC-{locale}", status=ProductStatus.IN_DESIGN,
                           languages=("en", locale))
    feedback_services.link_product(manager, request, product)
    product_services.set_status(admin, product, ProductStatus.AVAILABLE)


def _meeting_mails(locale, typed, union):
    cast = meeting_helpers.Cast()
    cast.union = union
    for person in (cast.recorder, cast.official):
        person.preferred_locale = locale
    cast.director = _person("union_director", locale, union)
    signed = meeting_helpers.plan(cast, title=typed["meeting"])                # invitation
    details = {"title": typed["meeting"], "starts_local": meeting_helpers.PAST,
               "ends_local": meeting_helpers.PAST + timedelta(hours=3),
               "timezone": "Asia/Tehran", "place": typed["union"], "online_link": None,
               "host_organisation": cast.bank, "chair": None, "chair_name": None,
               "recorder": cast.recorder, "confidential": False}
    meeting_services.update_meeting(cast.recorder, signed, **details)          # moved
    meeting_services.add_commitment(cast.recorder, signed, description=typed["commitment"],
                                    organisation=union, due_on=date(2025, 9, 1),
                                    owner=cast.director)
    meeting_services.remind_overdue()
    meeting_helpers.approve(cast, meeting_helpers.hold(cast, signed))          # review
    meeting_helpers.sign(cast, signed, typed["reason"])
    sent_back = meeting_helpers.approve(cast, meeting_helpers.hold(
        cast, meeting_helpers.plan(cast, title=typed["meeting"] + " ۲", invite=False)))
    meeting_services.send_back(cast.official, sent_back, typed["reason"])
    cancelled = meeting_helpers.plan(cast, title=typed["meeting"],
                                     starts=datetime(2031, 3, 10, 9, 30))
    meeting_services.cancel(cast.recorder, cancelled, typed["reason"])


def _results_mails(locale, typed, union):
    """What the bank commits to, told to who raised it: created, a step reached, done,
    dropped (with the reason typed), and overdue (to its owner)."""
    bank = factories.bank()
    manager = _person("relationship_manager", locale, bank)
    owner = _person("relationship_manager", locale, bank)
    director = _person("union_director", locale, union)
    item = feedback_helpers.submit(director, union, title=typed["critique"] + " (3)")

    def commit_to(due_on):
        return result_services.save_result(
            manager, texts={locale: (typed["commitment"], "")}, owner=owner, due_on=due_on,
            items=[item])

    done = commit_to(date(2031, 3, 20))                                        # created
    result_services.add_milestone(manager, done, day=date(2030, 6, 1), title=typed["meeting"],
                                  reached=True)                                # milestone
    result_services.set_status(manager, done, "done")
    result_services.set_status(manager, commit_to(date(2031, 3, 20)), "dropped",
                               reason=typed["reason"])
    commit_to(date(2025, 1, 5))
    result_services.escalate_overdue()                                         # overdue


def _queue_every_kind(app, locale):
    typed = TYPED[locale]
    with app.test_request_context(base_url="http://portal.test"):
        admin = _person("administrator", locale)
        union = factories.make_org(OrgKind.NATIONAL_UNION, name=typed["union"])
        _accounts_mails(locale, admin, union)
        _feedback_mails(locale, typed, admin, union)
        _meeting_mails(locale, typed, union)
        _results_mails(locale, typed, union)
        factories.db.session.commit()


def _deliver_everything():
    while outbox.deliver() != (0, 0):
        pass


# --- the tests ------------------------------------------------------------------------------

def test_the_test_covers_every_kind_of_notification_the_portal_sends():
    """A new kind added to a service without being added here fails this test."""
    portal = Path(__file__).resolve().parents[2] / "portal"
    found = set()
    for module in SERVICES:
        source = (portal / module).read_text()
        # the kind is the call's first string, within the function that calls (not a def's
        # parameters, nor the next function's first string after a call passing a variable)
        found |= set(re.findall(r'(?<!def )\b(?:notify|_?tell(?:_invitees|_followers)?)\('
                                r'(?:(?!\ndef )[^"])*?"([a-z_.]+)"', source))
    assert found == KINDS


@pytest.mark.parametrize("locale", ["fa", "vi", "th"])
def test_every_mail_arrives_exactly_as_written(app, db, raw_smtp, locale):
    _queue_every_kind(app, locale)
    notes = db.session.scalars(sa.select(Notification)).all()
    assert {note.kind for note in notes} == KINDS
    assert {note.locale for note in notes} == {locale}
    queued = db.session.scalars(sa.select(OutboxMessage)).all()
    with force_locale(locale):
        invitation_subject = _("Your invitation to the Cooperative Bank Portal")
        # a change of address is confirmed from the new address first (nothing changes yet)
        moved_subject = _("Confirm your new e-mail address")
        portal_name = _("Cooperative Bank Portal")
        sign_in_subjects = {str(signin.SUBJECT_LINK), str(signin.SUBJECT_NEW_DEVICE),
                            str(signin.SUBJECT_EMAIL_TAKEN)}
    written = Counter((m.to_address, m.subject) for m in queued)
    assert {note.title for note in notes} | {invitation_subject, moved_subject} | \
        sign_in_subjects == {subject for _to, subject in written}
    assert {m.locale for m in queued} == {locale}

    _deliver_everything()

    assert len(raw_smtp.raw) == len(queued)
    arrived = Counter()
    for raw in raw_smtp.raw:
        mail = message_from_bytes(raw, policy=policy.default)
        subject = str(mail["Subject"])
        # a second, older decoder: RFC 2047 words joined as written
        legacy = message_from_bytes(raw, policy=policy.compat32)
        assert str(make_header(decode_header(legacy["Subject"]))) == subject
        assert mail["From"].addresses[0].display_name == portal_name
        assert str(make_header(decode_header(legacy["From"]))).startswith(portal_name + " <")
        arrived[(mail["To"].addresses[0].addr_spec, subject)] += 1
        lines = _header_lines(raw)
        assert all(len(line) <= 998 for field in lines.values() for line in field)
        # the sender's name is one encoded word (see outbox._Mailboxes); the rest folds at 78
        assert all(len(line) <= 78 for name, field in lines.items() if name != b"From"
                   for line in field)
    assert arrived == written

    bodies = {(m.to_address, m.subject, m.body_text) for m in queued}
    direction = "rtl" if locale == "fa" else "ltr"
    for raw in raw_smtp.raw:
        mail = message_from_bytes(raw, policy=policy.default)
        text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip("\n")
        assert (mail["To"].addresses[0].addr_spec, str(mail["Subject"]), text) in bodies
        html = _HtmlReader()
        html.feed(mail.get_body(("html",)).get_content())
        assert html.root == {"lang": locale, "dir": direction}
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        assert html.paragraphs == [("auto", p) for p in paragraphs]
        assert [line for line in text.splitlines() if line.startswith("http")] == html.links


@pytest.mark.parametrize("locale", ["fa", "vi", "th"])
def test_a_meeting_invitation_keeps_its_calendar_next_to_both_parts(app, db, raw_smtp,
                                                                    locale):
    cast = meeting_helpers.Cast()
    cast.director.preferred_locale = locale
    with app.test_request_context(base_url="http://portal.test"):
        meeting_helpers.plan(cast, title=TYPED[locale]["meeting"])
    _deliver_everything()
    mail = next(m for m in raw_smtp.messages if m["To"] == cast.director.email)
    assert mail.get_content_type() == "multipart/mixed"
    assert [p.get_content_type() for p in mail.iter_parts()] == [
        "multipart/alternative", "text/calendar"]
    assert str(mail["Subject"]).endswith(TYPED[locale]["meeting"])


# --- subjects of every shape ----------------------------------------------------------------

WITHOUT_SPACES = {
    "fa": "اتحادیهسراسریتعاونی‌هایفرشدستبافروستاییبانکتوسعهتعاونشعبهویژهتهران",
    "vi": "TổTK&VVsố1xãBaSaotrùngngàysinhhoạttổđịnhkỳtiếpnhậnkiếnnghị",
    "th": "การประชุมกลุ่มออมทรัพย์และสินเชื่อประจำเดือนถูกเลื่อนเพราะวันสงกรานต์",
    "mixed": "Tổ TK&VVاتحادیه‌ها123กลุ่ม«نقد»—(x)",
}


def _decoded_subjects(raw):
    """The subject as the modern parser and as the RFC 2047 helpers read it."""
    modern = str(message_from_bytes(raw, policy=policy.default)["Subject"])
    legacy = message_from_bytes(raw, policy=policy.compat32)["Subject"]
    return modern, str(make_header(decode_header(legacy)))


def _raw(subject, body="", locale="fa"):
    message = OutboxMessage(to_address="to.thi.lan@kimbang.example", subject=subject,
                            body_text=body or "x", locale=locale)
    return outbox._build_email(message, "portal@cooperative-bank.example").as_bytes()


@pytest.mark.parametrize("language", sorted(WITHOUT_SPACES))
def test_a_space_anywhere_in_a_subject_survives(app, language):
    """The subject is text with no spaces, repeated to 2-3 lines, with a space put in at every
    position in turn (and two spaces, and a space at both ends)."""
    text = (WITHOUT_SPACES[language] * 3)[:150]
    with app.app_context():
        for position in range(len(text) + 1):
            for gap in (" ", "  "):
                subject = text[:position] + gap + text[position:]
                assert _decoded_subjects(_raw(subject)) == (subject, subject), position


def test_long_subjects_of_many_words_survive_and_keep_short_lines(app):
    words = ["اتحادیه", "تعاونی‌های", "trùng", "ngày", "tiếp", "nhận", "การประชุม", "ถูก",
             "123", "a", "=?utf-8?q?x?=", "(نقد)", "Sinh"]
    subjects = [" ".join(words[(i * 7 + j * 3) % len(words)] for j in range(2 + i % 60))[:300]
                for i in range(400)]
    subjects += ["ก" * 300, "ش " * 150, "a" * 300, "ế" * 300, "\u200c" * 10, ""]
    with app.app_context():
        for subject in subjects:
            raw = _raw(subject)
            assert _decoded_subjects(raw) == (subject, subject)
            assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
            assert all(len(line) <= 78 for line in _header_lines(raw)[b"Subject"])


def test_a_plain_english_subject_is_not_encoded(app):
    with app.app_context():
        raw = _raw("Your password was changed", locale="en")
    assert b"Subject: Your password was changed\r\n" in raw


@pytest.mark.parametrize("locale", ["fa", "vi", "th"])
def test_300_character_subjects_through_the_outbox(app, db, raw_smtp, locale):
    typed = TYPED[locale]
    subjects = [(typed["critique"] + " " + typed["commitment"] + " " + typed["meeting"])[:300],
                (typed["union"] * 5)[:300], (WITHOUT_SPACES[locale] * 5)[:300]]
    for subject in subjects:
        outbox.enqueue("to.thi.lan@kimbang.example", subject, typed["reason"], locale=locale)
    db.session.commit()
    _deliver_everything()
    assert sorted(_decoded_subjects(raw)[0] for raw in raw_smtp.raw) == sorted(subjects)
    assert sorted(_decoded_subjects(raw)[1] for raw in raw_smtp.raw) == sorted(subjects)


# --- the HTML part and the sender -----------------------------------------------------------

def test_what_a_person_typed_is_escaped_and_the_link_is_clickable(app, db, raw_smtp):
    body = ("<b>Tổ TK&VV</b> số 1 \"Ba Sao\"\nتعاونی‌ها & بانک\n\n"
            "http://portal.test/feedback/7?tab=answer&x=1")
    outbox.enqueue("to.thi.lan@kimbang.example", "Sinh hoạt tổ", body, locale="vi")
    db.session.commit()
    _deliver_everything()
    mail = message_from_bytes(raw_smtp.raw[0], policy=policy.default)
    source = mail.get_body(("html",)).get_content()
    assert "<b>" not in source and "&lt;b&gt;Tổ TK&amp;VV&lt;/b&gt;" in source
    html = _HtmlReader()
    html.feed(source)
    assert html.paragraphs == [
        ("auto", "<b>Tổ TK&VV</b> số 1 \"Ba Sao\"\nتعاونی‌ها & بانک"),
        ("auto", "http://portal.test/feedback/7?tab=answer&x=1")]
    assert html.links == ["http://portal.test/feedback/7?tab=answer&x=1"]
    assert mail.get_body(("plain",)).get_content().replace("\r\n", "\n") == body + "\n"


def test_a_message_queued_before_languages_were_kept_takes_its_direction_from_the_text(
        app, db, raw_smtp):
    outbox.enqueue("to.thi.lan@kimbang.example", "نقد تازه", "اتحادیه سراسری")
    db.session.commit()
    _deliver_everything()
    mail = message_from_bytes(raw_smtp.raw[0], policy=policy.default)
    html = _HtmlReader()
    html.feed(mail.get_body(("html",)).get_content())
    assert html.root == {"dir": "auto"}
    assert mail["From"].addresses[0].display_name == "Cooperative Bank Portal"


def test_a_configured_sender_name_is_used_as_written(app, db, raw_smtp):
    app.config["MAIL_SENDER"] = "بانک توسعه تعاون <portal@cooperative-bank.example>"
    try:
        outbox.enqueue("to.thi.lan@kimbang.example", "نقد تازه", "متن", locale="th")
        db.session.commit()
        _deliver_everything()
    finally:
        app.config["MAIL_SENDER"] = "portal@cooperative-bank.example"
    sender = message_from_bytes(raw_smtp.raw[0], policy=policy.default)["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == (
        "بانک توسعه تعاون", "portal@cooperative-bank.example")

"""Demo feedback: the critiques and proposals voiced at the first consultation session (seed 000)
and recommendations from Kim Bang's group meetings (seeds 003, 004), in every state."""
from datetime import timedelta

import sqlalchemy as sa

from portal.accounts.models import OrgKind, Role, User
from portal.core.models import utcnow
from portal.extensions import db
from portal.feedback import conversation, escalation, offers, services
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import EscalationContact, FeedbackItem

# (organisation code, kind, topic, visibility, title, body, extra fields, days ago, fate)
ITEMS = [
    ("IR-UN-CARP", "critique", "speed", "public",
     "کندی ارائه خدمات به تعاونی‌ها در شعب",
     "<p>افتتاح حساب و بررسی پرونده تسهیلات تعاونی‌های فرش دستباف در شعب معمولی تا سه هفته "
     "طول می‌کشد. کارکنان با قوانین بخش تعاون آشنا نیستند.</p>",
     {"concerns": "شعب معمولی بانک در استان‌ها"}, 60, "answered"),
    ("IR-UN-CARP", "product_request", "products", "public",
     "تسهیلات سرمایه در گردش برای بافندگان روستایی",
     "<p>بافندگان عضو تعاونی‌ها برای خرید مواد اولیه به تسهیلات کوچک با بازپرداخت پس از فروش "
     "فرش نیاز دارند.</p>",
     {"sector": "فرش دستباف", "demand_size": 1800,
      "terms_wanted": "۵۰ تا ۲۰۰ میلیون ریال، بازپرداخت ۱۸ ماهه"}, 45, "under_review"),
    ("IR-CO-KHR-AGRI", "product_request", "products", "public",
     "تسهیلات فصل برداشت زعفران",
     "<p>کشاورزان عضو برای هزینه‌های برداشت و فرآوری زعفران در آبان تا آذر به تسهیلات کوتاه‌مدت "
     "نیاز دارند.</p>",
     {"sector": "کشاورزی", "demand_size": 640, "terms_wanted": "بازپرداخت پس از فروش محصول"},
     35, "acknowledged"),
    ("IR-UN-CARP", "proposal", "financing", "public",
     "تأمین مالی طرح‌های تعاونی در مناطق کم‌برخوردار",
     "<p>در مناطق کم‌برخوردار به دلیل محدودیت منابع، روند توسعه با مانع روبه‌رو می‌شود. "
     "پیشنهاد می‌شود سهمیه‌ای از منابع بانک به این مناطق اختصاص یابد.</p>",
     {"expected_benefit": "اشتغال پایدار و کارآفرینی در مناطق کم‌برخوردار"}, 30, "overdue"),
    ("IR-CO-ISF-CARP", "critique", "service_quality", "confidential",
     "نبود کارشناس آشنا با تعاونی‌ها در شعبه اصفهان",
     "<p>در شعبه ویژه اصفهان کارشناسی که با اساسنامه تعاونی‌ها آشنا باشد حضور ندارد.</p>",
     {"concerns": "شعبه ویژه تعاون اصفهان"}, 20, "acknowledged"),
    ("IR-CO-ISF-CARP", "proposal", "branches", "public",
     "بسته خدماتی ویژه اتحادیه‌های ملی",
     "<p>بسته‌ای شامل حساب جاری، ضمانت‌نامه و تسهیلات سرمایه در گردش با نرخ ترجیحی برای "
     "اتحادیه‌های ملی طراحی شود.</p>",
     {"expected_benefit": "تمرکز گردش مالی شبکه تعاون در بانک"}, 3, "submitted"),
    ("VN-KB-WU", "proposal", "processes", "public",
     "Đơn giản hóa thủ tục vay vốn cho hộ cận nghèo",
     "<p>Tổ viên kiến nghị rút gọn hồ sơ vay vốn và giải ngân tại Điểm giao dịch xã để hộ "
     "cận nghèo không phải lên huyện.</p>",
     {"expected_benefit": "Giảm thời gian đi lại, giải ngân nhanh hơn"}, 50, "closed"),
    ("VN-KB-WU", "product_request", "products", "public",
     "Sản phẩm cho vay sản xuất kinh doanh vùng khó khăn",
     "<p>Hội viên cần khoản vay tới 100 triệu đồng, thời hạn 60 tháng, cho chăn nuôi và "
     "trồng trọt.</p>",
     {"sector": "Nông nghiệp", "demand_size": 807, "terms_wanted": "100 triệu đồng, 60 tháng"},
     25, "overdue"),
    ("VN-KB-WU", "critique", "speed", "public",
     "Lịch giao dịch tại xã chưa thuận tiện",
     "<p>Phiên giao dịch tại Điểm giao dịch xã trùng ngày chợ phiên, người dân khó tham gia.</p>",
     {"concerns": "Điểm giao dịch xã Ba Sao"}, 10, "answered"),
]
# (level, office code, e-mail, name, language): each bank's own chain. Kim Bang's office answers
# to the head office directly, so the Vietnamese chain names nobody at the province: skipped.
ESCALATION = [(1, "CDB-TEH-01", "head.tehran@cdb.example", "رئیس شعبه ویژه تهران", "fa"),
              (2, "CDB-HO", "coop.dept@cdb.example", "اداره کل امور تعاونی‌ها", "fa"),
              (3, "CDB-HO", "ceo.office@cdb.example", "دفتر مدیرعامل", "fa"),
              (1, "VBSP-KB", "giamdoc.kimbang@vbsp.example", "Đinh Văn Hùng", "vi"),
              (3, "VBSP-HO", "tonggiamdoc@vbsp.example", "Văn phòng Tổng Giám đốc", "vi")]


# directors of the unions who endorse the demo items (the carpet union's and Kim Bang Women's
# Union's directors are the platform's own demo accounts): (e-mail, name, language, union)
ENDORSERS = [
    ("director@agri-union.example", "محمد حسینی", "fa", "IR-UN-AGRI"),
    ("director@housing-union.example", "فاطمه نوری", "fa", "IR-UN-HOUS"),
    ("director@consumer-union.example", "رضا کاظمی", "fa", "IR-UN-CONS"),
    ("director@carpet-union.example", None, None, "IR-UN-CARP"),
    ("chutich.nongdan@kimbang.example", "Lê Văn Bình", "vi", "VN-KB-FA"),
    ("chutich.ccb@kimbang.example", "Phạm Văn Tâm", "vi", "VN-KB-VA"),
    ("bithu.doan@kimbang.example", "Đỗ Thị Mai", "vi", "VN-KB-YU"),
]
# item title -> [(endorsing union, comment)]: the needs other unions of the network share
ENDORSEMENTS = {
    "کندی ارائه خدمات به تعاونی‌ها در شعب": [
        ("IR-UN-AGRI", "تعاونی‌های کشاورزی در شعب استان‌ها همین مشکل را دارند."),
        ("IR-UN-HOUS", "پرونده‌های تسهیلات تعاونی‌های مسکن هم ماه‌ها معطل می‌ماند."),
        ("IR-UN-CONS", None)],
    "تسهیلات سرمایه در گردش برای بافندگان روستایی": [
        ("IR-UN-AGRI", "اعضای ما هم پیش از فروش محصول به سرمایه در گردش نیاز دارند."),
        ("IR-UN-CONS", None)],
    "تسهیلات فصل برداشت زعفران": [
        ("IR-UN-CARP", "بافندگان روستایی هم در فصل برداشت به وام کوتاه‌مدت نیاز دارند.")],
    "تأمین مالی طرح‌های تعاونی در مناطق کم‌برخوردار": [
        ("IR-UN-AGRI", None), ("IR-UN-HOUS", "مسکن تعاونی در این مناطق هم متوقف مانده است."),
        ("IR-UN-CONS", None)],
    "بسته خدماتی ویژه اتحادیه‌های ملی": [
        ("IR-UN-CONS", "اتحادیه ما آماده است گردش مالی خود را به بانک بیاورد."),
        ("IR-UN-HOUS", None)],
    "Đơn giản hóa thủ tục vay vốn cho hộ cận nghèo": [
        ("VN-KB-FA", "Hội viên nông dân cũng phải lên huyện nhiều lần để hoàn thiện hồ sơ.")],
    "Sản phẩm cho vay sản xuất kinh doanh vùng khó khăn": [
        ("VN-KB-FA", "Hội viên nông dân cần vay để mở rộng chăn nuôi."),
        ("VN-KB-VA", None),
        ("VN-KB-YU", "Thanh niên khởi nghiệp ở nông thôn cũng cần khoản vay này.")],
    "Lịch giao dịch tại xã chưa thuận tiện": [
        ("VN-KB-VA", "Hội viên cựu chiến binh ở xã Ba Sao cũng phản ánh như vậy.")],
}


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def _ensure_contacts(by_code):
    from werkzeug.security import generate_password_hash

    from portal.accounts.models import Membership
    from portal.demo import demo_password

    for level, code, email, name, locale in ESCALATION:
        user = _user(email)
        if user is None:
            user = User(email=email, full_name=name, preferred_locale=locale,
                        password_hash=generate_password_hash(demo_password()))
            role = Role.ADMINISTRATOR if level == 3 else Role.RELATIONSHIP_MANAGER
            user.memberships.append(Membership(organisation=by_code[code], role=role))
            db.session.add(user)
            db.session.flush()
        exists = db.session.scalar(sa.select(EscalationContact).where(
            EscalationContact.level == level, EscalationContact.user_id == user.id))
        if exists is None:
            office = by_code[code]
            # a branch's head hears of that branch's items; the head office of every item
            db.session.add(EscalationContact(
                network_id=office.network_id, level=level, user_id=user.id,
                organisation_id=office.id if office.kind != OrgKind.BANK_HEAD_OFFICE else None))


def _ensure_endorsers(by_code):
    """{union code: its director}, creating the demo directors who are missing."""
    from werkzeug.security import generate_password_hash

    from portal.accounts.models import Membership
    from portal.demo import demo_password

    directors = {}
    for email, name, locale, code in ENDORSERS:
        user = _user(email)
        if user is None and name is not None:
            user = User(email=email, full_name=name, preferred_locale=locale,
                        password_hash=generate_password_hash(demo_password()))
            user.memberships.append(Membership(organisation=by_code[code],
                                               role=Role.UNION_DIRECTOR))
            db.session.add(user)
            db.session.flush()
        if user is not None:
            directors[code] = user
    return directors


def _endorse(item, directors, by_code):
    """The demo endorsements of this item that are not there yet and still allowed."""
    for code, comment in ENDORSEMENTS.get(item.title, ()):
        director = directors.get(code)
        if director is None or not feedback_permissions.can_endorse_feedback(director, item):
            continue
        services.endorse(director, item, by_code[code], comment)


def _backdate(item, days):
    shift = timedelta(days=days)
    for name in ("created_at", "acknowledge_due_at", "answer_due_at"):
        setattr(item, name, getattr(item, name) - shift)
    for event in item.events:
        event.created_at -= shift
    for endorsement in item.endorsements:
        endorsement.created_at -= shift


def _play(item, manager, fate):
    if fate in ("acknowledged", "under_review", "answered", "closed"):
        services.acknowledge(manager, item)
    if fate in ("under_review", "answered", "closed"):
        services.start_review(manager, item)
        services.add_note(manager, item, "Checked with the branch; see the file.")
    if fate in ("answered", "closed"):
        services.save_draft(manager, item, body_html=_ANSWERS[item.kind.value],
                            outcome="planned" if item.kind.value != "critique" else "accepted")
        services.publish(manager, item)
    if fate == "closed":
        services.close(manager, item)


_ANSWERS = {
    "critique": "<p>Thank you. The specialised branches now open accounts for cooperatives in "
                "three working days, and their staff are being trained.</p>",
    "proposal": "<p>The bank will take this proposal into the next service package.</p>",
    "product_request": "<p>A product fitted to this need is being designed.</p>",
}


def seed(by_code):
    _ensure_contacts(by_code)
    directors = _ensure_endorsers(by_code)
    for code, kind, topic, visibility, title, body, extra, days, fate in ITEMS:
        existing = db.session.scalar(sa.select(FeedbackItem).where(FeedbackItem.title == title))
        if existing is not None:  # seeded before the demo had endorsements: add them
            _endorse(existing, directors, by_code)
            continue
        organisation = by_code[code]
        director = next((m.user for m in _members(organisation, Role.UNION_DIRECTOR)), None)
        submitter = director or services.default_owner(organisation)
        item = services.submit(submitter, kind=kind, organisation=organisation, title=title,
                               body_html=body, topic=topic, visibility=visibility, **extra)
        # endorsed before it is handled, as in life: the endorsers hear of the answer too
        _endorse(item, directors, by_code)
        _backdate(item, days)
        if item.owner is not None:
            _play(item, item.owner, fate)
            _link_demo_product(item)
    db.session.flush()
    conversation.seed_demo_discussion()
    escalation.escalate_overdue(utcnow())


# product requests the bank answers with a product of the demo catalogue (code)
DEMO_PRODUCT_LINKS = {"تسهیلات فصل برداشت زعفران": "SAFFRON-HARVEST",
                      "Sản phẩm cho vay sản xuất kinh doanh vùng khó khăn": "VN-POOR-HH"}


def _link_demo_product(item):
    code = DEMO_PRODUCT_LINKS.get(item.title)
    if code is None:
        return
    from portal.products.models import Product

    product = db.session.scalar(sa.select(Product).where(Product.code == code))
    if product is not None:
        offers.link_product(item.owner, item, product)


def _members(organisation, role):
    from portal.accounts.models import Membership

    return db.session.scalars(sa.select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.role == role)).all()

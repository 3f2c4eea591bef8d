"""Demo meetings: the first consultation session of seed 000 (12 August 2025, signed off by
the ministry), a second session with other unions still to come, and a year of monthly
meetings of Kim Bang savings-and-loan groups with the credit officer's records (seeds 003,
004). Idempotent: each meeting is looked up by its series or host and title first."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal.accounts.models import Organisation, User
from portal.core.models import utcnow
from portal.extensions import db
from portal.meetings import permissions as meetings_permissions
from portal.meetings import services
from portal.meetings.models import Commitment, ConsultationSeries, Meeting, Reply

SERIES_TITLE = "سلسله نشست‌های هم‌اندیشی مدیران عامل اتحادیه‌ها و تعاونی‌های ملی"
SERIES_TITLES = {
    "en": "Consultation sessions with the national unions and cooperatives",
    "vi": "Chuỗi phiên tham vấn với các liên hiệp và hợp tác xã toàn quốc",
    "th": "ชุดการประชุมหารือกับสหภาพและสหกรณ์ระดับชาติ",
}
FIRST_TITLE = "نخستین نشست هم‌اندیشی با اتحادیه‌ها و تعاونی‌های ملی"
SECOND_TITLE = "دومین نشست هم‌اندیشی با اتحادیه‌ها و تعاونی‌های ملی"
PLACE = "ساختمان مرکزی بانک توسعه تعاون، تهران"

FIRST_AGENDA = [
    ("افتتاحیه و گزارش شانزده سال فعالیت بانک", "امیرهوشنگ عصارزاده، مدیرعامل"),
    ("شعب ویژه ارائه خدمات به تعاونی‌ها و آموزش کارکنان", "معاونت شعب بانک"),
    ("پیوند اشتغال و تعاون", "سید مالک حسینی، معاون توسعه کارآفرینی و اشتغال"),
    ("نگاه وزارت تعاون به توسعه مالی بخش تعاون", "یعقوب رستمی مالخلیفه، معاون امور تعاون"),
    ("نقدها و پیشنهادهای اتحادیه‌ها", "نمایندگان اتحادیه‌ها"),
]
FIRST_MINUTES = (
    "<h3>۱. افتتاحیه</h3><p>مدیرعامل بانک بر ضرورت گفت‌وگوی شفاف و بی‌واسطه میان بانک و بخش "
    "تعاون تأکید کرد و از نمایندگان اتحادیه‌ها خواست نقدها و پیشنهادهای خود را صریح بیان "
    "کنند.</p>"
    "<h3>۲. شعب ویژه</h3><p>بانک شعب ویژه ارائه خدمات به تعاونی‌ها را در تهران و استان‌ها "
    "راه‌اندازی می‌کند؛ کارکنان این شعب آموزش‌های ویژه می‌بینند و بسته‌های اختصاصی خدماتی "
    "طراحی می‌شود.</p>"
    "<h3>۳. اشتغال و تعاون</h3><p>تعامل نزدیک‌تر بانک و اتحادیه‌ها بستر افزایش اشتغال و "
    "کارآفرینی در مناطق مختلف را فراهم می‌کند.</p>"
    "<h3>۴. توسعه مالی بخش تعاون</h3><p>ابزارها و محصولات مالی متناسب با نیاز بخش تعاون طراحی "
    "شود و شبکه تعاون گردش مالی خود را در بانک متمرکز کند.</p>"
    "<h3>۵. نقدها و پیشنهادها</h3><p>اتحادیه‌ها درباره کندی خدمات در شعب معمولی و نیاز به "
    "تسهیلات سرمایه در گردش سخن گفتند (ثبت‌شده در بخش نظرها).</p>")
# (organisation code, kind, topic, title, body, extra)
FIRST_STATEMENTS = [
    ("IR-UN-CARP", "critique", "speed", "کندی خدمات به تعاونی‌ها در شعب معمولی",
     "<p>بررسی پرونده تعاونی‌ها در شعب معمولی هفته‌ها طول می‌کشد و کارکنان با قوانین بخش "
     "تعاون آشنا نیستند.</p>", {"concerns": "شعب معمولی بانک"}),
    ("IR-UN-CONS", "proposal", "financing",
     "اختصاص سهمیه منابع به مناطق کم‌برخوردار",
     "<p>در مناطق کم‌برخوردار به دلیل محدودیت منابع، روند توسعه با مانع روبه‌رو است؛ "
     "سهمیه‌ای از منابع بانک به طرح‌های تعاونی این مناطق اختصاص یابد.</p>",
     {"expected_benefit": "اشتغال پایدار در مناطق کم‌برخوردار"}),
    ("IR-MCLS", "product_request", "products", "محصولات مالی متناسب با بخش تعاون",
     "<p>سهم بخش تعاون از اقتصاد کشور ناچیز است؛ ابزارها و محصولات مالی متناسب با نیاز این "
     "بخش طراحی شود.</p>", {"sector": "بخش تعاون"}),
]
# (what, organisation code, owner e-mail, due)
FIRST_COMMITMENTS = [
    ("راه‌اندازی شعب ویژه ارائه خدمات به تعاونی‌ها در تهران و استان‌ها", "CDB-HO",
     "rm.tehran@cdb.example", date(2025, 12, 21)),
    ("آموزش ویژه کارکنان شعب برای خدمت‌رسانی به تعاونی‌ها", "CDB-HO", None,
     date(2025, 11, 21)),
    ("طراحی بسته‌های اختصاصی خدماتی متناسب با نیاز بخش تعاون", "CDB-HO",
     "rm.tehran@cdb.example", date(2026, 1, 20)),
    ("طراحی محصولات مالی متناسب با بخش تعاون", "CDB-HO", None, date(2026, 3, 19)),
    ("تمرکز گردش مالی اتحادیه در بانک توسعه تعاون", "IR-UN-CARP",
     "director@carpet-union.example", date(2026, 3, 19)),
]

GROUPS = ("VN-KB-G0101", "VN-KB-G0201", "VN-KB-G0301")
OPINIONS = [
    "Tổ viên đề nghị được hướng dẫn thủ tục vay vốn hộ cận nghèo.",
    "Một số hộ kiến nghị giãn thời hạn trả nợ do dịch bệnh trên đàn lợn.",
    "Tổ viên đề xuất tăng mức cho vay nước sạch và vệ sinh môi trường nông thôn.",
    "Tổ viên phản ánh lịch giao dịch tại Điểm giao dịch xã trùng ngày chợ phiên.",
    "Tổ viên đề nghị được tập huấn cách ghi chép sổ tiết kiệm.",
    "Hộ vay đề nghị hỗ trợ vốn cho học sinh, sinh viên có hoàn cảnh khó khăn.",
]


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def _org(code):
    return db.session.scalar(sa.select(Organisation).where(Organisation.code == code))


def _meeting(title, host):
    return db.session.scalar(sa.select(Meeting).where(
        Meeting.title == title, Meeting.host_organisation_id == host.id))


def seed(by_code):
    recorder, official = _user("rm.tehran@cdb.example"), _user("official@mcls.example")
    if recorder is not None and official is not None:
        series = _series(by_code, recorder)
        _first_session(by_code, series, recorder, official)
        _second_session(by_code, series, recorder)
    officer = _user("canbo.kimbang@vbsp.example")
    if officer is not None:
        for code in GROUPS:
            group = _org(code)
            if group is not None:
                _group_year(group, officer)
    db.session.flush()


def _series(by_code, recorder):
    series = db.session.scalar(sa.select(ConsultationSeries).where(
        ConsultationSeries.title == SERIES_TITLE))
    if series is None:
        series = services.create_series(
            recorder, title=SERIES_TITLE, titles=SERIES_TITLES, host_organisation=by_code["CDB-HO"],
            purpose="گفت‌وگوی مستقیم بانک توسعه تعاون با شبکه تعاون کشور: شناسایی نقاط ضعف و "
                    "کاستی‌ها و شنیدن نقدها و پیشنهادها.",
            invited_organisations=[by_code[c] for c in (
                "IR-UN-CONS", "IR-UN-HOUS", "IR-UN-CARP", "IR-UN-TRAN", "IR-UN-AGRI",
                "IR-MCLS")])
    return series


def _first_session(by_code, series, recorder, official):
    host = by_code["CDB-HO"]
    if _meeting(FIRST_TITLE, host) is not None:
        return
    start = datetime(2025, 8, 12, 10, 0)
    meeting = services.plan_meeting(
        recorder, kind="consultation_session", series=series, title=FIRST_TITLE,
        starts_local=start, ends_local=start + timedelta(hours=2, minutes=30),
        timezone="Asia/Tehran", place=PLACE, online_link=None, host_organisation=host,
        chair=None, chair_name="امیرهوشنگ عصارزاده، مدیرعامل بانک توسعه تعاون",
        recorder=recorder, confidential=False)
    for title, presenter in FIRST_AGENDA:
        services.add_agenda_item(recorder, meeting, title=title, presenter=presenter)
    unions = [by_code[c] for c in ("IR-UN-CONS", "IR-UN-HOUS", "IR-UN-CARP", "IR-MCLS")]
    services.invite(recorder, meeting, unions, [official])
    for invitation in meeting.invitations:
        invitation.reply = Reply.ACCEPTED
    services.mark_held(recorder, meeting, now=meeting.ends_at)
    services.record_attendance(recorder, meeting, [o.id for o in unions],
                               [i.user_id for i in meeting.invitations])
    services.save_minutes(recorder, meeting, FIRST_MINUTES)
    admin = _user("admin@cdb.example")
    for code, kind, topic, title, body, extra in FIRST_STATEMENTS:
        # the ministry is in no relationship manager's portfolio: the bank's administrator
        # records what it said
        speaks = meetings_permissions.may_speak_for(recorder, meeting, by_code[code])
        who = recorder if speaks else admin
        services.record_statement(who, meeting, organisation=by_code[code], kind=kind,
                                  topic=topic, title=title, body_html=body, **extra)
    for what, code, owner, due in FIRST_COMMITMENTS:
        services.add_commitment(recorder, meeting, description=what, organisation=by_code[code],
                                owner=_user(owner) if owner else None, due_on=due)
    services.approve_minutes(recorder, meeting)
    services.sign_off(official, meeting, "صورتجلسه و تعهدات نشست تأیید می‌شود. پیگیری تعهدات "
                                         "در نشست‌های بعدی گزارش شود.")
    # the dates the record would carry had it been kept on the day
    meeting.held_at = meeting.ends_at
    meeting.minutes_approved_at = meeting.ends_at + timedelta(days=2)
    meeting.signed_off_at = meeting.ends_at + timedelta(days=9)
    for revision in meeting.minutes.revisions:
        revision.created_at = meeting.ends_at + timedelta(hours=3)


def _second_session(by_code, series, recorder):
    host = by_code["CDB-HO"]
    if _meeting(SECOND_TITLE, host) is not None:
        return
    day = utcnow().date() + timedelta(days=21)
    start = datetime(day.year, day.month, day.day, 10, 0)
    meeting = services.plan_meeting(
        recorder, kind="consultation_session", series=series, title=SECOND_TITLE,
        starts_local=start, ends_local=start + timedelta(hours=2), timezone="Asia/Tehran",
        place=PLACE, online_link=None, host_organisation=host, chair=None,
        chair_name="امیرهوشنگ عصارزاده، مدیرعامل بانک توسعه تعاون", recorder=recorder,
        confidential=False)
    for title, presenter in (("گزارش پیگیری تعهدات نشست نخست", "بانک توسعه تعاون"),
                             ("نقدها و پیشنهادهای اتحادیه‌های حمل و نقل و کشاورزی",
                              "نمایندگان اتحادیه‌ها")):
        services.add_agenda_item(recorder, meeting, title=title, presenter=presenter)
    services.invite(recorder, meeting, [by_code[c] for c in (
        "IR-UN-TRAN", "IR-UN-AGRI", "IR-MCLS")], [_user("official@mcls.example")])
    # progress on a carried commitment is recorded at the later session
    training = db.session.scalar(sa.select(Commitment).where(
        Commitment.series_id == series.id, Commitment.description == FIRST_COMMITMENTS[1][0]))
    if training is not None:
        services.set_commitment_status(recorder, training, "in_progress",
                                       "نخستین دوره آموزشی کارکنان شعب ویژه برگزار شد.",
                                       at_meeting=meeting)


def _group_year(group, officer):
    """Twelve monthly meetings, September 2024 to August 2025, in the commune."""
    for n in range(12):
        year, month = (2024, 9 + n) if n < 4 else (2025, n - 3)
        title = f"Sinh hoạt tổ định kỳ tháng {month}/{year}"
        if _meeting(title, group) is not None:
            continue
        start = datetime(year, month, 5, 8, 0)
        meeting = services.plan_meeting(
            officer, kind="periodic_group_meeting", title=title, starts_local=start,
            ends_local=start + timedelta(hours=1, minutes=30), timezone="Asia/Ho_Chi_Minh",
            place=f"Nhà văn hóa thôn, xã {group.commune}", online_link=None,
            host_organisation=group, chair=None, chair_name="Tổ trưởng Tổ TK&VV",
            recorder=officer, confidential=False)
        services.add_agenda_item(meeting.recorder, meeting,
                                 title="Thông báo dư nợ, lãi phải trả và số dư tiền gửi",
                                 presenter="Tổ trưởng")
        services.add_agenda_item(meeting.recorder, meeting,
                                 title="Ghi nhận ý kiến, kiến nghị của tổ viên",
                                 presenter="Cán bộ tín dụng")
        services.invite(officer, meeting, [group])
        services.mark_held(officer, meeting, now=meeting.ends_at)
        services.record_attendance(officer, meeting, [group.id], [])
        opinion = OPINIONS[(n + GROUPS.index(group.code)) % len(OPINIONS)]
        services.save_minutes(officer, meeting, (
            f"<p>Tổ trưởng thông báo dư nợ và lãi phải trả tháng {month}; 98,9% tổ viên gửi "
            "tiết kiệm đều đặn.</p>"
            f"<p><strong>Ý kiến, kiến nghị của tổ viên:</strong> {opinion}</p>"
            "<p>Cán bộ tín dụng giải đáp tại buổi họp và báo cáo lãnh đạo NHCSXH huyện "
            "những nội dung vượt thẩm quyền.</p>"))
        if n % 4 == 3:
            services.record_statement(
                officer, meeting, organisation=group, kind="proposal", topic="processes",
                title=opinion[:120], body_html=f"<p>{opinion}</p>",
                expected_benefit="Tổ viên được phục vụ nhanh hơn tại Điểm giao dịch xã")
        if n in (0, 6):
            commitment = services.add_commitment(
                officer, meeting, description="Tổ trưởng đôn đốc tổ viên trả lãi đúng hạn và "
                                             "gửi tiết kiệm hằng tháng",
                organisation=group, due_on=date(year, month, 28))
            services.set_commitment_status(officer, commitment, "done",
                                           "Thu lãi đạt 100% trong tháng")
        services.approve_minutes(officer, meeting)

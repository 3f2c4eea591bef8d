"""Demo results from the source articles: what each bank did after its unions spoke."""
from datetime import timedelta

import sqlalchemy as sa

from portal.accounts.models import User
from portal.core.clock import COUNTRY_ZONES, local_today
from portal.extensions import db
from portal.feedback.models import FeedbackItem
from portal.results.models import Result, ResultMilestone, ResultStatus, ResultText

# (bank code, owner e-mail, days from today to the due date, status, typed progress,
#  {locale: (title, description)}, [titles of the items answered],
#  [(days from today, milestone, reached)])
RESULTS = [
    ("CDB-HO", "rm.tehran@cdb.example", 75, ResultStatus.IN_PROGRESS, 40,
     {"fa": ("تسهیلات سرمایه در گردش بافندگان روستایی",
             "<p>طراحی تسهیلات ۵۰ تا ۲۰۰ میلیون ریالی با بازپرداخت پس از فروش فرش، "
             "به درخواست اتحادیه سراسری فرش دستباف روستایی.</p>"),
      "en": ("Working capital for rural carpet weavers",
             "<p>A facility of 50 to 200 million rials repaid after the carpet is sold, "
             "as the carpet union asked.</p>")},
     ["تسهیلات سرمایه در گردش برای بافندگان روستایی"],
     [(-30, "پیش‌نویس شرایط تسهیلات به اتحادیه ارائه شد", True),
      (20, "تصویب در کمیته اعتباری بانک", False)]),
    ("CDB-HO", "rm.tehran@cdb.example", -10, ResultStatus.IN_PROGRESS, 60,
     {"fa": ("شعب ویژه تعاون با کارشناس آشنا به تعاونی‌ها",
             "<p>آموزش کارکنان شعب ویژه درباره قوانین بخش تعاون و اساسنامه تعاونی‌ها.</p>")},
     ["کندی ارائه خدمات به تعاونی‌ها در شعب"],
     [(-45, "دوره آموزشی کارکنان شعبه ویژه تهران برگزار شد", True)]),
    ("VBSP-HO", "canbo.kimbang@vbsp.example", 40, ResultStatus.PLANNED, 0,
     {"vi": ("Đổi lịch giao dịch tại xã tránh ngày chợ phiên",
             "<p>Phòng giao dịch Kim Bảng bố trí lại lịch phiên giao dịch tại Điểm giao dịch "
             "xã Ba Sao sau khi lấy ý kiến các tổ tiết kiệm và vay vốn.</p>")},
     ["Lịch giao dịch tại xã chưa thuận tiện"], []),
]


def seed(by_code):
    for (bank, email, due_in, status, typed, texts, item_titles, milestones) in RESULTS:
        title = next(iter(texts.values()))[0]
        if db.session.scalar(sa.select(ResultText.result_id).where(ResultText.title == title)):
            continue
        owner = db.session.scalar(sa.select(User).where(User.email == email))
        if owner is None or bank not in by_code:
            continue
        today = local_today(COUNTRY_ZONES.get(by_code[bank].country))
        items = list(db.session.scalars(sa.select(FeedbackItem).where(
            FeedbackItem.title.in_(item_titles))))
        result = Result(network_id=by_code[bank].id, owner_id=owner.id,
                        created_by_id=owner.id, due_on=today + timedelta(days=due_in),
                        status=status, typed_progress=typed, items=items)
        result.texts = [ResultText(locale=loc, title=t, description_html=d)
                        for loc, (t, d) in texts.items()]
        result.milestones = [ResultMilestone(day=today + timedelta(days=days), title=name,
                                             note="", reached=reached, recorded_by_id=owner.id)
                             for days, name, reached in milestones]
        db.session.add(result)
    db.session.flush()

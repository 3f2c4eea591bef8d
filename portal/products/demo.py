"""Demo catalogue: a dozen products in four languages and three service packages.

Idempotent: products and packages are looked up by code and left alone when they exist.
"""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.core.models import utcnow
from portal.extensions import db
from portal.products.models import (
    PackageText,
    Product,
    ProductCategory,
    ProductOrgKind,
    ProductSector,
    ProductStatus,
    ProductText,
    Sector,
    ServicePackage,
)

A, D, W = ProductStatus.AVAILABLE, ProductStatus.IN_DESIGN, ProductStatus.WITHDRAWN
COOP, UNION, GROUP = OrgKind.COOPERATIVE, OrgKind.NATIONAL_UNION, OrgKind.SAVINGS_GROUP
M = Decimal(1_000_000)

# code, category, status, currency, min, max, tenor months, rate %, rate text, kinds, sectors,
# {locale: (name, description)}
PRODUCTS = [
    ("WC-LOAN", "loan", A, "IRR", 500 * M, 50_000 * M, (6, 36), "18", "", (COOP, UNION),
     ("agriculture", "handicrafts", "consumer", "industry"), {
         "en": ("Working-capital loan for cooperatives",
                "Finance for raw materials, wages and stock between harvests or orders."),
         "fa": ("تسهیلات سرمایه در گردش تعاونی‌ها",
                "تأمین مالی مواد اولیه، دستمزد و موجودی میان دو فصل یا دو سفارش."),
         "vi": ("Khoản vay vốn lưu động cho hợp tác xã",
                "Tài trợ nguyên liệu, tiền công và hàng tồn kho giữa các vụ hoặc đơn hàng."),
         "th": ("สินเชื่อเงินทุนหมุนเวียนสำหรับสหกรณ์",
                "เงินทุนสำหรับวัตถุดิบ ค่าจ้าง และสินค้าคงคลังระหว่างฤดูกาลหรือคำสั่งซื้อ")}),
    ("CARPET-EXPORT", "loan", A, "IRR", 1_000 * M, 30_000 * M, (3, 12), "16", "", (COOP, UNION),
     ("handicrafts",), {
         "en": ("Export pre-finance for handwoven carpet cooperatives",
                "Finance for weaving orders from foreign buyers, repaid from the export proceeds."),
         "fa": ("پیش‌تأمین مالی صادرات فرش دستباف تعاونی‌ها",
                "تأمین مالی سفارش‌های بافت خریداران خارجی، بازپرداخت از محل ارز صادراتی."),
         "vi": ("Tài trợ trước xuất khẩu cho hợp tác xã thảm dệt tay",
                "Tài trợ đơn hàng dệt của người mua nước ngoài, hoàn trả từ tiền xuất khẩu."),
         "th": ("สินเชื่อเพื่อเตรียมการส่งออกสำหรับสหกรณ์พรมทอมือ",
                "เงินทุนสำหรับคำสั่งทอจากผู้ซื้อต่างประเทศ ชำระคืนจากรายได้การส่งออก")}),
    ("HOUSING-COOP", "loan", A, "IRR", 5_000 * M, 200_000 * M, (24, 60), "18", "", (COOP,),
     ("housing",), {
         "en": ("Construction loan for housing cooperatives",
                "Staged finance for building members' homes, released as the work progresses."),
         "fa": ("تسهیلات ساخت تعاونی‌های مسکن",
                "تأمین مالی مرحله‌ای ساخت واحدهای اعضا، متناسب با پیشرفت کار."),
         "vi": ("Khoản vay xây dựng cho hợp tác xã nhà ở",
                "Giải ngân theo tiến độ xây nhà cho thành viên."),
         "th": ("สินเชื่อก่อสร้างสำหรับสหกรณ์เคหสถาน",
                "เงินกู้ทยอยเบิกตามความคืบหน้าของการก่อสร้างบ้านสมาชิก")}),
    ("SAFFRON-HARVEST", "loan", D, "IRR", 300 * M, 20_000 * M, (3, 9), "15", "", (COOP,),
     ("agriculture",), {
         "en": ("Harvest loan for saffron growers' cooperatives",
                "Seasonal finance to buy members' saffron at harvest time."),
         "fa": ("تسهیلات فصل برداشت تعاونی‌های زعفران‌کار",
                "تأمین مالی فصلی برای خرید زعفران اعضا در فصل برداشت."),
         "vi": ("Khoản vay mùa thu hoạch cho hợp tác xã trồng nghệ tây",
                "Tài trợ theo mùa để thu mua nghệ tây của thành viên."),
         "th": ("สินเชื่อฤดูเก็บเกี่ยวสำหรับสหกรณ์ผู้ปลูกหญ้าฝรั่น",
                "เงินทุนตามฤดูกาลเพื่อรับซื้อหญ้าฝรั่นจากสมาชิก")}),
    ("PERF-GUAR", "guarantee", A, "IRR", 100 * M, 100_000 * M, (1, 24), None,
     {"en": "0.5% of the guaranteed amount per quarter",
      "fa": "۰٫۵٪ مبلغ ضمانت‌نامه در هر سه ماه",
      "vi": "0,5% số tiền bảo lãnh mỗi quý",
      "th": "0.5% ของวงเงินค้ำประกันต่อไตรมาส"}, (COOP, UNION), (), {
         "en": ("Performance guarantee for cooperatives",
                "Bank guarantee for public tenders and supply contracts."),
         "fa": ("ضمانت‌نامه حسن انجام کار",
                "ضمانت‌نامه بانکی برای مناقصه‌های دولتی و قراردادهای تأمین."),
         "vi": ("Bảo lãnh thực hiện hợp đồng",
                "Bảo lãnh ngân hàng cho đấu thầu công và hợp đồng cung ứng."),
         "th": ("หนังสือค้ำประกันการปฏิบัติตามสัญญา",
                "หนังสือค้ำประกันของธนาคารสำหรับการประมูลภาครัฐและสัญญาจัดหา")}),
    ("COOP-DEPOSIT", "deposit", A, "IRR", 100 * M, None, (3, 36), "20.5", "", (COOP, UNION),
     (), {
         "en": ("Cooperative term deposit",
                "Keep the network's turnover in the bank and earn a fixed rate."),
         "fa": ("سپرده مدت‌دار تعاونی",
                "گردش مالی شبکه را در بانک نگه دارید و سود ثابت بگیرید."),
         "vi": ("Tiền gửi có kỳ hạn của hợp tác xã",
                "Giữ doanh số giao dịch của mạng lưới tại ngân hàng với lãi suất cố định."),
         "th": ("เงินฝากประจำของสหกรณ์",
                "เก็บยอดหมุนเวียนของเครือข่ายไว้ที่ธนาคารและรับดอกเบี้ยคงที่")}),
    ("PAYROLL", "payment", A, "IRR", None, None, (None, None), None,
     {"en": "Free within a service package", "fa": "رایگان در قالب بسته خدماتی",
      "vi": "Miễn phí trong gói dịch vụ", "th": "ไม่มีค่าใช้จ่ายเมื่อใช้ในชุดบริการ"},
     (COOP, UNION), ("services",), {
         "en": ("Payroll and member payments",
                "Pay staff and members in bulk from one file, same day."),
         "fa": ("خدمات پرداخت حقوق و پرداخت به اعضا",
                "پرداخت گروهی به کارکنان و اعضا با یک فایل، در همان روز."),
         "vi": ("Dịch vụ chi trả lương và thanh toán cho thành viên",
                "Chi trả hàng loạt cho nhân viên và thành viên từ một tệp, trong ngày."),
         "th": ("บริการจ่ายเงินเดือนและจ่ายเงินให้สมาชิก",
                "จ่ายเงินให้พนักงานและสมาชิกจากไฟล์เดียวภายในวันเดียวกัน")}),
    ("POS-CONSUMER", "payment", A, "IRR", None, None, (None, None), "0.3",
     {"en": "of card sales", "fa": "از مبلغ فروش با کارت", "vi": "trên doanh số bán qua thẻ",
      "th": "ของยอดขายผ่านบัตร"}, (COOP,), ("consumer",), {
         "en": ("Card terminals for consumer cooperatives",
                "Card readers and settlement into the cooperative's account the next day."),
         "fa": ("پایانه فروشگاهی برای تعاونی‌های مصرف",
                "کارت‌خوان و واریز فروش به حساب تعاونی در روز بعد."),
         "vi": ("Máy chấp nhận thẻ cho hợp tác xã tiêu dùng",
                "Máy quẹt thẻ và thanh toán vào tài khoản hợp tác xã ngày hôm sau."),
         "th": ("เครื่องรับบัตรสำหรับสหกรณ์ผู้บริโภค",
                "เครื่องรับบัตรและโอนยอดขายเข้าบัญชีสหกรณ์ในวันถัดไป")}),
    ("TRANSPORT-LEASE", "leasing", D, "IRR", 2_000 * M, 80_000 * M, (12, 48), "19", "",
     (COOP,), ("transport",), {
         "en": ("Fleet leasing for transport cooperatives",
                "Lease trucks and buses; the vehicle is the collateral."),
         "fa": ("لیزینگ ناوگان تعاونی‌های حمل و نقل",
                "اجاره به شرط تملیک کامیون و اتوبوس؛ وثیقه خود خودرو است.")}),
    ("OVERDRAFT-OLD", "loan", W, "IRR", 100 * M, 5_000 * M, (1, 12), "24", "", (COOP,), (), {
         "en": ("Overdraft on current accounts (old terms)",
                "Replaced by the working-capital loan."),
         "fa": ("اضافه برداشت حساب جاری (شرایط قدیم)", "جایگزین شده با تسهیلات سرمایه در گردش."),
         "vi": ("Thấu chi tài khoản vãng lai (điều kiện cũ)",
                "Đã thay bằng khoản vay vốn lưu động."),
         "th": ("วงเงินเบิกเกินบัญชี (เงื่อนไขเดิม)", "แทนที่ด้วยสินเชื่อเงินทุนหมุนเวียน")}),
    ("VN-POOR-HH", "loan", A, "VND", 10 * M, 100 * M, (12, 60), "6.6", "", (GROUP,),
     ("households",), {
         "en": ("Loans to poor households",
                "Policy credit through savings-and-loan groups, entrusted to mass organisations."),
         "fa": ("تسهیلات خانوارهای کم‌درآمد",
                "اعتبار حمایتی از راه گروه‌های پس‌انداز و وام، به نمایندگی سازمان‌های مردمی."),
         "vi": ("Cho vay hộ nghèo",
                "Tín dụng chính sách qua Tổ TK&VV, ủy thác qua các tổ chức chính trị - xã hội."),
         "th": ("สินเชื่อครัวเรือนยากจน",
                "สินเชื่อเชิงนโยบายผ่านกลุ่มออมทรัพย์และสินเชื่อ โดยมอบหมายให้องค์กรมวลชน")}),
    ("VN-GROUP-SAVINGS", "deposit", A, "VND", Decimal(50_000), None, (None, None), "0.5", "",
     (GROUP,), ("households",), {
         "en": ("Savings through savings-and-loan groups",
                "Members save small amounts at every group meeting or transaction day."),
         "fa": ("پس‌انداز از راه گروه‌های پس‌انداز و وام",
                "اعضا در هر جلسه گروه یا روز معامله مبلغ کمی پس‌انداز می‌کنند."),
         "vi": ("Tiết kiệm qua Tổ tiết kiệm và vay vốn",
                "Thành viên gửi tiết kiệm nhỏ tại mỗi buổi sinh hoạt tổ hoặc ngày giao dịch."),
         "th": ("เงินออมผ่านกลุ่มออมทรัพย์และสินเชื่อ",
                "สมาชิกออมเงินจำนวนเล็กน้อยในการประชุมกลุ่มหรือวันทำธุรกรรมทุกครั้ง")}),
]

# code, kind, products, min members, min years, max overdue %, audited, {locale: (name,
# description, eligibility)}
PACKAGES = [
    ("PKG-NATIONAL-UNIONS", UNION, ("WC-LOAN", "PERF-GUAR", "PAYROLL", "COOP-DEPOSIT"), 7, 2,
     None, True, {
         "en": ("Service package for national unions",
                "Accounts, guarantees, payroll and deposits for a union and its members.",
                "Registered national unions that keep their main accounts with the bank."),
         "fa": ("بسته خدماتی اتحادیه‌های سراسری",
                "حساب، ضمانت‌نامه، پرداخت حقوق و سپرده برای اتحادیه و اعضای آن.",
                "اتحادیه‌های سراسری ثبت‌شده که حساب اصلی خود را در بانک نگه می‌دارند."),
         "vi": ("Gói dịch vụ cho liên hiệp toàn quốc",
                "Tài khoản, bảo lãnh, chi lương và tiền gửi cho liên hiệp và thành viên.",
                "Liên hiệp toàn quốc đã đăng ký, mở tài khoản chính tại ngân hàng."),
         "th": ("ชุดบริการสำหรับสหภาพระดับชาติ",
                "บัญชี หนังสือค้ำประกัน การจ่ายเงินเดือน และเงินฝาก สำหรับสหภาพและสมาชิก",
                "สหภาพระดับชาติที่จดทะเบียนและใช้บัญชีหลักกับธนาคาร")}),
    ("PKG-COOPERATIVES", COOP, ("WC-LOAN", "CARPET-EXPORT", "POS-CONSUMER", "COOP-DEPOSIT"), 7,
     1, Decimal(5), False, {
         "en": ("Service package for cooperatives",
                "Working capital, export finance, card terminals and deposits.",
                "Cooperatives with at least seven members and overdue loans under 5%."),
         "fa": ("بسته خدماتی تعاونی‌ها",
                "سرمایه در گردش، تأمین مالی صادرات، کارت‌خوان و سپرده.",
                "تعاونی‌هایی با دست‌کم هفت عضو و معوقات کمتر از ۵ درصد."),
         "vi": ("Gói dịch vụ cho hợp tác xã",
                "Vốn lưu động, tài trợ xuất khẩu, máy thẻ và tiền gửi.",
                "Hợp tác xã có ít nhất bảy thành viên, nợ quá hạn dưới 5%."),
         "th": ("ชุดบริการสำหรับสหกรณ์",
                "เงินทุนหมุนเวียน สินเชื่อส่งออก เครื่องรับบัตร และเงินฝาก",
                "สหกรณ์ที่มีสมาชิกอย่างน้อยเจ็ดคนและหนี้ค้างชำระต่ำกว่า 5%")}),
    ("PKG-SAVINGS-GROUPS", GROUP, ("VN-POOR-HH", "VN-GROUP-SAVINGS"), 20, None, Decimal(2),
     False, {
         "en": ("Service package for savings-and-loan groups",
                "Policy loans and group savings, served at the commune transaction point.",
                "Groups rated good or fair, meeting every month with a credit officer."),
         "fa": ("بسته خدماتی گروه‌های پس‌انداز و وام",
                "تسهیلات حمایتی و پس‌انداز گروهی در باجه معاملات دهستان.",
                "گروه‌هایی با رتبه خوب یا متوسط که هر ماه با کارشناس اعتبارات جلسه دارند."),
         "vi": ("Gói dịch vụ cho Tổ tiết kiệm và vay vốn",
                "Cho vay chính sách và tiết kiệm tổ, phục vụ tại Điểm giao dịch xã.",
                "Tổ xếp loại tốt hoặc khá, sinh hoạt định kỳ hằng tháng với cán bộ tín dụng."),
         "th": ("ชุดบริการสำหรับกลุ่มออมทรัพย์และสินเชื่อ",
                "สินเชื่อเชิงนโยบายและเงินออมกลุ่ม ให้บริการที่จุดบริการตำบล",
                "กลุ่มที่ได้รับการประเมินดีหรือพอใช้ และประชุมทุกเดือนกับเจ้าหน้าที่สินเชื่อ")}),
]

# withdrawn product: what replaces it (its page points there)
REPLACEMENTS = {"OVERDRAFT-OLD": "WC-LOAN"}


def seed(by_code):
    """Add the demo products and packages that are not there yet."""
    products = {}
    for (code, category, status, currency, low, high, (t_low, t_high), rate, rate_text, kinds,
         sectors, texts) in PRODUCTS:
        product = db.session.scalar(sa.select(Product).where(Product.code == code))
        if product is None:
            product = Product(code=code, category=ProductCategory(category), status=status,
                              currency=currency, min_amount=low, max_amount=high,
                              min_tenor_months=t_low, max_tenor_months=t_high,
                              rate_percent=Decimal(rate) if rate else None)
            if status == D:
                product.planned_launch = date(utcnow().year + 1, 3, 21)
            if status in (A, W):
                product.available_since = utcnow()
            product.target_days = 5 if category == "payment" else None
            product.texts = [ProductText(locale=loc, name=name, description=description,
                                         rate_text=(rate_text or {}).get(loc, ""))
                             for loc, (name, description) in texts.items()]
            product.kind_rows = [ProductOrgKind(kind=k) for k in kinds]
            product.sector_rows = [ProductSector(sector=Sector(s)) for s in sectors]
            db.session.add(product)
        products[code] = product
    db.session.flush()
    for old_code, new_code in REPLACEMENTS.items():
        if products[old_code].replaced_by is None:
            products[old_code].replaced_by = products[new_code]
    for code, kind, codes, members, years, overdue, audited, texts in PACKAGES:
        if db.session.scalar(sa.select(ServicePackage.id).where(ServicePackage.code == code)):
            continue
        package = ServicePackage(code=code, org_kind=kind, status=A, min_members=members,
                                 min_years_active=years, max_overdue_percent=overdue,
                                 requires_audited_accounts=audited,
                                 products=[products[c] for c in codes])
        package.texts = [PackageText(locale=loc, name=name, description=description,
                                     eligibility=eligibility)
                         for loc, (name, description, eligibility) in texts.items()]
        db.session.add(package)
    db.session.flush()

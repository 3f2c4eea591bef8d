"""A realistic, seeded data set written with PostgreSQL COPY (psycopg), one function per area.

    python -m bench.data postgresql://postgres@127.0.0.1:5432/portal_bench [--seed 9]

Every generator gets the shared context `ctx` (ids of what earlier generators made) and returns
a short summary; an area whose tables are not migrated yet is skipped and reported as such.
To extend when an area lands: write `gen_<area>(cur, ctx)` and add it to GENERATORS with the
tables it needs. Ids are assigned here (no RETURNING round trips); sequences are reset after.
Very large tables go through `bulk_copy` (unique constraints rebuilt and foreign keys checked
once, after the COPY). Timings and row counts: bench/README.md.
"""
import argparse
import json
import random
import sys
import time
from datetime import date, datetime, timedelta

import psycopg
from werkzeug.security import generate_password_hash

from portal.core.textnorm import search_key

PASSWORD = "bench password 9"  # noqa: S105 - every generated (bench-only) account
NOW = datetime(2026, 3, 1, 8, 0, 0)  # fixed, so the data set is the same on every run
N_ORGS, N_USERS, N_FEEDBACK = 5_000, 20_000, 100_000

PROVINCES = {
    "IR": ["تهران", "اصفهان", "فارس", "خراسان رضوی", "آذربایجان شرقی", "کرمان", "یزد", "گیلان",
           "مازندران", "خوزستان", "سیستان و بلوچستان", "کردستان", "همدان", "لرستان", "قزوین",
           "زنجان", "سمنان", "مرکزی", "اردبیل", "بوشهر"],
    "VN": ["Hà Nam", "Hà Giang", "Điện Biên", "Lào Cai", "Nghệ An", "Thanh Hóa", "Quảng Trị",
           "Đắk Lắk", "Sóc Trăng", "An Giang", "Cà Mau", "Bắc Kạn", "Cao Bằng", "Sơn La",
           "Yên Bái", "Lai Châu", "Kon Tum", "Gia Lai", "Trà Vinh", "Bến Tre"],
    "TH": ["เชียงใหม่", "เชียงราย", "น่าน", "ขอนแก่น", "อุดรธานี", "นครราชสีมา", "อุบลราชธานี",
           "สุรินทร์", "บุรีรัมย์", "ร้อยเอ็ด", "สกลนคร", "นครพนม", "ลำปาง", "แพร่", "พะเยา",
           "กาฬสินธุ์", "มหาสารคาม", "ศรีสะเกษ", "ชัยภูมิ", "เลย"],
}
CURRENCY = {"IR": "IRR", "VN": "VND", "TH": "THB"}
LOCALE = {"IR": "fa", "VN": "vi", "TH": "th"}
TZ = {"IR": "Asia/Tehran", "VN": "Asia/Ho_Chi_Minh", "TH": "Asia/Bangkok"}
ORG_NAMES = {  # province union, district, commune
    "IR": ("اتحادیه تعاونی‌های روستایی استان {p}", "تعاونی فرش دستباف شهرستان {d}",
           "تعاونی تولید روستایی {c}"),
    "VN": ("Hội Liên hiệp Phụ nữ tỉnh {p}", "Hội Liên hiệp Phụ nữ huyện {d}",
           "Tổ TK&VV xã {c}"),
    "TH": ("ชุมนุมสหกรณ์การเกษตรจังหวัด{p}", "สหกรณ์การเกษตรอำเภอ{d}",
           "กลุ่มออมทรัพย์ตำบล{c}"),
}
FEEDBACK_TEXT = {  # (titles, body sentences); the search pages look for words in these
    "fa": (["کندی افتتاح حساب برای تعاونی‌ها", "درخواست تسهیلات قرض‌الحسنه برای فرش دستباف",
            "پیشنهاد کاهش مدارک وام تعاونی", "تأخیر در پرداخت تسهیلات به تعاونی روستایی",
            "نیاز به شعبه ویژه تعاون در استان"],
           ["افتتاح حساب برای تعاونی‌ها سه هفته طول می‌کشد.",
            "بافندگان روستایی به وام کوچک با بازپرداخت ماهانه نیاز دارند.",
            "مدارک خواسته‌شده برای تسهیلات بیش از اندازه است.",
            "شعبه ویژه تعاون از روستاها دور است و هزینه رفت‌وآمد زیاد است.",
            "پاسخ به درخواست‌ها بیش از یک ماه طول کشیده است."]),
    "vi": (["Thủ tục vay vốn cho tổ tiết kiệm quá phức tạp",
            "Đề xuất mở rộng tín dụng cho phụ nữ nông thôn",
            "Yêu cầu sản phẩm vay cho hộ trồng lúa", "Chi nhánh xử lý hồ sơ chậm",
            "Đề nghị giảm lãi suất cho hợp tác xã"],
           ["Hồ sơ vay vốn mất ba tuần để được duyệt.",
            "Phụ nữ nông thôn cần khoản vay nhỏ trả góp hàng tháng.",
            "Giấy tờ yêu cầu quá nhiều so với khoản vay.",
            "Chi nhánh ở xa xã, chi phí đi lại cao.",
            "Hợp tác xã chưa nhận được trả lời sau một tháng."]),
    "th": (["ขั้นตอนการขอสินเชื่อใช้เวลานานเกินไป", "ขอผลิตภัณฑ์สินเชื่อสำหรับสหกรณ์การเกษตร",
            "เสนอให้เปิดสาขาเฉพาะกิจในอำเภอ", "เอกสารประกอบการกู้มีมากเกินไป",
            "ขอลดอัตราดอกเบี้ยสำหรับกลุ่มออมทรัพย์"],
           ["การอนุมัติสินเชื่อใช้เวลาสามสัปดาห์", "เกษตรกรต้องการสินเชื่อขนาดเล็กผ่อนรายเดือน",
            "เอกสารที่ต้องใช้มีมากเกินไปสำหรับวงเงินเล็ก", "สาขาอยู่ไกลจากตำบลทำให้เสียค่าเดินทางสูง",
            "สหกรณ์ยังไม่ได้รับคำตอบหลังจากหนึ่งเดือน"]),
    "en": (["Account opening takes too long for cooperatives",
            "Request a microloan product for carpet weavers",
            "Proposal to simplify loan paperwork", "Late disbursement of cooperative loans",
            "A specialised branch is needed in the province"],
           ["Opening an account for a cooperative takes three weeks at the branch.",
            "Rural weavers need small loans repaid monthly.",
            "The documents asked for are too many for a small loan.",
            "The branch is far from the villages and travel is costly.",
            "Our request has waited more than a month for an answer."]),
}
RESPONSE_TEXT = {
    "fa": "<p>از پیشنهاد شما سپاسگزاریم؛ شعبه ظرف سه روز کاری حساب را افتتاح می‌کند.</p>",
    "vi": "<p>Cảm ơn góp ý; chi nhánh sẽ duyệt hồ sơ trong ba ngày làm việc.</p>",
    "th": "<p>ขอบคุณสำหรับข้อเสนอ สาขาจะพิจารณาภายในสามวันทำการ</p>",
    "en": "<p>Thank you; the branch will open accounts within three working days.</p>",
}
# what the search pages look for: present in a share of the items, not in all
SEARCH_WORDS = {"fa": "افتتاح حساب", "th": "สินเชื่อ"}
KINDS = ("critique", "proposal", "product_request")
TOPICS = ("service_quality", "speed", "products", "financing", "branches", "processes",
          "digital", "other")
STATES = (("submitted", 20), ("acknowledged", 10), ("under_review", 10), ("answered", 40),
          ("closed", 20))
OUTCOMES = ("accepted", "planned", "partly_accepted", "declined")


def copy_rows(cur, table, columns, rows):
    """COPY rows into table; returns how many were written."""
    n = 0
    with cur.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


# --- accounts: organisations, users, memberships, portfolios ---------------------------------

ORG_COLUMNS = ("id", "code", "name", "name_en", "kind", "parent_id", "country", "province",
               "district", "commune", "currency", "is_active", "search_key", "created_at",
               "updated_at", "version_id")

def gen_organisations(cur, ctx):
    rng = ctx["rng"]
    rows, orgs = [], ctx.setdefault("orgs", {})
    ts = NOW - timedelta(days=1200)

    def add(kind, name, country, parent=None, province=None, district=None, commune=None,
            name_en=None):
        oid = len(rows) + 1
        code = f"B-{kind[:4].upper()}-{oid:05d}"
        rows.append((oid, code, name, name_en, kind, parent, country, province, district,
                     commune, CURRENCY[country], True,
                     search_key(name, name_en, code, province, district, commune), ts, ts, 1))
        orgs[oid] = {"kind": kind, "country": country, "parent": parent, "province": province,
                     "district": district, "commune": commune}
        return oid

    ctx["head_office"] = add("bank_head_office", "بانک توسعه تعاون", "IR",
                             name_en="Cooperative Development Bank")
    ctx["ministry"] = add("ministry", "وزارت تعاون، کار و رفاه اجتماعی", "IR",
                          name_en="Ministry of Cooperatives")
    countries = list(PROVINCES)
    ctx["branches"] = [add("specialised_branch", f"شعبه ویژه تعاون {i + 1}",
                           countries[i % 3], parent=ctx["head_office"],
                           name_en=f"Specialised branch {i + 1}") for i in range(30)]
    # 60 provinces (20 per country) -> 8 districts each (480) -> communes for the rest
    ctx["provinces"], ctx["districts"], ctx["communes"] = [], [], []
    province_ids = []
    for country in countries:
        for p in PROVINCES[country]:
            province_ids.append(add("national_union", ORG_NAMES[country][0].format(p=p),
                                    country, province=p))
    ctx["provinces"] = province_ids
    for pid in province_ids:
        country, p = orgs[pid]["country"], orgs[pid]["province"]
        for d in range(8):
            dname = f"{p} {d + 1}"
            kind = "mass_organisation" if country == "VN" else "cooperative"
            ctx["districts"].append(add(kind, ORG_NAMES[country][1].format(d=dname), country,
                                        parent=pid, province=p, district=dname))
    remaining = N_ORGS - len(rows)
    for i in range(remaining):
        did = ctx["districts"][i % len(ctx["districts"])]
        country, p = orgs[did]["country"], orgs[did]["province"]
        cname = f"{p} {i // len(ctx['districts']) + 1}-{i % 97 + 1}"
        kind = "savings_group" if rng.random() < 0.6 else "cooperative"
        ctx["communes"].append(add(kind, ORG_NAMES[country][2].format(c=cname), country,
                                   parent=did, province=p, district=rows[did - 1][8],
                                   commune=cname))
    n = copy_rows(cur, "organisation", ORG_COLUMNS, rows)
    return f"{n} organisations (60 provinces, 480 districts, {len(ctx['communes'])} communes)"


def gen_users(cur, ctx):
    """20,000 users: administrators, ministry officials, relationship managers with
    portfolios, branch staff, and union directors spread over every union."""
    password_hash = generate_password_hash(PASSWORD)
    ts = NOW - timedelta(days=1000)
    plan = [("administrator", 5, lambda i: ctx["head_office"]),
            ("ministry_official", 50, lambda i: ctx["ministry"]),
            ("relationship_manager", 300, lambda i: ctx["branches"][i % 30]),
            ("branch_staff", 600, lambda i: ctx["branches"][i % 30])]
    unions = ctx["provinces"] + ctx["districts"] + ctx["communes"]
    n_directors = N_USERS - sum(p[1] for p in plan)
    plan.append(("union_director", n_directors, lambda i: unions[i % len(unions)]))
    users, memberships = [], []
    ctx["login"], ctx["directors"], ctx["rms"] = {}, {}, []
    for role, count, org_of in plan:
        for i in range(count):
            uid = len(users) + 1
            org = org_of(i)
            country = ctx["orgs"][org]["country"]
            locale = "en" if role == "administrator" else LOCALE[country]
            email = f"{role}{i + 1}@bench.test"
            name = f"{role.replace('_', ' ').title()} {i + 1}"
            users.append((uid, email, name, password_hash, True, locale, TZ[country],
                          None, True, True, 1, 0, None, search_key(name, email), ts, ts, 1))
            memberships.append((uid, uid, org, role, ts, ts))
            ctx["login"].setdefault(role, email)
            ctx.setdefault("users_by_role", {}).setdefault(role, []).append(uid)
            if role == "union_director":
                ctx["directors"].setdefault(org, uid)
            if role == "relationship_manager":
                ctx["rms"].append(uid)
    n = copy_rows(cur, "user", (
        "id", "email", "full_name", "password_hash", "is_active", "preferred_locale",
        "timezone", "calendar", "persian_digits", "email_notifications", "session_version",
        "invitation_nonce", "last_login_at", "search_key", "created_at", "updated_at",
        "version_id"), users)
    copy_rows(cur, "membership", ("id", "user_id", "organisation_id", "role", "created_at",
                                  "updated_at"), memberships)
    # portfolios: each province and its districts with one manager (60 managers), the
    # remaining districts spread over the others
    portfolio, owner_of = [], {}
    rms = ctx["rms"]
    for i, pid in enumerate(ctx["provinces"]):
        portfolio.append((rms[i], pid))
        owner_of[pid] = rms[i]
    for i, did in enumerate(ctx["districts"]):
        rm = rms[60 + i % (len(rms) - 60)]
        portfolio.append((rm, did))
        owner_of[did] = rm
    copy_rows(cur, "portfolio_entry", ("manager_id", "organisation_id"), portfolio)
    ctx["owner_of"] = owner_of
    ctx["login"]["union_director"] = f"union_director{1}@bench.test"  # a province's director
    return f"{n} users, {len(memberships)} memberships, {len(portfolio)} portfolio entries"


# --- feedback --------------------------------------------------------------------------------

def _owner_for(ctx, org):
    node = org
    while node is not None:
        if node in ctx["owner_of"]:
            return ctx["owner_of"][node]
        node = ctx["orgs"][node]["parent"]
    return None


def gen_feedback(cur, ctx):
    rng = ctx["rng"]
    unions = ctx["provinces"] + ctx["districts"] + ctx["communes"]
    state_pool = [s for s, weight in STATES for _ in range(weight)]
    items, responses, endorsements, events = [], [], [], []
    key_cache = {}
    for iid in range(1, N_FEEDBACK + 1):
        org = rng.choice(unions)
        country = ctx["orgs"][org]["country"]
        lang = "en" if rng.random() < 0.1 else LOCALE[country]
        titles, sentences = FEEDBACK_TEXT[lang]
        t = rng.randrange(len(titles))
        picks = tuple(sorted(rng.sample(range(len(sentences)), 2)))
        title = f"{titles[t]} ({iid})"
        body = "<p>" + " ".join(sentences[k] for k in picks) + "</p>"
        kind = rng.choice(KINDS)
        cache_key = (lang, t, picks)
        if cache_key not in key_cache:
            key_cache[cache_key] = search_key(titles[t], body.replace("<p>", " ")
                                              .replace("</p>", " "))
        key = f"{key_cache[cache_key]} {iid}"
        state = rng.choice(state_pool)
        created = NOW - timedelta(days=rng.uniform(0, 1095))
        ack_due, answer_due = created + timedelta(days=2), created + timedelta(days=21)
        acknowledged = created + timedelta(days=1) if state != "submitted" else None
        answered = created + timedelta(days=rng.uniform(3, 30)) \
            if state in ("answered", "closed") else None
        closed = answered + timedelta(days=14) if state == "closed" else None
        outcome = rng.choice(OUTCOMES) if answered else None
        submitter = ctx["directors"].get(org, ctx["rms"][0])
        owner = _owner_for(ctx, org)
        # endorsements: most items none, some a handful, a few many (geometric)
        n_end = 0
        while rng.random() < 0.45 and n_end < 30:
            n_end += 1
        endorsers = rng.sample(unions, n_end) if n_end else []
        endorsers = [e for e in endorsers if e != org]
        updated = closed or answered or acknowledged or created
        items.append((
            iid, kind, state, outcome, "confidential" if rng.random() < 0.15 else "public",
            rng.choice(TOPICS), title, body,
            "شعبه ویژه تعاون" if kind == "critique" else None,
            "Faster service" if kind == "proposal" else None,
            "handwoven carpets" if kind == "product_request" else None,
            rng.randrange(10, 5000) if kind == "product_request" else None,
            None, org, submitter, owner,
            rng.choice(ctx["branches"]) if rng.random() < 0.5 else None, None,
            ack_due, answer_due, acknowledged, answered, closed, None, None,
            0 if state not in ("submitted", "acknowledged") or answer_due > NOW else 1,
            len(endorsers), None, None, key, created, updated, 1))
        events.append((iid, submitter, "submitted", None, created))
        if answered:
            responses.append((iid, owner or ctx["rms"][0], RESPONSE_TEXT[lang], outcome,
                              answered, answered - timedelta(hours=3), answered, 1))
            events.append((iid, owner, "answered", None, answered))
        elif state == "under_review" and rng.random() < 0.3:
            responses.append((iid, owner or ctx["rms"][0], RESPONSE_TEXT[lang], "planned",
                              None, created + timedelta(days=2), created + timedelta(days=2), 1))
        for k, e in enumerate(endorsers):
            when = created + timedelta(days=k + 1)
            endorsements.append((iid, e, ctx["directors"].get(e, submitter), None, when))
    n = copy_rows(cur, "feedback_item", (
        "id", "kind", "state", "outcome", "visibility", "topic", "title", "body_html",
        "concerns", "expected_benefit", "sector", "demand_size", "terms_wanted",
        "organisation_id", "submitted_by_id", "owner_id", "branch_id", "duplicate_of_id",
        "acknowledge_due_at", "answer_due_at", "acknowledged_at", "answered_at", "closed_at",
        "reopened_at", "reopen_reason", "escalation_level", "endorsement_count",
        "origin_title", "origin_link", "search_key", "created_at", "updated_at",
        "version_id"), items)
    nr = copy_rows(cur, "feedback_response", (
        "item_id", "author_id", "body_html", "outcome", "published_at", "created_at",
        "updated_at", "version_id"), responses)
    ne = copy_rows(cur, "feedback_endorsement", (
        "item_id", "organisation_id", "user_id", "comment", "created_at"), endorsements)
    nv = copy_rows(cur, "feedback_event", ("item_id", "actor_id", "action", "detail",
                                           "created_at"), events)
    # a visible, answered, well-endorsed public item for the item page
    cur.execute("SELECT id FROM feedback_item WHERE visibility = 'public' AND state = "
                "'answered' ORDER BY endorsement_count DESC, id LIMIT 1")
    ctx["feedback_item"] = cur.fetchone()[0]
    return (f"{n} feedback items, {nr} responses, {ne} endorsements, {nv} events")


# --- helpers shared by the area generators ----------------------------------------------------

def add_months(day, n):
    """The first day of the month n months after day's month."""
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def new_org(ctx, kind, code_prefix, name, country, *, parent=None, province=None,
            district=None, commune=None, name_en=None):
    """An organisation row added after gen_organisations (ids continue from there)."""
    if "next_org" not in ctx:
        ctx["next_org"] = max(ctx["orgs"]) + 1
    oid = ctx["next_org"]
    ctx["next_org"] += 1
    code = f"{code_prefix}-{oid:06d}"
    ts = NOW - timedelta(days=900)
    ctx["orgs"][oid] = {"kind": kind, "country": country, "parent": parent,
                        "province": province, "district": district, "commune": commune}
    return (oid, code, name, name_en, kind, parent, country, province, district, commune,
            CURRENCY[country], True, search_key(name, name_en, code, province, district,
                                                commune), ts, ts, 1)


def user_ids(ctx, role):
    return ctx["users_by_role"][role]


def place_of(ctx, oid):
    org = ctx["orgs"][oid]
    return org["country"], org["province"], org["district"], org["commune"]


# --- member groups: the savings groups and cooperatives below the communes ------------------

GROUP_NAMES = {"IR": "صندوق اعتبارات خرد روستایی {c} - {n}", "VN": "Tổ TK&VV số {n} xã {c}",
               "TH": "กลุ่มออมทรัพย์ที่ {n} ตำบล{c}"}
TURNOVER_MONTHS, N_TURNOVER = 36, 1_000_000


def gen_members(cur, ctx):
    """Enough groups under the communes that districts, communes and groups together report
    1,000,000 turnover rows over 36 months (one report per organisation and month)."""
    reporters = len(ctx["districts"]) + len(ctx["communes"])
    n_groups = -(-N_TURNOVER // TURNOVER_MONTHS) - reporters
    rows, by_district = [], {}
    for i in range(n_groups):
        commune_id = ctx["communes"][i % len(ctx["communes"])]
        country, province, district, commune = place_of(ctx, commune_id)
        kind = "savings_group" if ctx["rng"].random() < 0.7 else "cooperative"
        name = GROUP_NAMES[country].format(c=commune, n=i // len(ctx["communes"]) + 1)
        rows.append(new_org(ctx, kind, "B-GRP", name, country, parent=commune_id,
                            province=province, district=district, commune=commune))
        by_district.setdefault(ctx["orgs"][commune_id]["parent"], []).append(rows[-1][0])
    ctx["groups"] = [r[0] for r in rows]
    ctx["groups_by_district"] = by_district
    n = copy_rows(cur, "organisation", ORG_COLUMNS, rows)
    return f"{n} groups below the communes"


# --- meetings: series of consultation sessions and group meetings ----------------------------

N_SERIES, SERIES_LENGTH, N_AD_HOC = 200, 9, 200   # 200 x 9 + 200 = 2,000 meetings
AGENDA = {
    "fa": ["گزارش پیگیری تعهدات جلسه قبل", "تسهیلات قرض‌الحسنه برای تعاونی‌ها",
           "کاهش مدارک افتتاح حساب", "پرسش و پاسخ با نمایندگان وزارت"],
    "vi": ["Báo cáo thực hiện cam kết kỳ trước", "Tín dụng cho tổ tiết kiệm và vay vốn",
           "Đơn giản hóa hồ sơ vay", "Hỏi đáp với đại diện Bộ"],
    "th": ["รายงานความคืบหน้าข้อตกลงครั้งก่อน", "สินเชื่อสำหรับสหกรณ์การเกษตร",
           "ลดเอกสารประกอบการกู้", "ถามตอบกับผู้แทนกระทรวง"],
}
MINUTES_TEXT = {
    "fa": ("<h3>بند {k}</h3><p>نمایندگان تعاونی‌ها درباره کندی افتتاح حساب و مدارک تسهیلات "
           "سخن گفتند. شعبه ویژه تعاون متعهد شد ظرف سه روز کاری پاسخ دهد.</p>"
           "<ul><li>پیگیری درخواست‌های معوق</li><li>گزارش به جلسه بعد</li></ul>"),
    "vi": ("<h3>Mục {k}</h3><p>Đại diện các tổ tiết kiệm phản ánh thủ tục vay còn chậm. Chi "
           "nhánh cam kết trả lời trong ba ngày làm việc.</p>"
           "<ul><li>Theo dõi hồ sơ tồn đọng</li><li>Báo cáo tại kỳ họp sau</li></ul>"),
    "th": ("<h3>วาระที่ {k}</h3><p>ผู้แทนสหกรณ์แจ้งว่าการอนุมัติสินเชื่อยังล่าช้า "
           "สาขาจะตอบภายในสามวันทำการ</p><ul><li>ติดตามคำขอค้าง</li><li>รายงานในการประชุมครั้งหน้า</li></ul>"),
}
COMMITMENT_TEXT = {"fa": "پاسخ به درخواست‌های معوق تعاونی‌ها ({n})",
                   "vi": "Trả lời các hồ sơ vay tồn đọng ({n})",
                   "th": "ตอบคำขอสินเชื่อที่ค้างอยู่ ({n})"}
MEETING_COLUMNS = (
    "id", "series_id", "kind", "state", "title", "starts_at", "ends_at", "timezone", "place",
    "online_link", "host_organisation_id", "chair_id", "chair_name", "recorder_id",
    "confidential", "created_by_id", "cancel_reason", "held_at", "minutes_approved_at",
    "minutes_approved_by_id", "signed_off_at", "signed_off_by_id", "sign_off_comment",
    "sent_back_at", "sent_back_reason", "search_key", "created_at", "updated_at", "version_id")


def _meeting_plan(ctx):
    """(series rows, series invitations, [meeting spec]): who meets, where and when."""
    rng, series, invited, plan = ctx["rng"], [], [], []
    ministry = user_ids(ctx, "ministry_official")
    for s in range(N_SERIES):
        province = ctx["provinces"][s % len(ctx["provinces"])]
        pi = ctx["provinces"].index(province)
        orgs = [province] + ctx["districts"][pi * 8:pi * 8 + 7]
        consultation = s < 40
        host = ctx["head_office"] if consultation else ctx["branches"][s % 30]
        recorder = ctx["owner_of"][province]
        country = ctx["orgs"][province]["country"]
        title = f"{'Consultation' if consultation else 'Group meeting'} series {s + 1}: " \
                f"{ctx['orgs'][province]['province']}"
        ts = NOW - timedelta(days=1100)
        series.append((s + 1, title, json.dumps({LOCALE[country]: title}), "Regular meetings",
                       host, recorder, ts, ts, 1))
        invited += [(s + 1, o) for o in orgs]
        first = NOW - timedelta(days=1000 - rng.randrange(200))
        for k in range(SERIES_LENGTH):
            plan.append({"series": s + 1, "orgs": orgs, "host": host, "recorder": recorder,
                         "country": country, "confidential": False,
                         "kind": "consultation_session" if consultation
                         else "periodic_group_meeting",
                         "chair": ministry[s % len(ministry)] if consultation
                         else ctx["directors"].get(province),
                         "starts": first + timedelta(days=115 * k), "title": f"{title} #{k + 1}"})
    for a in range(N_AD_HOC):
        orgs = rng.sample(ctx["districts"], 4)
        country = ctx["orgs"][orgs[0]]["country"]
        plan.append({"series": None, "orgs": orgs, "host": ctx["branches"][a % 30],
                     "recorder": ctx["rms"][a % len(ctx["rms"])], "country": country,
                     "confidential": rng.random() < 0.2, "kind": "ad_hoc", "chair": None,
                     "starts": NOW - timedelta(days=rng.uniform(-60, 1000)),
                     "title": f"Ad-hoc meeting {a + 1}"})
    return series, invited, plan


def _meeting_state(spec, rng):
    if spec["starts"] > NOW:
        return "planned"
    if rng.random() < 0.04:
        return "cancelled"
    if spec["starts"] > NOW - timedelta(days=30):
        return "held"
    return "signed_off" if spec["kind"] == "consultation_session" else "minutes_approved"


def _meeting_row(mid, spec, state, ctx):
    starts = spec["starts"].replace(hour=6, minute=0, second=0, microsecond=0)
    ends, done = starts + timedelta(hours=3), state in ("held", "minutes_approved", "signed_off")
    approved = state in ("minutes_approved", "signed_off")
    official = user_ids(ctx, "ministry_official")[mid % 50]
    place = f"{ctx['orgs'][spec['host']]['province'] or 'Head office'}, meeting room"
    created = starts - timedelta(days=30)
    row = (mid, spec["series"], spec["kind"], state, spec["title"], starts, ends,
           TZ[spec["country"]], place, None, spec["host"], spec["chair"], None,
           spec["recorder"], spec["confidential"], spec["recorder"],
           "Postponed by the host" if state == "cancelled" else None,
           ends if done else None, ends + timedelta(days=3) if approved else None,
           spec["recorder"] if approved else None,
           ends + timedelta(days=10) if state == "signed_off" else None,
           official if state == "signed_off" else None, None, None, None,
           search_key(spec["title"], place), created,
           ends + timedelta(days=10) if done else created, 3 if approved else 1)
    return row, starts, ends, done


def _meeting_children(mid, spec, state, starts, ends, ctx, out):
    """Agenda, invited organisations, invitations and (when held) minutes and revisions."""
    rng, lang = ctx["rng"], LOCALE[spec["country"]]
    done = state in ("held", "minutes_approved", "signed_off")
    for k, title in enumerate(AGENDA[lang]):
        out["agenda"].append((mid, k + 1, title, None, 30))
    people = {}
    for org in spec["orgs"]:
        out["orgs"].append((mid, org, (rng.random() < 0.85) if done else None))
        director = ctx["directors"].get(org)
        if director:
            people[director] = org
    if spec["kind"] == "consultation_session" and spec["chair"]:
        people.setdefault(spec["chair"], ctx["ministry"])
    for user, org in people.items():
        reply = "accepted" if done or rng.random() < 0.6 else "pending"
        out["invitations"].append((mid, user, org, reply,
                                   starts - timedelta(days=5) if reply != "pending" else None,
                                   (rng.random() < 0.9) if done else None,
                                   starts - timedelta(days=20)))
    if done:
        body = "".join(MINUTES_TEXT[lang].format(k=k + 1) for k in range(4))
        out["minutes"].append((mid, mid, body, spec["recorder"], ends + timedelta(hours=1),
                               ends + timedelta(days=1), 2))
        out["revisions"].append((mid, 1, body[:len(body) // 2], spec["recorder"], None,
                                 ends + timedelta(hours=1)))
        out["revisions"].append((mid, 2, body, spec["recorder"], None, ends + timedelta(days=1)))


def _commitments(mid, spec, starts, ctx, out):
    rng, lang = ctx["rng"], LOCALE[spec["country"]]
    for _k in range(3):
        cid = len(out["commitments"]) + 1
        org = rng.choice(spec["orgs"])
        due = (starts + timedelta(days=rng.randrange(30, 120))).date()
        if due < (NOW - timedelta(days=60)).date():
            status = rng.choices(("done", "dropped", "open"), (75, 10, 15))[0]
        else:
            status = rng.choice(("open", "in_progress"))
        closed = datetime.combine(due, datetime.min.time()) + timedelta(hours=9) \
            if status in ("done", "dropped") else None
        owner = ctx["directors"].get(org) or spec["recorder"]
        out["commitments"].append((
            cid, mid, spec["series"], COMMITMENT_TEXT[lang].format(n=cid), owner, org, due,
            status, "No longer needed" if status == "dropped" else None, closed, None,
            starts + timedelta(hours=3), closed or starts + timedelta(hours=3),
            2 if closed else 1))
        out["events"].append((cid, spec["recorder"], mid, "open", None,
                              starts + timedelta(hours=3)))
        if closed:
            out["events"].append((cid, owner, None, status, None, closed))


def _copy_meetings(cur, series, invited, out):
    copy_rows(cur, "meeting_series", ("id", "title", "titles", "purpose",
                                      "host_organisation_id", "created_by_id", "created_at",
                                      "updated_at", "version_id"), series)
    copy_rows(cur, "meeting_series_organisation", ("series_id", "organisation_id"), invited)
    counts = {"meetings": copy_rows(cur, "meeting", MEETING_COLUMNS, out["meetings"])}
    for key, table, columns in (
            ("agenda", "meeting_agenda_item", ("meeting_id", "position", "title", "presenter",
                                               "minutes")),
            ("orgs", "meeting_organisation", ("meeting_id", "organisation_id", "attended")),
            ("invitations", "meeting_invitation", ("meeting_id", "user_id", "organisation_id",
                                                   "reply", "replied_at", "attended",
                                                   "created_at")),
            ("minutes", "meeting_minutes", ("id", "meeting_id", "body_html", "updated_by_id",
                                            "created_at", "updated_at", "version_id")),
            ("revisions", "meeting_minutes_revision", ("minutes_id", "number", "body_html",
                                                       "author_id", "reason", "created_at")),
            ("statements", "meeting_statement", ("meeting_id", "feedback_item_id",
                                                 "created_at", "confidential_by_meeting")),
            ("commitments", "meeting_commitment", (
                "id", "meeting_id", "series_id", "description", "owner_id", "organisation_id",
                "due_on", "status", "drop_reason", "closed_at", "reminded_for", "created_at",
                "updated_at", "version_id")),
            ("events", "meeting_commitment_event", ("commitment_id", "actor_id", "meeting_id",
                                                    "status", "note", "created_at"))):
        counts[key] = copy_rows(cur, table, columns, out[key])
    return counts


def gen_meetings(cur, ctx):
    rng = ctx["rng"]
    series, invited, plan = _meeting_plan(ctx)
    out = {k: [] for k in ("meetings", "agenda", "orgs", "invitations", "minutes", "revisions",
                           "statements", "commitments", "events")}
    statement_items = iter(rng.sample(range(1, N_FEEDBACK + 1), 2 * len(plan)))
    for mid, spec in enumerate(plan, start=1):
        state = _meeting_state(spec, rng)
        row, starts, ends, done = _meeting_row(mid, spec, state, ctx)
        out["meetings"].append(row)
        _meeting_children(mid, spec, state, starts, ends, ctx, out)
        if done:
            # the items keep their own visibility (none made confidential by the meeting)
            out["statements"] += [(mid, next(statement_items), ends, False) for _ in range(2)]
            _commitments(mid, spec, starts, ctx, out)
    counts = _copy_meetings(cur, series, invited, out)
    # the meeting page: a signed-off session late in a series, with minutes and commitments
    # carried from earlier sessions; the series page: its series
    cur.execute("SELECT m.id, m.series_id FROM meeting m WHERE m.state = 'signed_off' AND NOT "
                "m.confidential ORDER BY (SELECT count(*) FROM meeting_commitment c WHERE "
                "c.series_id = m.series_id AND c.status IN ('open', 'in_progress')) DESC, "
                "m.starts_at DESC LIMIT 1")
    ctx["meeting"], ctx["series"] = cur.fetchone()
    return (f"{len(series)} series, " + ", ".join(f"{n} {k}" for k, n in counts.items()))


# --- products and service packages ------------------------------------------------------------

N_PRODUCTS, N_PACKAGES = 500, 50
PRODUCT_CATEGORIES = ("loan", "deposit", "guarantee", "payment", "leasing", "advisory")
PRODUCT_SECTORS = ("agriculture", "handicrafts", "housing", "consumer", "transport",
                   "industry", "services", "households")
UNION_KINDS = ("national_union", "cooperative", "mass_organisation", "savings_group")
PRODUCT_NAMES = {"en": "{c} product {n}", "fa": "محصول {c} شماره {n}",
                 "vi": "Sản phẩm {c} số {n}", "th": "ผลิตภัณฑ์{c} หมายเลข {n}"}
PRODUCT_TEXT = {
    "en": "<p>For cooperatives and savings groups: small amounts, monthly repayment.</p>",
    "fa": "<p>برای تعاونی‌ها و صندوق‌های خرد: مبالغ کوچک با بازپرداخت ماهانه.</p>",
    "vi": "<p>Dành cho hợp tác xã và tổ tiết kiệm: khoản vay nhỏ, trả góp hàng tháng.</p>",
    "th": "<p>สำหรับสหกรณ์และกลุ่มออมทรัพย์ วงเงินเล็ก ผ่อนรายเดือน</p>",
}
LOCALES_ALL = ("en", "fa", "vi", "th")
PRODUCT_STATUSES = (("available", 70), ("in_design", 15), ("draft", 10), ("withdrawn", 5))


def _product_rows(ctx):
    rng, ts = ctx["rng"], NOW - timedelta(days=700)
    pool = [s for s, w in PRODUCT_STATUSES for _ in range(w)]
    products, texts, kinds, sectors = [], [], [], []
    for pid in range(1, N_PRODUCTS + 1):
        category, status = PRODUCT_CATEGORIES[pid % 6], rng.choice(pool)
        code = f"PRD-{pid:04d}"
        names = {loc: t.format(c=category, n=pid) for loc, t in PRODUCT_NAMES.items()}
        loan = category in ("loan", "leasing")
        products.append((
            pid, code, category, status, ("IRR", "VND", "THB")[pid % 3],
            1_000_000 * rng.randrange(1, 20) if loan else None,
            1_000_000 * rng.randrange(50, 500) if loan else None, 6 if loan else None,
            rng.choice((24, 36, 60)) if loan else None,
            round(rng.uniform(0, 18), 3) if category != "advisory" else None,
            rng.choice((None, 5, 10, 15)),
            (NOW + timedelta(days=rng.randrange(30, 365))).date()
            if status == "in_design" else None,
            ts if status in ("available", "withdrawn") else None,
            search_key(code, *names.values())[:1000], ts, ts, 1))
        texts += [(pid, loc, names[loc], PRODUCT_TEXT[loc]) for loc in PRODUCT_NAMES]
        kinds += [(pid, k) for k in rng.sample(UNION_KINDS, rng.randrange(1, 4))]
        sectors += [(pid, s) for s in rng.sample(PRODUCT_SECTORS, rng.randrange(1, 4))]
    return products, texts, kinds, sectors


def _package_rows(ctx):
    rng, ts = ctx["rng"], NOW - timedelta(days=600)
    packages, texts, links = [], [], []
    for gid in range(1, N_PACKAGES + 1):
        code = f"PKG-{gid:03d}"
        packages.append((gid, code, UNION_KINDS[gid % 4], "available" if gid % 5 else "draft",
                         rng.choice((None, 7, 20)), rng.choice((None, 1, 3)),
                         rng.choice((None, 5, 10)), gid % 3 == 0,
                         search_key(code, f"package {gid}"), ts, ts, 1))
        texts += [(gid, loc, f"{code} ({loc})", PRODUCT_TEXT[loc], "") for loc in LOCALES_ALL]
        links += [(gid, p) for p in rng.sample(range(1, N_PRODUCTS + 1), 6)]
    return packages, texts, links



def gen_products(cur, ctx):
    products, texts, kinds, sectors = _product_rows(ctx)
    n = copy_rows(cur, "product", (
        "id", "code", "category", "status", "currency", "min_amount", "max_amount",
        "min_tenor_months", "max_tenor_months", "rate_percent", "target_days",
        "planned_launch", "available_since", "search_key", "created_at", "updated_at",
        "version_id"), products)
    copy_rows(cur, "product_text", ("product_id", "locale", "name", "description"), texts)
    copy_rows(cur, "product_org_kind", ("product_id", "kind"), kinds)
    copy_rows(cur, "product_sector", ("product_id", "sector"), sectors)
    packages, ptexts, links = _package_rows(ctx)
    np_ = copy_rows(cur, "service_package", (
        "id", "code", "org_kind", "status", "min_members", "min_years_active",
        "max_overdue_percent", "requires_audited_accounts", "search_key", "created_at",
        "updated_at", "version_id"), packages)
    copy_rows(cur, "service_package_text", ("package_id", "locale", "name", "description",
                                            "eligibility"), ptexts)
    copy_rows(cur, "service_package_product", ("package_id", "product_id"), links)
    # the demand behind the products: a third of the product requests name one (one UPDATE)
    available = [p[0] for p in products if p[3] == "available"]
    cur.execute("UPDATE feedback_item SET product_id = (%s::int[])[1 + (id * 7919) %% %s] "
                "WHERE kind = 'product_request' AND id %% 3 = 0", (available, len(available)))
    linked = cur.rowcount
    cur.execute("SELECT product_id FROM feedback_item WHERE product_id IS NOT NULL GROUP BY "
                "product_id ORDER BY count(*) DESC, product_id LIMIT 1")
    ctx["product"] = cur.fetchone()[0]
    ctx["available_products"] = available
    return (f"{n} products ({len(texts)} texts, {len(kinds)} kinds, {len(sectors)} sectors), "
            f"{np_} packages, {linked} product requests linked")


# --- branches ------------------------------------------------------------------------------

N_BRANCHES, N_ORDINARY = 500, 170   # 30 specialised (gen_organisations) + 170 + 300 points


def _branch_orgs(ctx):
    """Organisations for the ordinary branches and the commune transaction points."""
    rng, rows, plan = ctx["rng"], [], []
    for i in range(N_ORDINARY):
        province = ctx["provinces"][i % len(ctx["provinces"])]
        country, pname, _d, _c = place_of(ctx, province)
        rows.append(new_org(ctx, "specialised_branch", "B-BR", f"Branch {pname} {i + 1}",
                            country, parent=ctx["head_office"], province=pname,
                            name_en=f"Branch {i + 1}"))
        plan.append((rows[-1][0], "ordinary", None))
    servers = ctx["branches"] + [r[0] for r in rows]
    for i in range(N_BRANCHES - len(servers)):
        commune_id = rng.choice(ctx["communes"])
        country, pname, dname, cname = place_of(ctx, commune_id)
        server = servers[i % len(servers)]
        rows.append(new_org(ctx, "specialised_branch", "B-PT", f"Transaction point {cname}",
                            country, parent=server, province=pname, district=dname,
                            commune=cname))
        plan.append((rows[-1][0], "commune_point", server))
    return rows, plan


def _branch_rows(ctx, plan):
    rng, ts = ctx["rng"], NOW - timedelta(days=800)
    staff = user_ids(ctx, "branch_staff")
    specs = [(org, "specialised", None) for org in ctx["branches"]] + plan
    branch_of = {org: bid for bid, (org, _k, _s) in enumerate(specs, start=1)}
    rows = []
    for bid, (org, kind, server) in enumerate(specs, start=1):
        point = kind == "commune_point"
        rows.append((bid, org, kind, branch_of.get(server), staff[bid - 1] if bid <= 30 else None,
                     f"Main street {bid}", "Sat-Wed 8:00-14:00" if not point else "",
                     rng.randrange(1, 29) if point else None, "", (ts - timedelta(
                         days=rng.randrange(3000))).date(), ts, ts, 1))
    return rows


def _branch_links(ctx, branches):
    rng, served, offered, packaged = ctx["rng"], [], [], []
    unions = ctx["districts"] + ctx["communes"]
    for bid, _org, kind, *_rest in branches:
        point = kind == "commune_point"
        if not point:
            served += [(bid, o) for o in rng.sample(unions, 15)]
            packaged += [(bid, g) for g in rng.sample(range(1, N_PACKAGES + 1), 3)]
        offered += [(bid, p) for p in rng.sample(ctx["available_products"], 5 if point else 25)]
    return served, offered, packaged


def _branch_activity(ctx, branches):
    """Training (courses, sessions, attendance), service deliveries, entrustment contracts."""
    rng, ts = ctx["rng"], NOW - timedelta(days=700)
    staff = user_ids(ctx, "branch_staff")
    courses = [(c, f"TRN-{c:02d}", f"Cooperative services {c}", "cooperatives", 8 * c % 40 + 8,
                c % 4 != 0, 24, ts, ts, 1) for c in range(1, 13)]
    sessions, attendance, deliveries, contracts, groups = [], [], [], [], []
    for sid in range(1, 181):
        bid = (sid - 1) % 30 + 1
        start = (NOW - timedelta(days=rng.randrange(1000))).date()
        sessions.append((sid, rng.randrange(1, 13), bid, start, start + timedelta(days=2),
                         "Training centre", "Trainer", ts, ts))
        people = [u for k, u in enumerate(staff) if k % 30 == bid - 1]
        attendance += [(sid, u, True, f"C-{sid}-{u}", start + timedelta(days=730), ts, ts)
                       for u in rng.sample(people, 8)]
    unions = ctx["districts"] + ctx["communes"]
    for did in range(1, 10_001):
        bid = rng.randrange(1, N_ORDINARY + 31)
        requested = (NOW - timedelta(days=rng.randrange(1000))).date()
        outcome = rng.choices(("delivered", "partly_delivered", "pending", "declined"),
                              (70, 10, 12, 8))[0]
        deliveries.append((did, bid, rng.choice(unions), rng.choice(ctx["available_products"]),
                           None, requested, requested + timedelta(days=rng.randrange(1, 30))
                           if outcome in ("delivered", "partly_delivered") else None,
                           1_000_000 * rng.randrange(1, 100), outcome, "", staff[bid % 600],
                           ts, ts, 1))
    mass = [d for d in ctx["districts"] if ctx["orgs"][d]["kind"] == "mass_organisation"]
    for cid, org in enumerate(mass[:100], start=1):
        contracts.append((cid, f"EC-{cid:04d}", rng.randrange(1, 31), org, "Savings groups",
                          0.5, (NOW - timedelta(days=900)).date(), None, ts, ts, 1))
        groups += [(cid, g) for g in ctx.get("groups_by_district", {}).get(org, [])[:10]]
    return courses, sessions, attendance, deliveries, contracts, groups


def gen_branches(cur, ctx):
    org_rows, plan = _branch_orgs(ctx)
    copy_rows(cur, "organisation", ORG_COLUMNS, org_rows)
    branches = _branch_rows(ctx, plan)
    n = copy_rows(cur, "branch", (
        "id", "organisation_id", "kind", "served_by_id", "head_id", "address", "opening_hours",
        "schedule_day", "schedule_note", "opened_on", "created_at", "updated_at",
        "version_id"), branches)
    served, offered, packaged = _branch_links(ctx, branches)
    copy_rows(cur, "branch_served_organisation", ("branch_id", "organisation_id"), served)
    copy_rows(cur, "branch_product", ("branch_id", "product_id"), offered)
    copy_rows(cur, "branch_package", ("branch_id", "package_id"), packaged)
    courses, sessions, attendance, deliveries, contracts, groups = _branch_activity(
        ctx, branches)
    copy_rows(cur, "training_course", ("id", "code", "title", "topic", "hours",
                                       "cooperative_services", "certificate_months",
                                       "created_at", "updated_at", "version_id"), courses)
    copy_rows(cur, "training_session", ("id", "course_id", "branch_id", "starts_on", "ends_on",
                                        "place", "trainer", "created_at", "updated_at"),
              sessions)
    copy_rows(cur, "training_attendance", ("session_id", "user_id", "passed", "certificate_no",
                                           "certificate_expires_on", "created_at",
                                           "updated_at"), attendance)
    nd = copy_rows(cur, "service_delivery", (
        "id", "branch_id", "organisation_id", "product_id", "package_id", "requested_on",
        "delivered_on", "amount", "outcome", "note", "recorded_by_id", "created_at",
        "updated_at", "version_id"), deliveries)
    nc = copy_rows(cur, "entrustment_contract", (
        "id", "number", "branch_id", "organisation_id", "scope", "fee_rate_percent",
        "starts_on", "ends_on", "created_at", "updated_at", "version_id"), contracts)
    copy_rows(cur, "entrustment_contract_group", ("contract_id", "organisation_id"), groups)
    return (f"{n} branches ({len(org_rows)} new bank organisations), {len(served)} served, "
            f"{len(offered)} products offered, {len(sessions)} training sessions, "
            f"{len(attendance)} attendances, {nd} deliveries, {nc} contracts")


# --- turnover: 1,000,000 reports over 36 months ---------------------------------------------

TURNOVER_COLUMNS = (
    "id", "organisation_id", "period_id", "currency", "total_turnover", "bank_turnover",
    "deposits", "average_balance", "loans", "accounts", "source", "reported_by_id",
    "confirmed_by_id", "confirmed_at", "created_at", "updated_at", "version_id")


def _periods(ctx):
    """36 months per country, the last two open; {(country, month index): period id}."""
    first = add_months(NOW.date(), -TURNOVER_MONTHS)
    rows, ids = [], {}
    for country in PROVINCES:
        for m in range(TURNOVER_MONTHS):
            pid = len(rows) + 1
            month = add_months(first, m)
            closed = m < TURNOVER_MONTHS - 2
            closed_at = datetime.combine(add_months(month, 2), datetime.min.time())
            rows.append((pid, country, month, "closed" if closed else "open",
                         closed_at if closed else None, 1 if closed else None,
                         datetime.combine(month, datetime.min.time()), closed_at))
            ids[(country, m)] = pid
    return rows, ids, first


def _turnover_rows(ctx, period_ids, first):
    """Streamed rows: per reporter a size and an in-bank share drifting month by month."""
    rng = ctx["rng"]
    reporters = ctx["districts"] + ctx["communes"] + ctx["groups"]
    late = len(reporters) * TURNOVER_MONTHS - N_TURNOVER  # these join a month later
    rid = 0
    for i, org in enumerate(reporters):
        country = ctx["orgs"][org]["country"]
        currency, director = CURRENCY[country], ctx["directors"].get(org)
        size = 10 ** rng.uniform(8, 11)
        share, drift = rng.uniform(0.2, 0.9), rng.uniform(-0.01, 0.01)
        for m in range(1 if i < late else 0, TURNOVER_MONTHS):
            rid += 1
            total = int(size * (0.8 + 0.4 * rng.random()))
            bank = int(total * min(1.0, max(0.0, share + drift * m)))
            source = "bank_system" if m % 3 else ("confirmed" if director else "reported")
            at = datetime.combine(add_months(first, m + 1), datetime.min.time())
            yield (rid, org, period_ids[(country, m)], currency, total, bank, bank // 3,
                   bank // 5, bank // 4, 1 + org % 40, source, None,
                   director if source == "confirmed" else None,
                   at + timedelta(days=12) if source == "confirmed" else None,
                   at + timedelta(days=10), at + timedelta(days=12), 1)


def bulk_copy(cur, table, columns, rows, references):
    """COPY many rows with the table's unique constraints (other than the primary key) built
    once afterwards and its foreign keys checked once, by one anti-join per reference, instead
    of row by row. references: ((column, referenced table), ...)."""
    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid ="
                " %s::regclass AND contype = 'u'", (table,))
    uniques = cur.fetchall()
    for name, _definition in uniques:
        cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    cur.execute("SET LOCAL session_replication_role = replica")  # no per-row FK triggers
    try:
        n = copy_rows(cur, table, columns, rows)
    finally:
        cur.execute("SET LOCAL session_replication_role = origin")
    for column, target in references:
        cur.execute(f'SELECT count(*) FROM "{table}" t WHERE t.{column} IS NOT NULL AND NOT '  # noqa: S608 - our tables
                    f'EXISTS (SELECT 1 FROM "{target}" r WHERE r.id = t.{column})')
        missing = cur.fetchone()[0]
        if missing:
            raise RuntimeError(f"{missing} rows of {table}.{column} point nowhere")
    for name, definition in uniques:
        cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    return n


def gen_turnover(cur, ctx):
    periods, period_ids, first = _periods(ctx)
    copy_rows(cur, "reporting_period", ("id", "country", "month", "status", "closed_at",
                                        "closed_by_id", "created_at", "updated_at"), periods)
    copy_rows(cur, "concentration_threshold", ("id", "share", "updated_by_id", "created_at",
                                               "updated_at"), [(1, 0.5, None, NOW, NOW)])
    n = bulk_copy(cur, "turnover_report", TURNOVER_COLUMNS,
                  _turnover_rows(ctx, period_ids, first),
                  (("organisation_id", "organisation"), ("period_id", "reporting_period"),
                   ("reported_by_id", "user"), ("confirmed_by_id", "user")))
    # the network's sums per period, as the portal keeps them on every write
    cur.execute("INSERT INTO turnover_period_total (period_id, currency, total_turnover,"
                " bank_turnover, organisations) SELECT period_id, currency,"
                " SUM(total_turnover), SUM(bank_turnover), COUNT(DISTINCT organisation_id)"
                " FROM turnover_report GROUP BY period_id, currency")
    return f"{len(periods)} periods, {n} turnover reports"


# --- indicators: plans, monthly actuals and group ratings for 100 districts -----------------

N_INDICATOR_DISTRICTS, INDICATOR_MONTHS = 100, 12
GRADES = ("good", "fair", "average", "weak")


def _indicator_rows():
    from portal.indicators.services import DEFINITIONS

    ids = {code: i for i, (code, *_rest) in enumerate(DEFINITIONS, start=1)}
    ts = NOW - timedelta(days=1000)
    rows = [(ids[code], code, unit.value, direction.value, plan_based, green, amber,
             ids.get(part_of), position, ts, ts, 1)
            for position, (code, unit, direction, plan_based, green, amber, part_of)
            in enumerate(DEFINITIONS)]
    return rows, ids


def _group_actuals(ctx, ids, group, months):
    rng = ctx["rng"]
    outstanding = rng.uniform(2e8, 4e9)
    households = rng.randrange(10, 60)
    for m, month in enumerate(months):
        loans = outstanding * (1 + 0.01 * m)
        overdue = loans * 0.004 if rng.random() < 0.15 else 0.0
        bad = loans * 0.002 if rng.random() < 0.05 else 0.0
        yield from ((group, ids["outstanding_loans"], month, loans, None),
                    (group, ids["borrowing_households"], month, households + m // 4, None),
                    (group, ids["loan_growth_ytd"], month, loans * 0.01 * (month.month), None),
                    (group, ids["group_savings"], month, loans * 0.05, None),
                    (group, ids["overdue_ratio"], month, overdue, loans),
                    (group, ids["bad_debt_ratio"], month, bad, loans))


def _indicator_data(ctx, ids, districts, months):
    rng = ctx["rng"]
    actuals, ratings, plans = [], [], []
    for district in districts:
        groups = ctx["groups_by_district"].get(district, [])
        for group in groups:
            actuals += _group_actuals(ctx, ids, group, months)
            grade = "good"
            for month in months:
                if rng.random() < 0.1:
                    grade = rng.choices(GRADES, (80, 10, 7, 3))[0]
                ratings.append((group, month, grade))
        for month in months:
            actuals += [(district, ids["deposits"], month, rng.uniform(1e10, 5e10), None),
                        (district, ids["disbursement_rate"], month, 0.99e9, 1e9),
                        (district, ids["collection_rate"], month, rng.uniform(0.85, 0.99) * 1e9,
                         1e9)]
        per_group = 2e9 * len(groups)
        for year in sorted({m.year for m in months}):
            plans += [(district, ids["outstanding_loans"], year, per_group * 1.05),
                      (district, ids["borrowing_households"], year, 40.0 * len(groups)),
                      (district, ids["loan_growth_ytd"], year, per_group * 0.12),
                      (district, ids["capital_mobilised"], year, 3.2e10 + per_group * 0.05)]
    return actuals, ratings, plans


def gen_indicators(cur, ctx):
    definitions, ids = _indicator_rows()
    copy_rows(cur, "indicator", ("id", "code", "unit", "direction", "plan_based", "green_at",
                                 "amber_at", "part_of_id", "position", "created_at",
                                 "updated_at", "version_id"), definitions)
    step = len(ctx["districts"]) / N_INDICATOR_DISTRICTS
    districts = [ctx["districts"][int(k * step)] for k in range(N_INDICATOR_DISTRICTS)]
    months = [add_months(NOW.date(), m - INDICATOR_MONTHS) for m in range(INDICATOR_MONTHS)]
    actuals, ratings, plans = _indicator_data(ctx, ids, districts, months)
    ts = NOW - timedelta(days=20)
    na = bulk_copy(cur, "indicator_actual", ("organisation_id", "indicator_id", "period",
                                             "amount", "base", "created_at", "updated_at"),
                   (a + (ts, ts) for a in actuals),
                   (("organisation_id", "organisation"), ("indicator_id", "indicator")))
    nr = copy_rows(cur, "group_rating", ("organisation_id", "period", "grade", "created_at",
                                         "updated_at"), (r + (ts, ts) for r in ratings))
    np_ = copy_rows(cur, "indicator_plan", ("organisation_id", "indicator_id", "year", "value",
                                            "created_at", "updated_at", "version_id"),
                    (p + (ts, ts, 1) for p in plans))
    # the district dashboard: a district in the first relationship manager's portfolio
    ctx["indicator_district"] = districts[0]
    return (f"{len(definitions)} indicators, {na} actuals, {nr} group ratings, {np_} plans "
            f"for {len(districts)} districts x {len(months)} months")


# (name, generator, tables it needs); skipped with a message when any table is missing
GENERATORS = [
    ("organisations", gen_organisations, ("organisation",)),
    ("users", gen_users, ("user", "membership", "portfolio_entry")),
    ("feedback", gen_feedback, ("feedback_item", "feedback_response", "feedback_endorsement",
                                "feedback_event")),
    ("member groups", gen_members, ("organisation",)),
    ("meetings", gen_meetings, ("meeting", "meeting_series", "meeting_minutes",
                                  "meeting_commitment")),
    ("products", gen_products, ("product",)),
    ("branches", gen_branches, ("branch",)),
    ("turnover", gen_turnover, ("reporting_period", "turnover_report",
                                "turnover_period_total")),
    ("indicators", gen_indicators, ("indicator", "indicator_actual", "group_rating")),
]


def existing_tables(url):
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def generate(dsn, seed=9):
    """Empty the data tables and fill them. Returns the context (ids the bench needs)."""
    tables = existing_tables(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
    ctx = {"rng": random.Random(seed), "log": [], "areas": []}  # noqa: S311 - repeatable
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        data_tables = [t for t in tables if t != "alembic_version"]
        cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in data_tables)
                    + " RESTART IDENTITY CASCADE")
        # plain indexes (not constraints) are dropped during the load and built once after:
        # much faster than maintaining the trigram index row by row
        cur.execute("SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = 'public'"
                    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname ="
                    " i.indexname)")
        indexes = cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        for name, gen, needs in GENERATORS:
            missing = [t for t in needs if t not in tables]
            if missing:
                line = f"SKIPPED {name}: tables not migrated yet ({', '.join(missing)})"
            else:
                start = time.perf_counter()
                line = f"{name}: {gen(cur, ctx)} in {time.perf_counter() - start:.1f} s"
                if not line.startswith(f"{name}: SKIPPED"):
                    ctx["areas"].append(name)
            print("  " + line, flush=True)
            ctx["log"].append(line)
        start = time.perf_counter()
        for _name, definition in indexes:
            cur.execute(definition)
        print(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - start:.1f} s",
              flush=True)
        cur.execute("SELECT table_name, pg_get_serial_sequence(quote_ident(table_name), 'id')"
                    " FROM information_schema.columns WHERE table_schema = 'public' AND"
                    " column_name = 'id'")
        for table, seq in cur.fetchall():
            if seq and table in data_tables:
                cur.execute(f"SELECT setval(%s, COALESCE((SELECT max(id) FROM \"{table}\"), 0)"  # noqa: S608 - our tables
                            " + 1, false)", (seq,))
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        # VACUUM too: it sets the visibility map, without which the dashboards' index-only
        # scans read the heap (production's autovacuum does this a while after an import)
        conn.execute("VACUUM ANALYZE")
    ctx.pop("rng")
    return ctx


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dsn")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--context", default="bench/results/context.json",
                        help="where to write the ids the load runs use")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    ctx = generate(args.dsn, args.seed)
    elapsed = time.perf_counter() - start
    print(f"  data set generated in {elapsed:.1f} s", flush=True)
    keep = {k: ctx[k] for k in ("login", "provinces", "districts", "head_office", "branches",
                                "feedback_item", "log", "areas", "meeting", "series",
                                "product", "indicator_district") if k in ctx}
    keep["province_director_org"] = ctx["provinces"][0]
    keep["generate_seconds"] = round(elapsed, 1)
    with open(args.context, "w") as fh:
        json.dump(keep, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

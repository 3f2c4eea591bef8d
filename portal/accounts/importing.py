"""Importing organisations from CSV or XLSX: the whole file or nothing.

Every row is validated before anything is written; a file with any bad row changes nothing and
the administrator sees every bad row with its line number and reason. Rows are matched by code,
so importing the same file twice changes nothing the second time.
"""
import re

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name
from flask_babel import gettext as _

from portal import permissions
from portal.accounts.models import (
    ORGANISATION_CODE,
    ORGANISATION_CODE_MAX,
    Organisation,
    OrgKind,
)
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.sanitize import plain_text
from portal.core.tabular import read_table
from portal.extensions import db
from portal.i18n.vocabulary import Vocabulary

COLUMNS = ("code", "name", "name_en", "kind", "parent_code", "country", "province", "district",
           "commune", "currency")
REQUIRED = ("code", "name", "kind", "country", "currency")
# A district of the Vietnamese network as the ratings need it: the head office, its district
# office, a commune transaction point, an entrusted mass organisation and one of its savings
# groups (the same rows as the demo network, so importing the template there changes nothing).
EXAMPLE_ROWS = [
    ("VBSP-HO", "Ngân hàng Chính sách xã hội", "Vietnam Bank for Social Policies",
     "bank_head_office", "", "VN", "Hà Nội", "", "", "VND"),
    ("VBSP-KB", "Phòng giao dịch NHCSXH huyện Kim Bảng",
     "VBSP Kim Bang district transaction office", "specialised_branch", "VBSP-HO", "VN",
     "Hà Nam", "Kim Bảng", "", "VND"),
    ("VBSP-KB-DGD01", "Điểm giao dịch xã Quế", "Quế commune transaction point",
     "specialised_branch", "VBSP-KB", "VN", "Hà Nam", "Kim Bảng", "Quế", "VND"),
    ("VN-KB-WU", "Hội Liên hiệp Phụ nữ huyện Kim Bảng", "Kim Bang Women's Union",
     "mass_organisation", "", "VN", "Hà Nam", "Kim Bảng", "", "VND"),
    ("VN-KB-G0101", "Tổ TK&VV số 1 xã Quế", "Savings-and-loan group 1, Quế", "savings_group",
     "VN-KB-WU", "VN", "Hà Nam", "Kim Bảng", "Quế", "VND"),
]

# The kind column takes the code, the label in any of the portal's languages, or the short
# forms people write in their own files (the Vietnamese network's abbreviations above all).
KIND_ALIASES = {
    OrgKind.BANK_HEAD_OFFICE: ("head office", "Hội sở chính", "Trụ sở chính", "اداره مرکزی",
                               "สำนักงานใหญ่"),
    OrgKind.SPECIALISED_BRANCH: ("branch", "bank branch", "district office",
                                 "transaction office", "commune transaction point",
                                 "Chi nhánh", "Phòng giao dịch", "PGD", "Điểm giao dịch xã",
                                 "Điểm giao dịch", "شعبه", "สาขา"),
    OrgKind.MINISTRY: ("وزارت", "Bộ ngành"),
    OrgKind.NATIONAL_UNION: ("union", "Liên hiệp", "اتحادیه", "สหภาพ"),
    OrgKind.COOPERATIVE: ("co-op", "coop", "HTX", "شرکت تعاونی", "สหกรณ์"),
    OrgKind.MASS_ORGANISATION: ("mass organization", "entrusted organisation",
                                "entrusted organization", "Tổ chức nhận ủy thác",
                                "Tổ chức chính trị xã hội", "Hội đoàn thể", "Đoàn thể"),
    OrgKind.SAVINGS_GROUP: ("savings group", "savings and loan group", "Tổ TK&VV", "Tổ TKVV",
                            "TK&VV", "Tổ tiết kiệm vay vốn", "Tổ TK và VV",
                            "گروه پس‌انداز و اعتبار", "گروه پس‌انداز",
                            "กลุ่มออมทรัพย์", "กลุ่มออมทรัพย์เพื่อการผลิต"),
}
KINDS = Vocabulary(((kind, kind.value, kind.label) for kind in OrgKind),
                   KIND_ALIASES)


class ImportRejected(ValidationError):
    """The file was refused; .rows lists (line, reason) for every bad row."""

    def __init__(self, rows):
        super().__init__(_("The file was not imported: %(n)d rows have errors.", n=len(rows)))
        self.rows = rows


def _valid_country(code):
    try:
        return bool(code) and len(code) == 2 and code.isalpha() and \
            Locale("en").territories.get(code.upper()) is not None
    except UnknownLocaleError:
        return False


def _valid_currency(code):
    return len(code) == 3 and code.isalpha() and get_currency_name(code.upper(), locale="en") \
        != code.upper()


def _valid_code(code):
    return len(code) <= ORGANISATION_CODE_MAX and re.fullmatch(ORGANISATION_CODE, code)


def _row_errors(row, known_codes, seen_codes):
    errors = []
    for column in REQUIRED:
        if not row.get(column):
            errors.append(_("the column “%(column)s” is empty", column=column))
    kind = row.get("kind", "")
    if kind and KINDS.read(kind) is None:
        errors.append(_("“%(value)s” is not a kind of organisation; write one of: %(allowed)s",
                        value=kind, allowed=KINDS.allowed()))
    if row.get("country") and not _valid_country(row["country"]):
        errors.append(_("“%(value)s” is not a country code", value=row["country"]))
    if row.get("currency") and not _valid_currency(row["currency"]):
        errors.append(_("“%(value)s” is not a currency code", value=row["currency"]))
    code = row.get("code", "")
    if code and not _valid_code(code):
        # the form's rule: a code names export files and must not smuggle quotes into them
        errors.append(_("“%(code)s” is not a valid code: use up to %(max)d letters, digits, "
                        "dots, dashes and underscores", code=code, max=ORGANISATION_CODE_MAX))
    if code and code in seen_codes:
        errors.append(_("the code “%(code)s” appears twice in the file", code=code))
    parent = row.get("parent_code", "")
    if parent and parent not in known_codes:
        errors.append(_("no organisation has the parent code “%(code)s”", code=parent))
    if parent and parent == code:
        errors.append(_("an organisation cannot be its own parent"))
    return errors


def _validate(records, header):
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRejected([(1, _("missing columns: %(columns)s",
                                    columns=", ".join(missing)))])
    existing = {code for (code,) in db.session.execute(db.select(Organisation.code))}
    file_codes = {row.get("code") for _line, row in records if row.get("code")}
    known = existing | file_codes
    bad, seen = [], set()
    for line, row in records:
        for reason in _row_errors(row, known, seen):
            bad.append((line, reason))
        seen.add(row.get("code"))
    if bad:
        raise ImportRejected(bad)


def _apply(row, org):
    org.code = plain_text(row["code"], 40)
    org.name = plain_text(row["name"], 200)
    org.name_en = plain_text(row.get("name_en", ""), 200) or None
    org.kind = KINDS.read(row["kind"])
    org.country = row["country"].upper()
    org.currency = row["currency"].upper()
    for field in ("province", "district", "commune"):
        setattr(org, field, plain_text(row.get(field, ""), 120) or None)


def import_organisations(actor, filename, data):
    """Create or update organisations by code. Returns (created, updated, unchanged)."""
    require(permissions.can_manage_organisations(actor))
    header, records = read_table(filename, data)
    _validate(records, header)
    by_code = {o.code: o for o in db.session.scalars(db.select(Organisation))}
    created = updated = unchanged = 0
    pending_parents = []
    for _line, row in records:
        org = by_code.get(row["code"])
        before = org is not None
        if org is None:
            org = Organisation()
            db.session.add(org)
            created += 1
        _apply(row, org)
        by_code[org.code] = org
        pending_parents.append((org, row.get("parent_code") or None, before))
    for org, parent_code, before in pending_parents:
        parent = by_code.get(parent_code) if parent_code else None
        if org.parent is not parent:
            org.parent = parent
        if before:
            if db.session.is_modified(org):
                updated += 1
            else:
                unchanged += 1
    db.session.flush()
    audit.record(actor, "organisations_imported", "Organisation",
                 after={"file": filename, "created": created, "updated": updated})
    return created, updated, unchanged

"""Importing organisations from CSV or XLSX: the whole file or nothing.

Every row is validated before anything is written; a file with any bad row changes nothing and
the administrator sees every bad row with its line number and reason. Rows are matched by code,
so importing the same file twice changes nothing the second time.
"""
from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name
from flask_babel import gettext as _

from portal import permissions
from portal.accounts.models import Organisation, OrgKind
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.sanitize import plain_text
from portal.core.tabular import read_table
from portal.extensions import db

COLUMNS = ("code", "name", "name_en", "kind", "parent_code", "country", "province", "district",
           "commune", "currency")
REQUIRED = ("code", "name", "kind", "country", "currency")
EXAMPLE_ROWS = [
    ("CDB-HO", "بانک توسعه تعاون", "Cooperative Development Bank", "bank_head_office", "",
     "IR", "تهران", "", "", "IRR"),
    ("VBSP-KB", "Phòng giao dịch NHCSXH huyện Kim Bảng", "VBSP Kim Bang district office",
     "bank_head_office", "", "VN", "Hà Nam", "Kim Bảng", "", "VND"),
]


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


def _row_errors(row, known_codes, seen_codes):
    errors = []
    for column in REQUIRED:
        if not row.get(column):
            errors.append(_("the column “%(column)s” is empty", column=column))
    kind = row.get("kind", "")
    if kind and kind not in {k.value for k in OrgKind}:
        errors.append(_("“%(value)s” is not a kind of organisation", value=kind))
    if row.get("country") and not _valid_country(row["country"]):
        errors.append(_("“%(value)s” is not a country code", value=row["country"]))
    if row.get("currency") and not _valid_currency(row["currency"]):
        errors.append(_("“%(value)s” is not a currency code", value=row["currency"]))
    code = row.get("code", "")
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
    org.kind = OrgKind(row["kind"])
    org.country = row["country"].upper()
    org.currency = row["currency"].upper()
    for field in ("province", "district", "commune"):
        setattr(org, field, plain_text(row.get(field, ""), 120) or None)
    org.refresh_search_key()


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

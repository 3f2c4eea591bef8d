"""Importing plans, actuals and group ratings from CSV or XLSX: the whole file or nothing.

Every row is checked in one pass and every bad row is listed with its line and reason.
Rows are matched by their natural key (organisation, indicator, year or month), only values
that differ are written, so the same file twice changes nothing. A month whose reporting
period is closed (see the turnover area) refuses changes.
"""
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import permissions
from portal.accounts.models import Organisation, OrgKind
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.tabular import read_table
from portal.extensions import db
from portal.i18n import current_language
from portal.i18n.fields import LARGEST
from portal.i18n.parsing import Unreadable, parse_number
from portal.i18n.vocabulary import Vocabulary
from portal.indicators import permissions as indicators_permissions
from portal.indicators import services
from portal.indicators.models import (
    INDICATOR_LABELS,
    Grade,
    GroupRating,
    IndicatorActual,
    IndicatorPlan,
)
from portal.turnover import services as turnover_services

CENT = Decimal("0.01")
KINDS = {
    "actuals": ("organisation_code", "period", "indicator", "value", "base"),
    "plans": ("organisation_code", "year", "indicator", "value"),
    "ratings": ("organisation_code", "period", "grade"),
}
KIND_LABELS = {"actuals": _l("Actuals"), "plans": _l("Plans"), "ratings": _l("Group ratings")}
EXAMPLES = {
    "actuals": [("VN-KB-G0101", "2023-08", "outstanding_loans", "2404427000", ""),
                ("VN-KB-G0101", "2023-08", "bad_debt_ratio", "0", "2404427000")],
    "plans": [("VBSP-KB", "2023", "outstanding_loans", "520418000000")],
    "ratings": [("VN-KB-G0101", "2023-08", "good")],
}


# Grades and indicators are read as their code or their name in any language of the portal
# ("Tốt", "خوب", "ดี" are all good); "TB" is how Vietnamese rating sheets shorten trung bình.
GRADES = Vocabulary(((g, g.value, g.label) for g in Grade),
                    {Grade.AVERAGE: ("TB",), Grade.WEAK: ("kém",)})
INDICATORS = Vocabulary((code, code, label) for code, label in INDICATOR_LABELS.items())


class Imported(NamedTuple):
    """What an accepted file did, and what it was about: the organisations of its rows, the
    places (country, province, district) they lie in and its latest month (a year for
    plans), so that the importer can be taken to the dashboard that shows it."""

    created: int
    updated: int
    unchanged: int
    organisation_ids: frozenset
    places: frozenset
    latest: object


class ImportRejected(ValidationError):
    def __init__(self, rows):
        # rows: (line, reason), a line once for each of its reasons; count the lines
        super().__init__(_("The file was not imported: %(n)d rows have errors.",
                           n=len({line for line, _reason in rows})))
        self.rows = rows


def _number(text):
    """A figure as the importer's people write it: any digits, their locale's separators; a
    Decimal to the cent, as it is kept (models.AMOUNT), so a file imported again compares
    equal to what it wrote."""
    try:
        value = parse_number(text, current_language())
    except Unreadable:
        return None
    if value is None or abs(value) >= LARGEST:
        return None
    return value.quantize(CENT)


def _month_text(text):
    """A month as written in the file. A month typed into Excel (2023-08) is stored as a
    date, which the XLSX reader gives as '2023-08-01 00:00:00': keep its date part."""
    text = (text or "").strip()
    if len(text) == 19 and text.endswith(" 00:00:00"):
        return text[:10]
    return text


def _validate(actor, kind, header, records):
    columns = KINDS[kind]
    required = [c for c in columns if c != "base"]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRejected([(1, _("missing columns: %(columns)s",
                                    columns=", ".join(missing)))])
    orgs = {o.code: o for o in db.session.scalars(
        indicators_permissions.visible_indicator_organisations(actor))} \
        if not permissions.is_admin(actor) else {
        o.code: o for o in db.session.scalars(sa.select(Organisation))}
    codes = {i.code: i for i in services.indicators()}
    locked, bad, clean, seen = {}, [], [], set()
    for line, row in records:
        reasons = []
        org = orgs.get(row.get("organisation_code", "").strip())
        if org is None:
            reasons.append(_("no organisation you may report for has the code “%(code)s”",
                             code=row.get("organisation_code", "")))
        if kind == "plans":
            text = row.get("year", "").strip()
            when = int(text) if text.isdigit() and 1900 < int(text) < 2200 else None
            if when is None:
                reasons.append(_("“%(value)s” is not a year", value=text))
        else:
            when = turnover_services.parse_month(_month_text(row.get("period", "")))
            if when is None:
                reasons.append(_("“%(value)s” is not a month (write it as 2025-08)",
                                 value=row.get("period", "")))
            elif org is not None:
                key = (org.country, when)
                if key not in locked:
                    locked[key] = turnover_services.is_locked(*key)
                if locked[key]:
                    reasons.append(_("the period %(month)s is closed",
                                     month=f"{when:%Y-%m}"))
        if kind == "ratings":
            value = GRADES.read(row.get("grade", ""))
            if value is None:
                reasons.append(_("“%(value)s” is not a grade; write one of: %(allowed)s",
                                 value=row.get("grade", ""), allowed=GRADES.allowed()))
            if org is not None and org.kind != OrgKind.SAVINGS_GROUP:
                reasons.append(_("“%(code)s” is not a savings-and-loan group", code=org.code))
            extra, indicator = None, None
        else:
            written = row.get("indicator", "").strip()
            indicator = codes.get(written) or codes.get(INDICATORS.read(written))
            if indicator is None:
                reasons.append(_("“%(value)s” is not an indicator; write one of: %(allowed)s",
                                 value=written, allowed=INDICATORS.allowed()))
            value = _number(row.get("value", ""))
            if value is None:
                reasons.append(_("“%(value)s” is not a number", value=row.get("value", "")))
            extra = None
            if kind == "actuals" and row.get("base", "").strip():
                extra = _number(row["base"])
                if extra is None or extra < 0:
                    reasons.append(_("“%(value)s” is not a number", value=row["base"]))
            if kind == "actuals" and indicator is not None and \
                    indicator.unit.value == "ratio" and extra is None:
                reasons.append(_("a ratio needs its base (the amount it is a share of)"))
        key = (org.id if org else None, indicator.id if indicator else None, when)
        if org is not None and when is not None and key in seen:
            reasons.append(_("this row repeats an earlier one"))
        seen.add(key)
        if reasons:
            bad.extend((line, reason) for reason in reasons)
        else:
            clean.append((org, indicator, when, value, extra))
    if bad:
        raise ImportRejected(bad)
    return clean


def _write(kind, rows):
    """Insert what is new and update what differs, in bulk. Returns (created, updated)."""
    now = utcnow()
    if kind == "ratings":
        model, key_cols = GroupRating, ("organisation_id", "period")
        values = [{"organisation_id": o.id, "period": w, "grade": v} for o, _i, w, v, _x in rows]
        fields = ("grade",)
    elif kind == "plans":
        model, key_cols = IndicatorPlan, ("organisation_id", "indicator_id", "year")
        values = [{"organisation_id": o.id, "indicator_id": i.id, "year": w, "value": v}
                  for o, i, w, v, _x in rows]
        fields = ("value",)
    else:
        model, key_cols = IndicatorActual, ("organisation_id", "indicator_id", "period")
        values = [{"organisation_id": o.id, "indicator_id": i.id, "period": w, "amount": v,
                   "base": x} for o, i, w, v, x in rows]
        fields = ("amount", "base")
    table = model.__table__
    org_ids = {v["organisation_id"] for v in values}
    existing = {}
    for chunk in range(0, len(org_ids), 900):
        ids = sorted(org_ids)[chunk:chunk + 900]
        for row in db.session.execute(sa.select(table.c.id, *(table.c[c] for c in key_cols),
                                                *(table.c[f] for f in fields))
                                      .where(table.c.organisation_id.in_(ids))):
            key = tuple(row[1:1 + len(key_cols)])
            existing[key] = (row[0], tuple(row[1 + len(key_cols):]))
    inserts, updates = [], []
    for v in values:
        key = tuple(v[c] for c in key_cols)
        new = tuple(v[f].value if isinstance(v[f], Grade) else v[f] for f in fields)
        if key not in existing:
            inserts.append(v | {"created_at": now, "updated_at": now} |
                           ({"version_id": 1} if kind == "plans" else {}))
        else:
            old = tuple(x.value if isinstance(x, Grade) else x for x in existing[key][1])
            if old != new:
                updates.append({"_id": existing[key][0], **{f: v[f] for f in fields},
                                "updated_at": now})
    if inserts:
        db.session.execute(table.insert(), inserts)
    if updates:
        stmt = table.update().where(table.c.id == sa.bindparam("_id")).values(
            **{f: sa.bindparam(f) for f in fields}, updated_at=sa.bindparam("updated_at"))
        if kind == "plans":
            stmt = stmt.values(version_id=table.c.version_id + 1)
        db.session.execute(stmt, updates)
    db.session.expire_all()
    return len(inserts), len(updates), len(values) - len(inserts) - len(updates)


def import_file(actor, kind, filename, data):
    """Import plans, actuals or ratings. Returns Imported (created, updated, unchanged and
    what the rows were about). Plans need
    an administrator; actuals and ratings a relationship manager for their area or an
    administrator."""
    if kind not in KINDS:
        raise ValidationError(_("Unknown kind of file."))
    require(indicators_permissions.can_manage_indicators(actor) if kind == "plans"
            else indicators_permissions.can_import_indicators(actor))
    services.ensure_definitions()
    header, records = read_table(filename, data)
    rows = _validate(actor, kind, header, records)
    # read before writing: the bulk write expires the organisations of the rows
    org_ids = frozenset(o.id for o, *_rest in rows)
    places = frozenset((o.country, o.province, o.district) for o, *_rest in rows)
    latest = max((when for _o, _i, when, _v, _x in rows), default=None)
    result = _write(kind, rows)
    if result[0] or result[1]:
        audit.record(actor, f"indicator_{kind}_imported", "Indicator",
                     after={"file": filename, "created": result[0], "updated": result[1]})
    return Imported(*result, org_ids, places, latest)

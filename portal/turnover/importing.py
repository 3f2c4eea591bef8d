"""Importing monthly turnover from CSV or XLSX: the whole file or nothing, fast.

One pass validates every row (and collects every bad row with its line and reason); if any
row is bad nothing is written. A good file is staged in a temporary table (COPY on
PostgreSQL, executemany elsewhere) and merged with four set-based statements: keep the
previous values of the reports that change, update them, insert the new ones. Rows are
matched by organisation, period and currency and only figures that differ are written, so
importing the same file twice changes nothing the second time. Values that a spreadsheet
would run as formulas cannot get in: codes must match, numbers must be numbers.
"""
import codecs
import csv
import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import permissions
from portal.accounts.models import Organisation
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.tabular import read_table
from portal.extensions import db
from portal.turnover.models import (
    FIGURES,
    PeriodStatus,
    ReportingPeriod,
    TurnoverReport,
    TurnoverRevision,
    TurnoverSource,
)
from portal.turnover.services import refresh_period_totals

COLUMNS = ("organisation_code", "period", "currency") + FIGURES
MAX_LISTED = 1000  # bad rows shown on the page; the count says how many there are in all
# the largest value of each figure: within what the column holds (INTEGER for accounts) and
# what JSON clients hold exactly (9e15), so a larger one is refused on its row instead of
# failing the whole file in the database
FIGURE_MAX = {f: 9_000_000_000_000_000 for f in FIGURES} | {"accounts": 2_147_483_647}
TOO_LARGE = object()
_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})(?:[-/]\d{1,2})?(?:[ T][\d:.]*)?$")


class ImportRejected(ValidationError):
    """The file was refused; .rows lists (line, reason) for every bad row."""

    def __init__(self, rows):
        # a row can fail for several reasons: count the rows, list every reason
        super().__init__(_("The file was not imported: %(n)d rows have errors.",
                           n=len({line for line, _reason in rows})))
        self.rows = rows


def template_rows(period_key, organisations):
    """Example rows for the downloadable template: one per organisation, figures empty."""
    return [(org.code, period_key, org.currency, "", "", "", "", "", "") for org in organisations]


# --- reading ---------------------------------------------------------------------------------

def _csv_rows(data):
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file must be saved as UTF-8 text.")) from exc
    first = text[:text.find("\n")] if "\n" in text else text
    delimiter = max((",", ";", "\t"), key=first.count)
    for line, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if any(row):
            yield line, row


def read_rows(filename, data):
    """(header, iterator of (line, [values])) from a CSV (streamed) or an XLSX file."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        header, records = read_table(filename, data)  # size and zip-bomb checks live there
        return header, ((line, [row.get(c, "") for c in header]) for line, row in records)
    if not (name.endswith((".csv", ".txt")) or not name):
        raise ValidationError(_("Upload a CSV or XLSX file."))
    rows = _csv_rows(data)
    first = next(rows, None)
    if first is None:
        raise ValidationError(_("The file is empty."))
    return [h.strip().lower() for h in first[1]], rows


# --- validating ------------------------------------------------------------------------------

def _whole(value):
    """A whole number from text such as "1200", "1200.0" or "1.2E+3"; None when it is not one,
    TOO_LARGE when it has more than 19 digits (checked before expanding it: "1e999999" would
    take minutes to turn into an int)."""
    value = value.strip()
    if len(value) <= 19:
        try:
            return int(value)
        except ValueError:
            pass
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number.adjusted() >= 19:
        return TOO_LARGE if number > 0 else -1  # a hugely negative one is refused as negative
    if number != number.to_integral_value():
        return None
    return int(number)


def _month(text, cache):
    if text in cache:
        return cache[text]
    match = _MONTH.match(text.strip())
    month = None
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        if 1 <= number <= 12 and 1900 < year < 2200:
            month = date(year, number, 1)
    cache[text] = month
    return month


def validate(actor, header, rows, everyone=False):
    """Check every row in one pass. Returns (staged rows, periods needed, bad rows).

    A staged row is (organisation_id, country, month, currency, *figures). everyone: the
    bank's systems (through the API) report for every organisation.
    """
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportRejected([(1, _("missing columns: %(columns)s",
                                    columns=", ".join(missing)))])
    index = [header.index(c) for c in COLUMNS]
    width = max(index) + 1
    orgs = {code: (org_id, country, currency) for code, org_id, country, currency in
            db.session.execute(sa.select(Organisation.code, Organisation.id,
                                         Organisation.country, Organisation.currency))}
    scope = None if everyone else permissions.turnover_scope_ids(actor)
    allowed = None if scope is None else set(db.session.scalars(scope))
    closed = {(country, month) for country, month in db.session.execute(
        sa.select(ReportingPeriod.country, ReportingPeriod.month).where(
            ReportingPeriod.status == PeriodStatus.CLOSED))}
    months, seen, staged, bad, needed = {}, set(), [], [], set()
    not_number = _("“%(column)s” is not a whole number: “%(value)s”")
    for line, raw in rows:
        if len(raw) < width:
            raw = raw + [""] * (width - len(raw))
        code, period_text, currency = (raw[index[0]].strip(), raw[index[1]],
                                       raw[index[2]].strip().upper())
        reasons = []
        org = orgs.get(code)
        if not code:
            reasons.append(_("the column “%(column)s” is empty", column="organisation_code"))
        elif org is None:
            reasons.append(_("no organisation has the code “%(code)s”", code=code))
        elif allowed is not None and org[0] not in allowed:
            reasons.append(_("you may not report figures for “%(code)s”", code=code))
        month = _month(period_text, months)
        if month is None:
            reasons.append(_("“%(value)s” is not a month (write it as 2025-08)",
                             value=period_text))
        elif org is not None and (org[1], month) in closed:
            reasons.append(_("the period %(month)s is closed", month=f"{month:%Y-%m}"))
        if org is not None and currency != org[2]:
            reasons.append(_("“%(value)s” is not the currency of “%(code)s” (%(currency)s)",
                             value=currency, code=code, currency=org[2]))
        figures = []
        for position, column in enumerate(FIGURES, start=3):
            text = raw[index[position]]
            # plain digits (nearly every figure) skip the function call: a million rows
            # hold six million figures
            number = int(text) if text.isdecimal() and len(text) < 19 else \
                _whole(text) if text else None
            if number is None:
                reasons.append(not_number % {"column": column, "value": text})
            elif number is TOO_LARGE or number > FIGURE_MAX[column]:
                reasons.append(_("“%(column)s” cannot be larger than %(n)s", column=column,
                                 n=FIGURE_MAX[column]))
                number = None
            elif number < 0:
                reasons.append(_("“%(column)s” cannot be negative", column=column))
            figures.append(number)
        if not reasons and figures[1] > figures[0]:
            reasons.append(_("turnover through the bank is larger than the total turnover"))
        if org is not None and month is not None:
            key = (org[0], month, currency)
            if key in seen:
                reasons.append(_("“%(code)s” appears twice for %(month)s", code=code,
                                 month=f"{month:%Y-%m}"))
            seen.add(key)
        if reasons:
            bad.extend((line, reason) for reason in reasons)
        elif not bad:  # once a row is bad nothing will be written; stop collecting
            staged.append((org[0], org[1], month, currency, *figures))
            needed.add((org[1], month))
    return staged, needed, bad


# --- writing ---------------------------------------------------------------------------------

_stage_meta = sa.MetaData()
STAGE = sa.Table(
    "turnover_stage", _stage_meta,
    sa.Column("organisation_id", sa.Integer, nullable=False),
    sa.Column("period_id", sa.Integer, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    *(sa.Column(f, sa.BigInteger, nullable=False) for f in FIGURES),
    prefixes=["TEMPORARY"],
)


def _periods(needed):
    """Ids of the periods the file names, creating (open) the ones that do not exist yet."""
    ids = {}
    for country, month in sorted(needed):
        period = db.session.scalar(sa.select(ReportingPeriod).where(
            ReportingPeriod.country == country, ReportingPeriod.month == month))
        if period is None:
            period = ReportingPeriod(country=country, month=month, status=PeriodStatus.OPEN)
            db.session.add(period)
            db.session.flush()
        ids[(country, month)] = period.id
    return ids


def _stage(conn, rows):
    STAGE.drop(conn, checkfirst=True)
    STAGE.create(conn)
    names = [c.name for c in STAGE.columns]
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY turnover_stage ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.execute(sa.text("ANALYZE turnover_stage"))
    else:
        for start in range(0, len(rows), 50_000):
            conn.execute(STAGE.insert(), [dict(zip(names, row, strict=True))
                                          for row in rows[start:start + 50_000]])


def merge_staged(conn, actor_id, source):
    """Merge the staged rows into turnover_report. Returns (created, updated, unchanged)."""
    report, stage = TurnoverReport.__table__, STAGE
    match = sa.and_(report.c.organisation_id == stage.c.organisation_id,
                    report.c.period_id == stage.c.period_id,
                    report.c.currency == stage.c.currency)
    differs = sa.or_(*(report.c[f] != stage.c[f] for f in FIGURES))
    total = conn.scalar(sa.select(sa.func.count()).select_from(stage))
    # the rows that match a report, and those of them that differ, in one pass
    existing, changed = conn.execute(sa.select(
        sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((differs, 1), else_=0)), 0))
        .select_from(stage.join(report, match))).one()
    now = utcnow()
    if changed:
        revision = TurnoverRevision.__table__
        conn.execute(revision.insert().from_select(
            ["report_id", "changed_at", "changed_by_id", "new_source", *FIGURES, "source"],
            sa.select(report.c.id, sa.literal(now, sa.DateTime),
                      sa.literal(actor_id, sa.Integer), sa.literal(source.value, sa.String),
                      *(report.c[f] for f in FIGURES), report.c.source)
            .select_from(report.join(stage, match)).where(differs)))
        conn.execute(report.update().where(match, differs).values(
            **{f: stage.c[f] for f in FIGURES}, source=source.value, reported_by_id=actor_id,
            confirmed_by_id=None, confirmed_at=None, updated_at=now,
            version_id=report.c.version_id + 1))
    created = total - existing
    if created:
        conn.execute(report.insert().from_select(
            ["organisation_id", "period_id", "currency", *FIGURES, "source", "reported_by_id",
             "version_id", "created_at", "updated_at"],
            sa.select(stage.c.organisation_id, stage.c.period_id, stage.c.currency,
                      *(stage.c[f] for f in FIGURES), sa.literal(source.value, sa.String),
                      sa.literal(actor_id, sa.Integer), sa.literal(1, sa.Integer),
                      sa.literal(now, sa.DateTime), sa.literal(now, sa.DateTime))
            .select_from(stage.outerjoin(report, match)).where(report.c.id.is_(None))))
    STAGE.drop(conn)
    return created, changed, existing - changed


def import_turnover(actor, filename, data, source=TurnoverSource.REPORTED):
    """Import a file of monthly figures. Returns (created, updated, unchanged).

    Raises ImportRejected listing every bad row (nothing is written), ValidationError for an
    unreadable file, PermissionDenied for someone who may not import.
    """
    require(permissions.can_import_turnover(actor))
    header, rows = read_rows(filename, data)
    staged, needed, bad = validate(actor, header, rows)
    if bad:
        raise ImportRejected(bad)
    if not staged:
        raise ValidationError(_("The file has no rows of figures."))
    result = write_rows(actor, staged, needed, source)
    if result[0] or result[1]:
        audit.record(actor, "turnover_imported", "TurnoverReport",
                     after={"file": filename, "created": result[0], "updated": result[1]})
    return result


def write_rows(actor, staged, needed, source):
    period_ids = _periods(needed)
    rows = [(org_id, period_ids[(country, month)], currency, *figures)
            for org_id, country, month, currency, *figures in staged]
    db.session.flush()
    conn = db.session.connection()
    _stage(conn, rows)
    result = merge_staged(conn, getattr(actor, "id", None), source)
    if result[0] or result[1]:
        refresh_period_totals(set(period_ids.values()))
    # the ORM may hold reports loaded before the merge; make it read them again
    db.session.expire_all()
    return result

"""Importing monthly turnover from CSV or XLSX: the whole file or nothing, fast.

One pass validates every row (and collects every bad row with its line and reason); if any
row is bad nothing is written. Rows written the plain way (nearly every row of a real file)
take a short path through the checks; any other row gets the full check, which names every
reason.

Good rows are written a block at a time, each block staged in a temporary table (COPY on
PostgreSQL, executemany elsewhere). A period that held no report when the import began
cannot have a report matching a row: its rows are inserted as they are. On PostgreSQL the
server inserts one block (checking foreign keys, keeping the indexes) while the next is read
and checked, inside a savepoint that a bad row found later rolls back. The rows of the other
periods are merged at the end with set-based statements: keep the previous values of the
reports that change, update them, insert the new ones. Rows are matched by organisation,
period and currency and only figures that differ are written, so importing the same file
twice changes nothing the second time. Values that a spreadsheet would run as formulas
cannot get in: codes must match, numbers must be numbers.
"""
import re
from contextlib import ExitStack
from datetime import date
from decimal import Decimal, InvalidOperation
from operator import gt, itemgetter

import psycopg
import sqlalchemy as sa
from flask_babel import gettext as _
from psycopg.copy import QueuedLibpqWriter

from portal.accounts.models import Organisation
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.tabular import csv_rows, read_table
from portal.extensions import db
from portal.i18n import current_language
from portal.i18n.parsing import Unreadable, parse_number
from portal.turnover import permissions as turnover_permissions
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
# rows checked, then written, at a time: on PostgreSQL the server inserts one block while the
# next is read and checked
BLOCK_ROWS = 50_000
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

def read_rows(filename, data):
    """(header, iterator of (line, [values])) from a CSV (streamed) or an XLSX file."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        header, records = read_table(filename, data)  # size and zip-bomb checks live there
        return header, ((line, [row.get(c, "") for c in header]) for line, row in records)
    if not (name.endswith((".csv", ".txt")) or not name):
        raise ValidationError(_("Upload a CSV or XLSX file."))
    rows = csv_rows(data)
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
        number = _grouped(value)
    if number is None or not number.is_finite():
        return None
    if number.adjusted() >= 19:
        return TOO_LARGE if number > 0 else -1  # a hugely negative one is refused as negative
    if number != number.to_integral_value():
        return None
    return int(number)


def _grouped(value):
    """A figure written with the locale's thousands separators (1.500.000, ۱۲۳٬۴۵۶); the slow
    path, taken only by cells that plain digits (int(), which reads any script's digits) and
    Decimal do not read."""
    try:
        return parse_number(value, current_language())
    except Unreadable:
        return None


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
    staged, bad = [], []
    for block in _checked_blocks(actor, header, rows, everyone, bad):
        staged.extend(block)
    return staged, {(row[1], row[2]) for row in staged}, bad


def _checked_blocks(actor, header, rows, everyone, bad):
    """Check every row; yield the good ones in blocks of BLOCK_ROWS for as long as no row has
    been bad, and add (line, reason) to `bad` for every reason of every bad row. The checks
    go on to the last row either way, so that every bad row is listed."""
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportRejected([(1, _("missing columns: %(columns)s",
                                    columns=", ".join(missing)))])
    index = [header.index(c) for c in COLUMNS]
    orgs = {code: (org_id, country, currency) for code, org_id, country, currency in
            db.session.execute(sa.select(Organisation.code, Organisation.id,
                                         Organisation.country, Organisation.currency))}
    scope = None if everyone else turnover_permissions.turnover_scope_ids(actor)
    allowed = None if scope is None else set(db.session.scalars(scope))
    closed = {(country, month) for country, month in db.session.execute(
        sa.select(ReportingPeriod.country, ReportingPeriod.month).where(
            ReportingPeriod.status == PeriodStatus.CLOSED))}
    # shared by both readers: one cache of months, one record of the rows seen
    months, seen = {}, set()
    plain = _plain_reader(index, orgs, allowed, closed, months, seen)
    full = _full_reader(index, orgs, allowed, closed, months, seen)
    block, size = [], BLOCK_ROWS  # read when called: the tests make blocks of two rows
    for line, raw in rows:
        row = plain(raw)
        if row is None:
            reasons, row = full(raw)
            if reasons:
                bad.extend((line, reason) for reason in reasons)
                continue
        if not bad:  # once a row is bad nothing will be written; stop collecting
            block.append(row)
            if len(block) == size:
                yield block
                block = []
    if block and not bad:
        yield block


def _plain_reader(index, orgs, allowed, closed, months, seen):
    """A reader for the row written the plain way: a known code and the currency as stored, a
    month, figures in digits within their limits, bank turnover within the total, first time
    seen. It returns the staged row, or None for any other row, which the full check then
    reads and names every reason of; so both give the same answer for every row.

    Nearly every row of a real file is plain: this is the path a million rows take, and why it
    asks each question once, in the cheapest way. int() takes the digits as the full check
    does (it also refuses more than sys.get_int_max_str_digits() of them, so a huge number
    costs no time).
    """
    code_at, period_at, currency_at, *figures_at = index
    width = max(index) + 1
    figures_of = itemgetter(*figures_at)
    limits = [FIGURE_MAX[f] for f in FIGURES]
    # only codes and currencies the full check would match as they are written
    known = {code: org for code, org in orgs.items()
             if code and code == code.strip() and org[2] == org[2].strip().upper()
             and (allowed is None or org[0] in allowed)}
    closed_countries = {}  # month -> countries where it is closed: one lookup by month
    for country, month in closed:
        closed_countries.setdefault(month, set()).add(country)

    def read(raw):
        if len(raw) < width:
            return None
        org = known.get(raw[code_at])
        if org is None or raw[currency_at] != org[2]:
            return None
        text = raw[period_at]
        month = months[text] if text in months else _month(text, months)
        if month is None or org[1] in closed_countries.get(month, ()):
            return None
        try:
            figures = tuple(map(int, figures_of(raw)))
        except ValueError:
            return None
        if min(figures) < 0 or figures[1] > figures[0] or any(map(gt, figures, limits)):
            return None
        key = (org[0], month, org[2])
        if key in seen:
            return None
        seen.add(key)
        return (org[0], org[1], month, org[2], *figures)

    return read


def _full_reader(index, orgs, allowed, closed, months, seen):
    """A reader that names every reason a row is bad. Returns (reasons, staged row)."""
    width = max(index) + 1
    not_number = _("“%(column)s” is not a whole number: “%(value)s”")

    def read(raw):
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
            return reasons, None
        return reasons, (org[0], org[1], month, currency, *figures)

    return read


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


def _periods_without_reports(conn, period_ids):
    """Those of these periods that hold no report yet (one index probe each)."""
    report, period = TurnoverReport.__table__, ReportingPeriod.__table__
    return set(conn.scalars(sa.select(period.c.id).where(
        period.c.id.in_(period_ids),
        ~sa.exists().where(report.c.period_id == period.c.id))))


class _CopyEscaped(dict):
    """Text as COPY's text format reads it, worked out once per distinct value."""

    def __missing__(self, value):
        text = self[value] = (value.replace("\\", "\\\\").replace("\t", "\\t")
                              .replace("\n", "\\n").replace("\r", "\\r"))
        return text


COPY_CHUNK = 20_000  # rows formatted per write to COPY


def _copy_chunks(staged, period_ids):
    """The staged rows as COPY text, in chunks: one string formatting per row instead of
    psycopg's write_row (a third of the time for a million rows)."""
    line = "\t".join(["%d", "%d", "%s"] + ["%d"] * len(FIGURES)) + "\n"
    escaped = _CopyEscaped()
    for start in range(0, len(staged), COPY_CHUNK):
        yield "".join([line % (org_id, period_ids[country, month], escaped[currency], *figures)
                       for org_id, country, month, currency, *figures
                       in staged[start:start + COPY_CHUNK]]).encode()


def _stage(conn, staged, period_ids):
    """Put the rows, with their period's id, in a new temporary table."""
    if conn.dialect.name == "postgresql":
        _copy_to_stage(conn, _copy_chunks(staged, period_ids))
        return
    _new_stage(conn)
    names = [c.name for c in STAGE.columns]
    for start in range(0, len(staged), 50_000):
        conn.execute(STAGE.insert(), [
            dict(zip(names, (org_id, period_ids[country, month], currency, *figures),
                     strict=True))
            for org_id, country, month, currency, *figures in staged[start:start + 50_000]])


def _new_stage(conn):
    STAGE.drop(conn, checkfirst=True)
    STAGE.create(conn)


def _copy_to_stage(conn, chunks):
    """COPY chunks of text (from _copy_chunks) into a new temporary table."""
    _new_stage(conn)
    names = ", ".join(c.name for c in STAGE.columns)
    raw = conn.connection.driver_connection
    # the queued writer sends each chunk from a thread of its own: the server reads one chunk
    # while the next one is formatted here
    with raw.cursor() as cursor, cursor.copy(f"COPY turnover_stage ({names}) FROM STDIN",
                                             writer=QueuedLibpqWriter(cursor)) as copy:
        for chunk in chunks:
            copy.write(chunk)


def _insert_staged(actor_id, source, now, anti_join=None):
    """INSERT ... SELECT of the staged rows as new reports (with anti_join: only those rows
    that match no report)."""
    report, stage = TurnoverReport.__table__, STAGE
    rows = sa.select(stage.c.organisation_id, stage.c.period_id, stage.c.currency,
                     *(stage.c[f] for f in FIGURES), sa.literal(source.value, sa.String),
                     sa.literal(actor_id, sa.Integer), sa.literal(1, sa.Integer),
                     sa.literal(now, sa.DateTime), sa.literal(now, sa.DateTime))
    if anti_join is not None:
        rows = rows.select_from(stage.outerjoin(report, anti_join)).where(report.c.id.is_(None))
    return report.insert().from_select(
        ["organisation_id", "period_id", "currency", *FIGURES, "source", "reported_by_id",
         "version_id", "created_at", "updated_at"], rows)


def merge_staged(conn, actor_id, source, now=None):
    """Merge the staged rows into turnover_report. Returns (created, updated, unchanged)."""
    report, stage = TurnoverReport.__table__, STAGE
    if conn.dialect.name == "postgresql":
        # the joins below are planned from the staged table's statistics
        conn.execute(sa.text("ANALYZE turnover_stage"))
    match = sa.and_(report.c.organisation_id == stage.c.organisation_id,
                    report.c.period_id == stage.c.period_id,
                    report.c.currency == stage.c.currency)
    differs = sa.or_(*(report.c[f] != stage.c[f] for f in FIGURES))
    total = conn.scalar(sa.select(sa.func.count()).select_from(stage))
    # the rows that match a report, and those of them that differ, in one pass
    existing, changed = conn.execute(sa.select(
        sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((differs, 1), else_=0)), 0))
        .select_from(stage.join(report, match))).one()
    now = now or utcnow()
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
        conn.execute(_insert_staged(actor_id, source, now, anti_join=match))
    STAGE.drop(conn)
    return created, changed, existing - changed


class _Writer:
    """Writes validated rows, a block at a time, in the caller's transaction.

    Rows of a period that held no report when the import began cannot match one (a second row
    for the same report is refused as a duplicate), so they are inserted as they are, without
    the comparison a merge makes. On PostgreSQL that INSERT is sent without waiting for it
    (psycopg's pipeline mode): the server checks the foreign keys and keeps three indexes up
    to date for one block while the next block is read and checked, which is most of what a
    large import costs. Rows of the other periods are kept and merged once, at the end.
    """

    def __init__(self, actor, source):
        self.actor_id, self.source, self.now = getattr(actor, "id", None), source, utcnow()
        self.period_ids, self.empty = {}, set()
        self.kept, self.created, self.rows = [], 0, 0
        self._inserting = None  # the pipeline of an INSERT the server may still be running
        self._sent = None  # and that INSERT

    def periods(self, keys):
        """Find (or open) the periods of these (country, month) keys, and note which of them
        hold no report yet."""
        keys = set(keys) - self.period_ids.keys()
        if keys:
            self.wait()
            ids = _periods(keys)
            self.period_ids |= ids
            self.empty |= _periods_without_reports(db.session.connection(), set(ids.values()))

    def write(self, block):
        self.periods((row[1], row[2]) for row in block)
        new = [row for row in block if self.period_ids[row[1], row[2]] in self.empty]
        if len(new) < len(block):
            self.kept.extend(row for row in block
                             if self.period_ids[row[1], row[2]] not in self.empty)
        self.rows += len(block)
        if not new:
            return
        conn = db.session.connection()
        if conn.dialect.name == "postgresql":
            # formatted while the server may still be inserting the block before
            chunks = list(_copy_chunks(new, self.period_ids))
            self.wait()
            _copy_to_stage(conn, chunks)
        else:
            _stage(conn, new, self.period_ids)
        self._insert(conn, _insert_staged(self.actor_id, self.source, self.now))
        self.created += len(new)

    def _insert(self, conn, statement):
        if conn.dialect.name != "postgresql":
            conn.execute(statement)
            return
        compiled = statement.compile(dialect=conn.dialect)
        raw = conn.connection.driver_connection
        # noted first: an error from execute() itself is raised through wait() with it
        self._sent = compiled
        self._inserting = ExitStack()
        self._inserting.enter_context(raw.pipeline())
        # the values bound are text, whole numbers and a datetime, which psycopg takes as they
        # are (as SQLAlchemy would pass them)
        raw.execute(compiled.string, compiled.params)

    def wait(self, quietly=False):
        """Wait for the INSERT sent last; its error is raised as SQLAlchemy would raise it.
        quietly: when another answer is already on its way (bad rows, an error); the
        savepoint undoes the INSERT either way."""
        inserting, self._inserting = self._inserting, None
        if inserting is None:
            return
        try:
            inserting.close()
        except psycopg.Error as error:
            if quietly:
                return
            raise sa.exc.DBAPIError.instance(self._sent.string, self._sent.params, error,
                                             psycopg.Error) from error

    def finish(self):
        """Merge the kept rows, bring the period totals up to date. Returns (created,
        updated, unchanged)."""
        self.wait()
        updated = unchanged = 0
        if self.kept:
            conn = db.session.connection()
            _stage(conn, self.kept, self.period_ids)
            created, updated, unchanged = merge_staged(conn, self.actor_id, self.source,
                                                       self.now)
            self.created += created
        elif self.created:  # the temporary table of the last block
            STAGE.drop(db.session.connection())
        if self.created or updated:
            refresh_period_totals(set(self.period_ids.values()))
        # the ORM may hold reports loaded before the merge; make it read them again
        db.session.expire_all()
        return self.created, updated, unchanged


def import_turnover(actor, filename, data, source=TurnoverSource.REPORTED):
    """Import a file of monthly figures. Returns (created, updated, unchanged).

    Raises ImportRejected listing every bad row (nothing is written), ValidationError for an
    unreadable file, PermissionDenied for someone who may not import.
    """
    require(turnover_permissions.can_import_turnover(actor))
    header, rows = read_rows(filename, data)
    if db.session.get_bind().dialect.name == "postgresql":
        # blocks are written while the rest of the file is read: a bad row found later undoes
        # them with the savepoint
        with db.session.begin_nested():
            result = _write_while_reading(actor, header, rows, source)
    else:
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


def _write_while_reading(actor, header, rows, source):
    bad, writer = [], _Writer(actor, source)
    try:
        for block in _checked_blocks(actor, header, rows, False, bad):
            writer.write(block)
    except BaseException:
        writer.wait(quietly=True)  # the error that stopped the reading is the one to tell
        raise
    if bad:
        # the bad rows are the answer, even if a block written before them failed as well
        writer.wait(quietly=True)
        raise ImportRejected(bad)
    writer.wait()
    if not writer.rows:
        raise ValidationError(_("The file has no rows of figures."))
    return writer.finish()


def write_rows(actor, staged, needed, source):
    """Write validated rows: all of them or, on an error, none (one transaction). Returns
    (created, updated, unchanged)."""
    writer = _Writer(actor, source)
    writer.periods(needed)
    if staged:
        writer.write(staged)
    return writer.finish()

"""Importing monthly turnover from CSV or XLSX: the whole file or nothing, fast.

One pass validates every row (and collects every bad row with its line and reason); if any
row is bad nothing is written. Rows written the plain way (nearly every row of a real file)
take a short path through the checks; any other row gets the full check, which names every
reason. Good rows are written by portal.turnover.import_writing; on PostgreSQL a block is
written while the next one is read and checked, inside a savepoint that a bad row found later
rolls back. Values that a spreadsheet would run as formulas cannot get in: codes must match,
numbers must be numbers.
"""
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from operator import gt, itemgetter

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import Organisation
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.tabular import csv_rows, read_table
from portal.extensions import db
from portal.i18n import current_language
from portal.i18n.parsing import Unreadable, parse_number
from portal.turnover import permissions as turnover_permissions
from portal.turnover.import_writing import Writer, write_rows
from portal.turnover.models import FIGURES, PeriodStatus, ReportingPeriod, TurnoverSource

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
    bad, writer = [], Writer(actor, source)
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

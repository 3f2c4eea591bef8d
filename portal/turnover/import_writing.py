"""Writing validated turnover rows (portal.turnover.importing checks them): fast, and in the
caller's transaction, so that a file or a batch is written whole or not at all.

Good rows are written a block at a time, each block staged in a temporary table (COPY on
PostgreSQL, executemany elsewhere). A period that held no report when the import began
cannot have a report matching a row: its rows are inserted as they are. On PostgreSQL the
server inserts one block (checking foreign keys, keeping the indexes) while the next is read
and checked. The rows of the other periods are merged at the end with set-based statements:
keep the previous values of the reports that change, update them, insert the new ones. Rows
are matched by organisation, period and currency and only figures that differ are written, so
importing the same file twice changes nothing the second time.

A staged row is (organisation_id, country, month, currency, *figures), the figures whole
numbers (the BIGINT of portal.turnover.models.WholeUnits, written here as they are stored).
"""
from contextlib import ExitStack

import psycopg
import sqlalchemy as sa
from psycopg.copy import QueuedLibpqWriter

from portal.core import versions
from portal.core.models import utcnow
from portal.extensions import db
from portal.turnover.models import (
    FIGURES,
    ReportingPeriod,
    TurnoverReport,
    TurnoverRevision,
)
from portal.turnover.services import get_or_create_period, refresh_period_totals

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
    return {(country, month): get_or_create_period(country, month).id
            for country, month in sorted(needed)}


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


class Writer:
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
        # sent past SQLAlchemy's events: without this the commit would not count as a write to
        # turnover_report, and pages and answers that read the reports would stay as they were
        versions.note_write(compiled.string, compiled.params)
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



def write_rows(actor, staged, needed, source):
    """Write validated rows: all of them or, on an error, none (one transaction). Returns
    (created, updated, unchanged)."""
    writer = Writer(actor, source)
    writer.periods(needed)
    if staged:
        writer.write(staged)
    return writer.finish()

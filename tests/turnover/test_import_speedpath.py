"""The short ways a large import takes must give what the long ways give: the plain-row reader
the same answer as the full check, rows of a period without reports the same reports as a
merge, and a file written while it is read nothing at all when a bad row turns up late."""
from datetime import date

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.turnover import import_writing, importing
from portal.turnover.models import (
    FIGURES,
    ReportingPeriod,
    TurnoverPeriodTotal,
    TurnoverReport,
    TurnoverRevision,
)
from tests.turnover.helpers import HEADER, report_count, unions

SEP, OCT, NOV = date(2025, 9, 1), date(2025, 10, 1), date(2025, 11, 1)


def _file(rows):
    """rows: (code, 'YYYY-MM', total, bank) -> the bytes of an import file."""
    return (HEADER + "".join(f"{code},{month},IRR,{total},{bank},{total // 10},{total // 20},"
                             f"{total // 5},12\n" for code, month, total, bank in rows)
            ).encode()


def _reports(db, month):
    """The reports of one month, by organisation, as an import leaves them."""
    period = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.month == month))
    return {r.organisation_id: (r.currency, *(getattr(r, f) for f in FIGURES), r.source,
                                r.reported_by_id, r.confirmed_by_id, r.version_id,
                                r.created_at == r.updated_at)
            for r in db.session.scalars(sa.select(TurnoverReport).where(
                TurnoverReport.period_id == period.id))}


def _revisions(db, month):
    return sorted((r.report.organisation_id, *(getattr(r, f) for f in FIGURES), r.source,
                   r.new_source, r.changed_by_id)
                  for r in db.session.scalars(sa.select(TurnoverRevision).join(
                      TurnoverReport).join(ReportingPeriod).where(ReportingPeriod.month == month)))


@pytest.fixture()
def merges(monkeypatch):
    """How many times the merge ran (the rows of periods that already held reports)."""
    calls = []
    merge = import_writing.merge_staged

    def counted(*args, **kwargs):
        calls.append(args)
        return merge(*args, **kwargs)

    monkeypatch.setattr(import_writing, "merge_staged", counted)
    return calls


@pytest.mark.parametrize("block", [2, 50_000])
def test_an_empty_period_gets_the_reports_and_revisions_a_merge_gives(
        db, login_as, merges, monkeypatch, block):
    monkeypatch.setattr(importing, "BLOCK_ROWS", block)
    made, coop = unions()
    admin = login_as("administrator")
    # September already holds a report (of another organisation): its rows are merged;
    # October holds none: its rows are inserted without the comparison
    importing.import_turnover(admin, "seed.csv", _file([(made[2].code, "2025-09", 70, 7)]))
    db.session.commit()
    merges.clear()
    codes = [made[0].code, made[1].code, coop.code]

    def month_file(month, bank_of_first=300):
        return _file([(codes[0], month, 1000, bank_of_first), (codes[1], month, 2000, 500),
                      (codes[2], month, 4000, 4000)])

    assert importing.import_turnover(admin, "oct.csv", month_file("2025-10")) == (3, 0, 0)
    assert not merges
    assert importing.import_turnover(admin, "sep.csv", month_file("2025-09")) == (3, 0, 0)
    assert len(merges) == 1
    db.session.commit()
    sep = _reports(db, SEP)
    del sep[made[2].id]
    assert _reports(db, OCT) == sep

    # a correction of both months, in one file: each month takes its own way again
    corrected = month_file("2025-10", 900) + month_file("2025-09", 900)[len(HEADER):]
    assert importing.import_turnover(admin, "both.csv", corrected) == (0, 2, 4)
    db.session.commit()
    sep = _reports(db, SEP)
    del sep[made[2].id]
    assert _reports(db, OCT) == sep
    assert _revisions(db, OCT) == _revisions(db, SEP) != []
    totals = {t.period_id: (t.total_turnover, t.bank_turnover, t.organisations)
              for t in db.session.scalars(sa.select(TurnoverPeriodTotal))}
    assert sorted(totals.values()) == [(7000, 5400, 3), (7070, 5407, 4)]

    # a new month and a month already reported, in one file
    merges.clear()
    both = month_file("2025-11", 900) + month_file("2025-09", 900)[len(HEADER):]
    assert importing.import_turnover(admin, "nov.csv", both) == (3, 0, 3)
    assert len(merges) == 1
    db.session.commit()
    nov, oct_ = _reports(db, NOV), _reports(db, OCT)
    assert {org: report[:-2] for org, report in nov.items()} == \
        {org: report[:-2] for org, report in oct_.items()}
    assert {report[-2:] for report in nov.values()} == {(1, True)}  # new: version 1, untouched


def test_a_bad_row_after_blocks_already_written_leaves_nothing(db, login_as, monkeypatch):
    monkeypatch.setattr(importing, "BLOCK_ROWS", 2)
    made, coop = unions()
    admin = login_as("administrator")
    rows = [(org.code, month, 1000 * (n + 1), 100)
            for n, org in enumerate([*made, coop]) for month in ("2025-09", "2025-10")]
    data = _file(rows)
    bad = _file([(made[0].code, "2025-11", 100, 500)])[len(HEADER):]  # bank above total
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_turnover(admin, "late.csv", data + bad)
    assert rejected.value.rows == [(10, "turnover through the bank is larger than the total "
                                        "turnover")]
    db.session.commit()  # a caller that commits after a refusal commits nothing of the file
    assert report_count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportingPeriod)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TurnoverPeriodTotal)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0

    assert importing.import_turnover(admin, "good.csv", data) == (8, 0, 0)
    db.session.commit()
    assert sorted(db.session.scalars(sa.select(TurnoverReport.total_turnover))) == \
        [1000, 1000, 2000, 2000, 3000, 3000, 4000, 4000]


def test_a_database_error_while_writing_leaves_nothing_and_is_raised_as_usual(
        db, login_as, monkeypatch):
    monkeypatch.setattr(importing, "BLOCK_ROWS", 2)
    made, coop = unions()
    admin = login_as("administrator")
    importing.import_turnover(admin, "aug.csv", _file([(made[0].code, "2025-08", 100, 10)]))
    db.session.commit()
    # as if another import had written August since this one looked: the INSERT of a report
    # that exists fails in the database, after a block of September was written
    monkeypatch.setattr(import_writing, "_periods_without_reports", lambda conn, ids: set(ids))
    rows = [(coop.code, "2025-09", 500, 50), (made[1].code, "2025-09", 500, 50),
            (made[0].code, "2025-08", 900, 90)]
    with pytest.raises(sa.exc.IntegrityError):
        importing.import_turnover(admin, "both.csv", _file(rows))
    db.session.rollback()
    assert db.session.scalar(sa.select(TurnoverReport.total_turnover)) == 100
    assert report_count() == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportingPeriod)) == 1


def test_bad_rows_are_listed_even_when_a_block_written_before_them_failed(
        db, login_as, monkeypatch):
    monkeypatch.setattr(importing, "BLOCK_ROWS", 2)
    made, coop = unions()
    admin = login_as("administrator")
    importing.import_turnover(admin, "aug.csv", _file([(made[0].code, "2025-08", 100, 10)]))
    db.session.commit()
    # another import wrote August since this one looked (its INSERT fails in the database),
    # and the file has a bad row further down: the person is shown the bad row, not an error
    monkeypatch.setattr(import_writing, "_periods_without_reports", lambda conn, ids: set(ids))
    rows = [(made[0].code, "2025-08", 900, 90), (made[1].code, "2025-08", 500, 50),
            (coop.code, "2025-08", 500, 50), ("NOPE", "2025-08", 1, 1)]
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_turnover(admin, "late.csv", _file(rows))
    assert [line for line, _reason in rejected.value.rows] == [5]
    db.session.rollback()
    assert db.session.scalar(sa.select(TurnoverReport.total_turnover)) == 100
    assert report_count() == 1


FIGURE_TEXTS = ["12", " 12", "12 ", "+12", "1_000", "۱۲۳", "12.0", "1.2E+3", "1e3", "-0", "-5",
                "0012", "", "abc", "=1+2", "1e999999", "9000000000000000", "9000000000000001",
                "99999999999999999999", "00000000000000000000012", "1" * 30, "1" * 5000]


def _rows(codes):
    """Rows that are plain, and rows that differ from plain in one way each."""
    good = [codes[0], "2025-08", "IRR", "1000", "400", "1", "2", "3", "4"]
    rows = [good]
    for position in range(3, 9):
        for text in FIGURE_TEXTS:
            rows.append(good[:position] + [text] + good[position + 1:])
    rows += [good[:8] + ["2147483647"], good[:8] + ["2147483648"],
             [" " + codes[0]] + good[1:], [codes[0].lower()] + good[1:], ["NOPE"] + good[1:],
             [""] + good[1:], [codes[1]] + good[1:], [codes[2]] + good[1:],
             good[:2] + ["irr"] + good[3:], good[:2] + [" IRR"] + good[3:],
             good[:2] + ["VND"] + good[3:], good[:3] + ["400", "1000"] + good[5:],
             good[:1] + ["2025-8"] + good[2:], good[:1] + ["2025/08/01"] + good[2:],
             good[:1] + ["2025-13"] + good[2:], good[:1] + ["2025-07"] + good[2:],
             good[:1] + ["Aug"] + good[2:], good[:6], good + ["extra"]]
    return rows


def _full_check_only(monkeypatch):
    monkeypatch.setattr(importing, "_plain_reader",
                        lambda *args: lambda raw: None)


@pytest.mark.parametrize("role", ["administrator", "union_director"])
def test_the_plain_reader_answers_as_the_full_check(db, login_as, monkeypatch, role):
    from tests.turnover.helpers import close_period

    made, coop = unions()
    close_period("IR", date(2025, 7, 1))
    actor = login_as(role, made[0])
    codes = [coop.code, made[1].code, made[0].code]
    header = list(importing.COLUMNS)
    rows = _rows(codes)
    # each row alone (so that a row after a bad one is compared too), then all of them at
    # once (duplicates)
    cases = [[(2, row)] for row in rows] + [list(enumerate(rows + rows[:3], start=2))]
    fast = [importing.validate(actor, header, case) for case in cases]
    with monkeypatch.context() as patched:
        _full_check_only(patched)
        full = [importing.validate(actor, header, case) for case in cases]
    assert fast == full
    assert fast[0][0] and fast[0][2] == []  # the first row is a good one
    assert sum(1 for staged, _needed, bad in fast if staged and not bad) > 20


def test_rows_in_the_plain_form_never_reach_the_full_check(db, login_as, monkeypatch):
    made, coop = unions()
    actor = login_as("administrator")
    header = list(importing.COLUMNS)
    plain = [[code, month, "IRR", "1000", "400", "1", "2", "3", "4"]
             for code in (coop.code, made[0].code, made[1].code)
             for month in ("2025-08", "2025-09")]
    full_calls = []
    real_full = importing._full_reader

    def counted(*args):
        read = real_full(*args)
        return lambda raw: full_calls.append(raw) or read(raw)

    monkeypatch.setattr(importing, "_full_reader", counted)
    staged, _needed, bad = importing.validate(actor, header, list(enumerate(plain, start=2)))
    assert len(staged) == 6 and bad == []
    assert full_calls == []
    # and a row that is not plain does go there
    importing.validate(actor, header, [(2, [" " + coop.code] + plain[0][1:])])
    assert len(full_calls) == 1

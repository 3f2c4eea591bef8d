"""Benchmark: import N turnover rows and query the network's concentration.

Not a test: it prints timings and asserts nothing about them.

    PORTAL_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench \
        .venv/bin/python bench/turnover_import.py --rows 1000000

It creates the tables if needed, adds N/12 cooperatives (BENCH-…) with twelve months each,
times reading and checking the CSV alone, imports it through
portal.turnover.importing.import_turnover (the code the import page runs: parse, validate and
write, end to end), imports it a second time (nothing changes), times the dashboard's
concentration queries, and removes its rows again unless --keep is given.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="leave the benchmark rows")
    args = parser.parse_args()
    url = os.environ.get("PORTAL_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("warning: PORTAL_DATABASE_URL is not PostgreSQL; COPY is not used", file=sys.stderr)

    import sqlalchemy as sa

    from portal import create_app
    from portal.accounts.models import Membership, Organisation, Role, User
    from portal.extensions import db
    from portal.turnover import importing, services
    from portal.turnover.models import ReportingPeriod, TurnoverReport, TurnoverRevision

    app = create_app()
    with app.app_context():
        db.create_all()
        months = [f"2024-{m:02d}" for m in range(1, 13)]
        n_orgs = max(1, args.rows // len(months))
        admin = db.session.scalar(sa.select(User).where(User.email == "bench@portal.invalid"))
        if admin is None:
            head = Organisation(code="BENCH-HO", name="Bench head office",
                                kind="bank_head_office", country="ZZ", currency="IRR")
            admin = User(email="bench@portal.invalid", full_name="Bench", password_hash="!")  # noqa: S106 - cannot sign in
            admin.memberships.append(Membership(organisation=head, role=Role.ADMINISTRATOR))
            db.session.add_all([head, admin])
            db.session.flush()
        existing = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)
                                     .where(Organisation.code.like("BENCH-C%")))
        if existing < n_orgs:
            db.session.execute(sa.insert(Organisation), [
                {"code": f"BENCH-C{i:07d}", "name": f"Bench cooperative {i}",
                 "kind": "cooperative", "country": "ZZ", "currency": "IRR",
                 "province": f"P{i % 31:02d}", "search_key": "", "version_id": 1}
                for i in range(existing, n_orgs)])
        db.session.commit()

        lines = ["organisation_code,period,currency,total_turnover,bank_turnover,deposits,"
                 "average_balance,loans,accounts"]
        for i in range(n_orgs):
            code = f"BENCH-C{i:07d}"
            for m, month in enumerate(months):
                total = 1_000_000_000 + (i * 7919 + m * 104729) % 900_000_000
                bank = total * (20 + (i + m * 3) % 60) // 100
                lines.append(f"{code},{month},IRR,{total},{bank},{bank // 3},{bank // 5},"
                             f"{bank // 4},{1 + i % 40}")
        data = ("\n".join(lines) + "\n").encode()
        rows = len(lines) - 1
        print(f"{rows:,} rows, {len(data) / 1e6:.1f} MB of CSV, {n_orgs:,} organisations")

        # reading and checking alone, for the record: the import below does the same while the
        # server writes the rows already checked
        started = time.perf_counter()
        header, records = importing.read_rows("bench.csv", data)
        staged, _needed, bad = importing.validate(admin, header, records)
        checked = time.perf_counter() - started
        assert not bad, bad[:5]
        del staged
        db.session.rollback()  # the import starts a transaction of its own, as a request does

        started = time.perf_counter()
        created, updated, unchanged = importing.import_turnover(admin, "bench.csv", data)
        db.session.commit()
        done = time.perf_counter() - started
        print(f"first import: {done:.2f} s = {rows / done:,.0f} rows/s  ({created:,} new, "
              f"{updated:,} corrected, {unchanged:,} unchanged; reading and checking alone "
              f"{checked:.2f} s)")

        started = time.perf_counter()
        result = importing.import_turnover(admin, "bench.csv", data)
        db.session.commit()
        again = time.perf_counter() - started
        print(f"same file again: {again:.2f} s = {rows / again:,.0f} rows/s  "
              f"(new, corrected, unchanged: {result})")

        # what autovacuum does a while after a large import: without the visibility map the
        # dashboard's index-only scans read the table
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("VACUUM ANALYZE turnover_report"))
        period_ids = db.session.scalars(sa.select(ReportingPeriod.id).where(
            ReportingPeriod.country == "ZZ").order_by(ReportingPeriod.month)).all()
        latest = db.session.get(ReportingPeriod, period_ids[-1])
        for label, call in (
                ("network share, one month (kept totals)",
                 lambda: services.network_shares(admin, [latest.id])),
                ("share by province, one month", lambda: services.shares(admin, [latest.id],
                                                                        "province")),
                ("network trend, 12 months", lambda: services.trend(admin, country="ZZ")),
                ("laggards and movers vs last month (one ranked statement)",
                 lambda: services.comparison(admin, latest, services.threshold()))):
            call()  # warm the cache once; then the best of three
            timings = []
            for _ in range(3):
                started = time.perf_counter()
                call()
                timings.append((time.perf_counter() - started) * 1000)
            print(f"{label}: {min(timings):.0f} ms")

        if not args.keep:
            bench_orgs = sa.select(Organisation.id).where(Organisation.code.like("BENCH-%"))
            report_ids = sa.select(TurnoverReport.id).where(
                TurnoverReport.organisation_id.in_(bench_orgs))
            db.session.execute(sa.delete(TurnoverRevision).where(
                TurnoverRevision.report_id.in_(report_ids)))
            db.session.execute(sa.delete(TurnoverReport).where(
                TurnoverReport.organisation_id.in_(bench_orgs)))
            db.session.execute(sa.delete(ReportingPeriod).where(ReportingPeriod.country == "ZZ"))
            db.session.commit()
            print("benchmark rows removed (use --keep to leave them)")


if __name__ == "__main__":
    main()

"""Print the PORTAL_AREAS value for a database: the areas whose tables are all migrated.

    python -m bench.areas postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench

An area still being built (models without a migration, or a module that does not import) is
left out, so the portal starts and its home panels do not query tables that are not there.
"""
import importlib
import sys

import sqlalchemy as sa

ALL = ("home", "accounts", "feedback", "meetings", "products", "branches", "turnover",
       "indicators")


def area_tables(area):
    """Tables of the models defined in portal.<area>.models (None: the area does not import)."""
    try:
        importlib.import_module(f"portal.{area}.models")
    except ModuleNotFoundError:
        return set()
    except Exception:  # noqa: BLE001 - an unfinished area: leave it out
        return None
    from portal.extensions import db

    return {mapper.local_table.name for mapper in db.Model.registry.mappers
            if mapper.class_.__module__ == f"portal.{area}.models"}


def usable_areas(url):
    engine = sa.create_engine(url)
    try:
        existing = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    usable, left_out = [], []
    for area in ALL:
        tables = area_tables(area)
        if tables is None:
            left_out.append(f"{area} (does not import)")
        elif tables - existing:
            left_out.append(f"{area} (not migrated: {', '.join(sorted(tables - existing))})")
        else:
            usable.append(area)
    return usable, left_out


def main(argv=None):
    argv = argv or sys.argv[1:]
    usable, left_out = usable_areas(argv[0])
    for line in left_out:
        print(f"  area left out: {line}", file=sys.stderr)
    print(",".join(usable))
    return 0


if __name__ == "__main__":
    sys.exit(main())

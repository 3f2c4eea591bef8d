"""Whatever is stored, no page runs it and no export hands a spreadsheet a formula.

Every plain-text column of every table (names, titles, comments, places, reasons, ...) of the
route-matrix world is overwritten with a payload that is script, an event handler, an SVG,
a direction override and a spreadsheet formula at once; then every page of every area is
loaded by every role that may see it, and every CSV/XLSX export is read back. This does not
depend on any form cleaning its input: it proves the output side (autoescaping, the bidi
filter on output, the export neutraliser) for every field, including fields added later.
Rich-text columns (`*_html`) hold sanitised HTML by contract; their input path is swept in
tests/ops/test_rich_text.py.
"""
import io

import sqlalchemy as sa

from portal.extensions import db as _db
from tests import factories
from tests.test_route_roles import ANON, ROUTES, SIGNED_IN, _world

PAYLOAD = "=HYPERLINK(1)<script>alert(1)</script><svg onload=alert(1)>\u202egnp.exe"
MARKERS = ("<script>alert", "<svg onload", "\u202e")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# columns the code itself reads (keys, codes from a fixed list, hashes, addresses)
SKIP_COLUMNS = {"email", "password_hash", "storage_key", "content_type", "search_key",
                "token_hash", "token_prefix", "preferred_locale", "timezone", "calendar",
                "country", "currency", "request_id", "to_address", "uid", "ical_uid",
                "message_id"}


def _text_columns():
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            kind = column.type
            if isinstance(kind, sa.Enum) or not isinstance(kind, sa.String):
                continue
            if column.primary_key or column.foreign_keys or column.name in SKIP_COLUMNS:
                continue
            if column.name.endswith(("_html", "_key", "_hash", "_token", "_code")):
                continue
            if kind.length is not None and kind.length < len(PAYLOAD):
                continue
            if any(getattr(c, "sqltext", None) is not None and column.name in str(c.sqltext)
                   for c in table.constraints):
                continue  # a CHECK constraint limits it to a few values
            yield table, column


def _poison():
    touched = []
    for table, column in _text_columns():
        _db.session.execute(table.update().values({column.name: PAYLOAD}))
        touched.append(f"{table.name}.{column.name}")
    _db.session.commit()
    return touched


def _cells(response):
    if response.mimetype == "text/csv":
        import csv

        text = response.get_data().decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for c in row if c is not None]
    book.close()
    return cells


def test_stored_payloads_never_run_on_any_page_and_never_become_formulas(app, client, login,
                                                                        db):
    ids = _world()
    people = {role: factories.make_user(role) for role in SIGNED_IN}
    db.session.commit()
    touched = _poison()
    assert {"organisation.name", "user.full_name", "feedback_item.title"} <= set(touched)
    pages = exports = 0
    for endpoint, (method, template, expected, _form) in sorted(ROUTES.items()):
        if method != "GET":
            continue
        path = template.format(**ids)
        for role in (ANON, *SIGNED_IN):
            if expected[role] != 200:
                continue
            if role == ANON:
                with client.session_transaction() as session:
                    session.clear()
            else:
                login(people[role])
            response = client.get(path)
            status, mimetype = response.status_code, response.mimetype
            if mimetype in ("text/csv", "application/vnd.openxmlformats-officedocument."
                            "spreadsheetml.sheet"):
                exports += 1
                for cell in _cells(response):
                    if "alert(1)" in cell:
                        assert not cell.startswith(FORMULA_STARTS), (endpoint, role, cell)
            elif mimetype == "text/html":
                pages += 1
                text = response.get_data(as_text=True)
                for marker in MARKERS:
                    assert marker not in text, (endpoint, role, marker)
            response.close()
            assert status == 200, (endpoint, role, status)
    assert pages > 50 and exports > 3, (pages, exports)

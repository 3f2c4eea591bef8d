"""Small helpers for the indicators tests: plans, actuals and ratings written straight to the
database, a small Vietnamese network (country → provinces → districts → communes), uploads
and the rows of a CSV or XLSX download."""
import csv
import io
from datetime import date

import sqlalchemy as sa
from openpyxl import load_workbook

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.indicators import services
from portal.indicators.importing import KINDS
from portal.indicators.models import GroupRating, IndicatorActual, IndicatorPlan
from tests import factories

AUG, JUL = date(2023, 8, 1), date(2023, 7, 1)


def definitions():
    found = services.ensure_definitions()
    db.session.commit()
    return found


def actual(org, code, amount, base=None, period=AUG):
    found = services.ensure_definitions()
    db.session.add(IndicatorActual(organisation_id=org.id, indicator_id=found[code].id,
                                   period=period, amount=amount, base=base))
    db.session.flush()


def plan(org, code, value, year=2023):
    found = services.ensure_definitions()
    db.session.add(IndicatorPlan(organisation_id=org.id, indicator_id=found[code].id,
                                 year=year, value=value))
    db.session.flush()


def rate(org, grade, period=AUG):
    db.session.add(GroupRating(organisation_id=org.id, period=period, grade=grade))
    db.session.flush()


def office(province, district=None, kind=OrgKind.SPECIALISED_BRANCH, **fields):
    return factories.make_org(kind, country=fields.pop("country", "VN"),
                              currency=fields.pop("currency", "VND"), province=province,
                              district=district, **fields)


def group(province, district, commune, parent=None, **fields):
    return factories.make_org(OrgKind.SAVINGS_GROUP, parent=parent, province=province,
                              district=district, commune=commune, **fields)


def file_rows(kind, rows):
    """rows as CSV text in the import format of `kind` (actuals, plans, ratings)."""
    lines = [",".join(KINDS[kind])] + [",".join(str(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def upload(client, kind, content, filename=None):
    """POST a file to the import page of kind (content: str for CSV, bytes for XLSX)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    body, content_type = factories.multipart({}, {"file": (filename or f"{kind}.csv", data)})
    return client.post(f"/indicators/import/{kind}", data=body, content_type=content_type)


def xlsx(rows):
    """An XLSX workbook (bytes) whose first sheet holds rows (Python values as typed)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_rows(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def xlsx_rows(response):
    assert response.status_code == 200, response.status_code
    book = load_workbook(io.BytesIO(response.data))
    return [[c.value for c in row] for row in book.worksheets[0].iter_rows()]


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))

"""Importing organisations: all rows or none, every bad row listed, safe exports."""
import io
import zipfile

import sqlalchemy as sa
from openpyxl import Workbook

from portal.accounts.models import Organisation
from tests.factories import make_org, multipart

HEADER = "code,name,name_en,kind,parent_code,country,province,district,commune,currency\n"
GOOD = HEADER + (
    "VN-KB-WU,Hội Liên hiệp Phụ nữ huyện Kim Bảng,Kim Bang Women's Union,mass_organisation,,"
    "VN,Hà Nam,Kim Bảng,,VND\n"
    "VN-KB-G0101,Tổ TK&VV số 1 xã Ba Sao,,savings_group,VN-KB-WU,VN,Hà Nam,Kim Bảng,Ba Sao,VND\n"
)


def _upload(client, content, filename="organisations.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/organisations/import",
                       data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))


def test_a_good_file_imports_and_importing_it_again_changes_nothing(client, login_as, db):
    login_as("administrator")
    before = _count(db)
    assert _upload(client, GOOD).status_code == 302
    assert _count(db) == before + 2
    group = db.session.scalar(sa.select(Organisation).where(Organisation.code == "VN-KB-G0101"))
    assert group.parent.code == "VN-KB-WU"
    versions = group.version_id
    again = _upload(client, GOOD)
    assert again.status_code == 302
    page = client.get("/organisations/")
    assert "0 new, 0 updated, 2 unchanged" in page.text
    db.session.expire_all()
    assert _count(db) == before + 2
    assert db.session.get(Organisation, group.id).version_id == versions


def test_a_file_with_bad_rows_changes_nothing_and_lists_every_bad_row(client, login_as, db):
    login_as("administrator")
    before = _count(db)
    bad = GOOD + (
        "VN-X1,Tổ lỗi,,not_a_kind,,VN,,,,VND\n"
        "VN-X2,,,savings_group,NOWHERE,VN,,,,VND\n"
        "VN-X3,Tổ tiền lạ,,savings_group,,Viet Nam,,,,DONG\n"
    )
    response = _upload(client, bad)
    assert response.status_code == 400
    assert _count(db) == before
    text = response.text
    assert "3 rows have errors" in text or "rows have errors" in text
    for line in ("<td>4</td>", "<td>5</td>", "<td>6</td>"):
        assert line in text
    assert "not_a_kind" in text and "NOWHERE" in text and "DONG" in text


def test_xlsx_files_import_like_csv(client, login_as, db):
    login_as("administrator")
    book = Workbook()
    sheet = book.active
    for line in GOOD.strip().splitlines():
        sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    assert _upload(client, out.getvalue(), "orgs.xlsx").status_code == 302
    assert db.session.scalar(sa.select(Organisation).where(Organisation.code == "VN-KB-WU"))


def test_a_zip_bomb_pretending_to_be_xlsx_is_refused(client, login_as, db):
    login_as("administrator")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (150 * 1024 * 1024))
    response = _upload(client, out.getvalue(), "bomb.xlsx")
    assert response.status_code == 400
    assert "too large to import" in response.text and "150" in response.text  # MB unpacked


def test_a_broken_file_gets_a_clear_error(client, login_as, db):
    login_as("administrator")
    response = _upload(client, b"\xff\xfe\x00garbage", "orgs.csv")
    assert response.status_code == 400
    assert "UTF-8" in response.text


def test_an_oversized_upload_is_refused_with_413(app, client, login_as, db):
    login_as("administrator")
    limit = app.config["MAX_CONTENT_LENGTH"]
    body, content_type = multipart({}, {"file": ("big.csv", b"a" * (limit + 1))})
    response = client.post("/organisations/import", data=body, content_type=content_type)
    assert response.status_code == 413
    assert "too large" in response.text


def test_formula_cells_are_neutralised_on_export(client, login_as, db):
    login_as("administrator")
    make_org("national_union", name="=HYPERLINK(\"http://evil\")", code="EVIL-1")
    make_org("national_union", name="+SUM(A1:A9)", code="EVIL-2")
    make_org("national_union", name="@cmd", code="EVIL-3")
    make_org("national_union", name="-2+3", code="EVIL-4")
    db.session.commit()
    text = client.get("/organisations/export.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+SUM" in text and "'@cmd" in text and "'-2+3" in text


def test_the_template_downloads_in_both_formats(client, login_as):
    login_as("administrator")
    csv_template = client.get("/organisations/import/template.csv")
    assert csv_template.data.decode("utf-8-sig").startswith("code,name,name_en,kind")
    xlsx = client.get("/organisations/import/template.xlsx")
    assert xlsx.data[:2] == b"PK"

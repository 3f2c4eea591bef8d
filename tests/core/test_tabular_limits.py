"""An uploaded XLSX that unpacks to far more work than its size is refused before it is read,
with the reasons, in the reader's language (issue 20: a 0.24 MB file kept a worker busy past
gunicorn's timeout; a 97 KB one cost 18.6 s). Files are crafted here with zipfile, as an
attacker would make them."""
import io
import zipfile

import pytest
from openpyxl import Workbook

from portal.core import tabular
from portal.core.errors import ValidationError
from tests.factories import multipart

SHEET = "xl/worksheets/sheet1.xml"
HEAD = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:XFD1048576"/><sheetData>')
TAIL = b"</sheetData></worksheet>"
HEADER_ROW = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c>'
              b'<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>')


def _workbook(sheet_xml, extra=()):
    """A real workbook (openpyxl's own parts) whose first sheet is replaced by sheet_xml."""
    book = Workbook()
    book.active.append(["code", "name"])
    source = io.BytesIO()
    book.save(source)
    original = zipfile.ZipFile(source)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in original.infolist():
            archive.writestr(info.filename,
                             sheet_xml if info.filename == SHEET else original.read(info))
        for name, data in extra:
            archive.writestr(name, data)
    return out.getvalue()


def _refusal(app, data):
    with app.test_request_context(), pytest.raises(ValidationError) as refused:
        tabular.read_table("figures.xlsx", data)
    return refused.value.message


def test_cells_placed_at_the_last_row_and_column_are_refused_unread(app):
    # 4 KB: one cell at XFD1 and one at row 1,048,576 would be padded to billions of cells
    data = _workbook(HEAD + HEADER_ROW + b'<row r="2"><c r="XFD2"><v>1</v></c></row>'
                     b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>' + TAIL)
    assert len(data) < 10_000
    message = _refusal(app, data)
    assert "too large to import" in message
    assert "row 1,048,576" in message and "50,000 rows" in message
    assert "column 16,384" in message and "100" in message
    assert "CSV" in message


def test_a_huge_shared_strings_part_is_refused_before_it_is_parsed(app):
    strings = b"<sst>" + b"<si><t>x</t></si>" * (17 * 1024 * 1024 // 16) + b"</sst>"
    data = _workbook(HEAD + HEADER_ROW + TAIL, extra=[("xl/sharedStrings.xml", strings)])
    assert len(data) < 300_000  # a small upload ...
    message = _refusal(app, data)
    assert "xl/sharedStrings.xml" in message and "16 MB" in message  # ... named and measured


def test_many_rows_are_refused_and_the_limit_is_configurable(app, monkeypatch):
    monkeypatch.setitem(app.config, "XLSX_MAX_ROWS", 1000)
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>KB-%d</t></is></c></row>'
                    % (n, n, n) for n in range(2, 1003))
    message = _refusal(app, _workbook(HEAD + HEADER_ROW + rows + TAIL))
    assert "row 1,002" in message and "1,000 rows" in message


def test_too_many_cells_are_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "XLSX_MAX_CELLS", 500)
    row = b"".join(b'<c><v>%d</v></c>' % n for n in range(60))
    rows = b"".join(b'<row r="%d">%s</row>' % (n, row) for n in range(2, 12))
    message = _refusal(app, _workbook(HEAD + HEADER_ROW + rows + TAIL))
    assert "602 cells" in message and "500" in message


def test_a_part_whose_data_is_not_what_its_header_says_is_not_a_workbook(app):
    data = bytearray(_workbook(HEAD + HEADER_ROW + TAIL))
    at = data.find(b"PK\x01\x02")  # the central directory: corrupt the data before it
    data[at - 40:at - 20] = b"\x00" * 20
    assert "not a valid XLSX" in _refusal(app, bytes(data))


def test_a_normal_workbook_still_reads_and_its_declared_dimension_is_ignored(app):
    rows = ('<row r="2"><c r="A2" t="inlineStr"><is><t>VN-KB</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>Hội Nông dân</t></is></c></row>').encode()
    with app.test_request_context():
        header, records = tabular.read_table("orgs.xlsx", _workbook(HEAD + HEADER_ROW + rows
                                                                    + TAIL))
    assert header == ["code", "name"]
    assert records == [(2, {"code": "VN-KB", "name": "Hội Nông dân"})]


def test_an_importer_uploading_a_crafted_workbook_gets_the_reasons_in_persian(client, login_as,
                                                                              db):
    login_as("administrator")
    data = _workbook(HEAD + HEADER_ROW + b'<row r="900000"><c r="ZZ900000"><v>1</v></c></row>'
                     + TAIL)
    body, content_type = multipart({}, {"file": ("orgs.xlsx", data)})
    response = client.post("/organisations/import", data=body, content_type=content_type,
                           headers={"Accept-Language": "fa"})
    assert response.status_code == 400
    assert "too large to import" not in response.text  # translated, not English
    assert "۹۰۰,۰۰۰" in response.text and "۵۰,۰۰۰" in response.text  # the reasons, in Persian


def test_a_download_name_cannot_add_parameters_to_content_disposition():
    from werkzeug.http import parse_options_header

    value = tabular.content_disposition("indicators-ratings-Q2\"; filename*=UTF-8''evil.html"
                                        "-2023-08.csv")
    kind, options = parse_options_header(value)
    # exactly the two parameters the portal wrote: the ASCII stand-in and the real name
    assert kind == "attachment" and value.count("; ") == 2 and value.count("filename*=") == 1
    assert value.split("; ")[1] == (
        'filename="indicators-ratings-Q2_ filename_UTF-8_evil.html-2023-08.csv"')
    # what a browser saves (filename*, decoded) still ends as the portal named it
    assert options["filename"].endswith("evil.html-2023-08.csv")
    persian = tabular.content_disposition("صورت‌جلسه ۱۴۰۴.ics", "inline")
    assert persian.startswith("inline; filename=\"") and "filename*=UTF-8''%D8%B5" in persian
    assert "\n" not in tabular.content_disposition("a\r\nSet-Cookie: x=1.csv")

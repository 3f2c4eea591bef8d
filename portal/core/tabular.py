"""Reading uploaded CSV/XLSX files safely, and writing exports that spreadsheets cannot abuse."""
import codecs
import csv
import io
import zipfile

from flask_babel import gettext as _

from portal.core.errors import ValidationError

# An XLSX is a zip; a tiny file can inflate to gigabytes. Refuse before openpyxl reads it.
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_XLSX_RATIO = 200
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _check_zip(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("The file is not a valid XLSX workbook.")) from exc
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_XLSX_UNCOMPRESSED or total > MAX_XLSX_RATIO * max(len(data), 1):
        raise ValidationError(_("The workbook expands to more than the portal accepts."))


def _read_xlsx(data):
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a corrupt file
        raise ValidationError(_("The file is not a valid XLSX workbook.")) from exc
    sheet = book.worksheets[0]
    rows = [["" if c is None else str(c).strip() for c in row]
            for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _read_csv(data):
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file must be saved as UTF-8 text.")) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def read_table(filename, data):
    """Return (header, [(line_number, {column: value})]) from an uploaded CSV or XLSX file."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _read_csv(data)
    else:
        raise ValidationError(_("Upload a CSV or XLSX file."))
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ValidationError(_("The file is empty."))
    header = [h.strip().lower() for h in rows[0]]
    records = []
    for offset, row in enumerate(rows[1:], start=2):
        padded = row + [""] * (len(header) - len(row))
        records.append((offset, dict(zip(header, padded, strict=False))))
    return header, records


def neutralise(value):
    """Prefix a cell that a spreadsheet would run as a formula, so it shows as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(header, rows):
    """A UTF-8 CSV (with BOM, so Excel reads Persian and Thai) with formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def xlsx_bytes(header, rows, title="export"):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(header, rows, filename, fmt):
    """A download of the rows as CSV or XLSX (formula-safe); 404 for any other format."""
    from flask import Response, abort

    if fmt == "csv":
        data, mimetype = csv_bytes(header, rows), "text/csv"
    elif fmt == "xlsx":
        data, mimetype = xlsx_bytes(header, rows, filename), XLSX_TYPE
    else:
        abort(404)
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}.{fmt}"'})

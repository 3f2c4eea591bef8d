"""Reading uploaded CSV/XLSX files safely, and writing exports that spreadsheets cannot abuse."""
import codecs
import csv
import io
import re
import unicodedata
import zipfile
from urllib.parse import quote

from flask import current_app, has_app_context
from flask_babel import format_number
from flask_babel import gettext as _

from portal.core.errors import ValidationError

# An XLSX is a zip of XML; a small file can unpack to far more work than its size suggests:
# gigabytes of XML, millions of shared strings, or a handful of cells placed at row 1,048,576
# and column XFD, which a reader fills in as billions of empty cells. The parts are measured
# and the sheets counted (a scan of the XML at C speed) before openpyxl reads anything, and
# openpyxl then streams the rows (read_only) without the declared dimension.
# Every limit can be set in the configuration (XLSX_*, portal/config.py); these are defaults.
# openpyxl reads some 30,000-60,000 cells a second: 200,000 cells cost seconds, not the
# worker's timeout. Larger files go through CSV, which is streamed (a million rows a minute).
LIMITS = {
    "XLSX_MAX_MB": 32,          # all parts together, unpacked
    "XLSX_MAX_PART_MB": 16,     # one sheet or the shared strings, unpacked
    "XLSX_MAX_ROWS": 50_000,
    "XLSX_MAX_COLUMNS": 100,
    "XLSX_MAX_CELLS": 200_000,
}
MAX_XLSX_RATIO = 200
# the workbook's other XML (styles, theme, relations) is a few kilobytes in real files, and
# openpyxl builds an object per style: keep it small
MAX_OTHER_PART = 4 * 1024 * 1024
MAX_PARTS = 1000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_CELL_COLUMN = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=[\"']([A-Za-z]{1,4})\d")
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
_ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\s[^>]*?\br=[\"'](\d{1,9})[\"']")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_SHARED_STRINGS = re.compile(r"xl/sharedstrings\d*\.xml", re.IGNORECASE)


def _limit(name):
    if has_app_context():
        return current_app.config.get(name, LIMITS[name])
    return LIMITS[name]


def _not_a_workbook():
    return ValidationError(_("The file is not a valid XLSX workbook."))


def _too_large(reasons):
    return ValidationError(_(
        "The workbook is too large to import: %(reasons)s Split it into smaller files, or "
        "save it as CSV.", reasons=" ".join(reasons)))


def _column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _sheet_reasons(xml):
    """Why this sheet's XML is more than the portal reads (an empty list: it is not)."""
    reasons = []
    rows = max(len(_ROW.findall(xml)),
               max((int(n) for n in _ROW_NUMBER.findall(xml)), default=0))
    if rows > _limit("XLSX_MAX_ROWS"):
        reasons.append(_("A sheet reaches row %(rows)s; the portal reads up to %(max)s rows.",
                         rows=format_number(rows), max=format_number(_limit("XLSX_MAX_ROWS"))))
    columns = max((_column_number(letters.decode())
                   for letters in set(_CELL_COLUMN.findall(xml))), default=0)
    if columns > _limit("XLSX_MAX_COLUMNS"):
        reasons.append(_("A sheet reaches column %(columns)s; the portal reads up to %(max)s "
                         "columns.", columns=format_number(columns),
                         max=format_number(_limit("XLSX_MAX_COLUMNS"))))
    cells = len(_CELL.findall(xml))
    if cells > _limit("XLSX_MAX_CELLS"):
        reasons.append(_("A sheet holds %(cells)s cells; the portal reads up to %(max)s.",
                         cells=format_number(cells),
                         max=format_number(_limit("XLSX_MAX_CELLS"))))
    return reasons


def _check_zip(data):
    """Refuse a workbook whose parts unpack to more than the portal will read, and say why."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _not_a_workbook() from exc
    mb = 1024 * 1024
    total = sum(info.file_size for info in parts)
    reasons = []
    if len(parts) > MAX_PARTS:
        raise _not_a_workbook()
    if total > _limit("XLSX_MAX_MB") * mb or total > MAX_XLSX_RATIO * max(len(data), 1):
        reasons.append(_("Unpacked, it is %(size)s MB; the portal reads up to %(max)s MB.",
                         size=format_number(round(total / mb, 1)),
                         max=format_number(_limit("XLSX_MAX_MB"))))
    largest = _limit("XLSX_MAX_PART_MB") * mb
    for info in parts:
        counted = _SHEET.fullmatch(info.filename) or _SHARED_STRINGS.fullmatch(info.filename)
        binary = info.filename.lower().startswith("xl/media/")  # pictures: never parsed
        if info.file_size > (largest if counted else MAX_OTHER_PART) and not binary:
            reasons.append(_("Its part %(part)s is %(size)s MB unpacked; the portal reads "
                             "parts of up to %(max)s MB.", part=info.filename,
                             size=format_number(round(info.file_size / mb, 1)),
                             max=format_number(round((largest if counted
                                                      else MAX_OTHER_PART) / mb))))
    if reasons:
        raise _too_large(reasons)
    return archive


def _check_parts(archive):
    """Count what openpyxl would build from the sheets and the shared strings."""
    reasons = []
    try:
        for info in archive.infolist():
            if _SHEET.fullmatch(info.filename):
                reasons.extend(r for r in _sheet_reasons(archive.read(info))
                               if r not in reasons)
            elif _SHARED_STRINGS.fullmatch(info.filename):
                strings = len(_SHARED_STRING.findall(archive.read(info)))
                if strings > _limit("XLSX_MAX_CELLS"):
                    reasons.append(_("It holds %(n)s different texts; the portal reads up to "
                                     "%(max)s.", n=format_number(strings),
                                     max=format_number(_limit("XLSX_MAX_CELLS"))))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        # a part whose data is not what its header declares (a CRC or size mismatch)
        raise _not_a_workbook() from exc
    if reasons:
        raise _too_large(reasons)


def _read_xlsx(data):
    from openpyxl import load_workbook

    _check_parts(_check_zip(data))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # the declared dimension (<dimension ref="A1:XFD1048576">) would make openpyxl pad
        # every row to it; the rows as they are were counted above
        sheet.reset_dimensions()
        rows = [["" if c is None else str(c).strip() for c in row]
                for row in sheet.iter_rows(values_only=True)]
        book.close()
    except Exception as exc:  # openpyxl raises many kinds for a corrupt file
        raise _not_a_workbook() from exc
    return rows


def csv_rows(data):
    """The portal's one CSV reader: (row number, [values, trimmed]) for each row of an
    uploaded file that holds anything, read as it is iterated (a large import is streamed).

    UTF-8 with or without a byte-order mark; the separator is the one the header row uses
    (comma, semicolon or tab): csv.Sniffer guesses from the data too, and a quoted value
    holding "; " made it split every row at the wrong character.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file must be saved as UTF-8 text.")) from exc
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    return _rows(text, delimiter)


def _rows(text, delimiter):
    for line, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [c.strip() for c in row]
        if any(cells):
            yield line, cells


def read_table(filename, data):
    """Return (header, [(line_number, {column: value})]) from an uploaded CSV or XLSX file."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = [cells for _line, cells in csv_rows(data)]
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
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._ -]+")


def content_disposition(filename, disposition="attachment"):
    """The Content-Disposition header for a download named `filename` (RFC 6266).

    Every download goes through here: a name can hold what a person typed (an organisation's
    code, a meeting's title), and a quote or semicolon in it would end the filename and add
    parameters of the sender's choosing. filename= carries an ASCII stand-in with anything
    unsafe replaced; filename* the real name percent-encoded (RFC 8187), as werkzeug's
    send_file does, so browsers that read it keep Persian and Thai names.
    """
    name = " ".join(str(filename).split())  # no line breaks or tabs, ever
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = _UNSAFE_IN_FILENAME.sub("_", plain).strip(" .") or "download"
    value = f'{disposition}; filename="{plain}"'
    if plain != name:
        value += "; filename*=UTF-8''" + quote(name, safe="!#$&+^`|")
    return value


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
        "Content-Disposition": content_disposition(f"{filename}.{fmt}")})

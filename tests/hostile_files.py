# ruff: noqa: E501 - the parts of an .xlsx are one line of XML each
"""Hostile .xlsx files, built part by part so that each is small on disk whatever it inflates to.

Each maker returns the bytes of a file with the RT.1 header row that openpyxl opens; the
payload is written into the zip in chunks, so building a file that inflates to hundreds
of megabytes never holds them in memory. Used by tests/test_import_bounds.py and by
benchmarks/hostile_uploads.py.
"""

import io
import zipfile

from sales.importing import HEADER_ROW, HEADERS

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="รต.1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = "</sheetData></worksheet>"
EMPTY_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'
)
CHUNK = 1024 * 1024


def _escape(text):
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def text_cell(column, row, text):
    return f'<c r="{column}{row}" t="inlineStr"><is><t>{_escape(text)}</t></is></c>'


def header_row():
    cells = "".join(text_cell(chr(65 + i), HEADER_ROW, text) for i, text in enumerate(HEADERS))
    return f'<row r="{HEADER_ROW}">{cells}</row>'


def data_row(number, name="กลุ่มทอผ้าบ้านดอย", domestic="1000"):
    return (
        f'<row r="{number}">'
        + text_cell("B", number, name)
        + text_cell("C", number, "อาหาร")
        + text_cell("D", number, "กลุ่มผู้ผลิตชุมชน")
        + f'<c r="E{number}"><v>{domestic}</v></c><c r="F{number}"><v>0</v></c></row>'
    )


def build(sheet_chunks, strings_chunks=(EMPTY_STRINGS,)):
    """Return .xlsx bytes whose sheet and shared strings are the given chunks of text."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, chunks in (
            ("xl/worksheets/sheet1.xml", sheet_chunks),
            ("xl/sharedStrings.xml", strings_chunks),
        ):
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk.encode())
    return output.getvalue()


def _repeat(text, total):
    """Yield `text` repeated to about `total` characters, a megabyte at a time."""
    block = text * max(CHUNK // len(text), 1)
    for _ in range(max(total // len(block), 1)):
        yield block


def huge_row_number():
    """A 2 KB file: the header, then one row numbered in the trillions."""
    return build([SHEET_OPEN, header_row(), data_row(1_000_000_000_000), SHEET_CLOSE])


def empty_row_far_away():
    """The header, one good row, then an empty row numbered in the trillions."""
    return build([SHEET_OPEN, header_row(), data_row(6), '<row r="999999999999"/>', SHEET_CLOSE])


def inflated_rows(megabytes=300):
    """Millions of identical data rows without numbers: a few hundred KB that inflate."""
    row = data_row(0).replace(' r="0"', "").replace('r="B0" ', "").replace('r="C0" ', "")
    row = row.replace('r="D0" ', "").replace(' r="E0"', "").replace(' r="F0"', "")

    def chunks():
        yield SHEET_OPEN + header_row()
        yield from _repeat(row, megabytes * CHUNK)
        yield SHEET_CLOSE

    return build(chunks())


def many_rows(count):
    """`count` ordinary data rows: small enough to pass the size bounds."""
    rows = "".join(data_row(HEADER_ROW + 1 + i) for i in range(count))
    return build([SHEET_OPEN, header_row(), rows, SHEET_CLOSE])


def huge_cell(megabytes=200):
    """One name cell of `megabytes` of text."""

    def chunks():
        yield SHEET_OPEN + header_row()
        yield '<row r="6"><c r="B6" t="inlineStr"><is><t>'
        yield from _repeat("x", megabytes * CHUNK)
        yield "</t></is></c></row>" + SHEET_CLOSE

    return build(chunks())


def long_cell(characters):
    """One name cell of `characters` characters: within the size bounds, past the field's."""
    return build([SHEET_OPEN, header_row(), data_row(6, name="ก" * characters), SHEET_CLOSE])


def huge_shared_strings(megabytes=200):
    """A shared-string table of millions of strings that the sheet never uses."""

    def strings():
        yield (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        )
        yield from _repeat("<si><t>x</t></si>", megabytes * CHUNK)
        yield "</sst>"

    return build([SHEET_OPEN, header_row(), data_row(6), SHEET_CLOSE], strings())


def huge_attribute(megabytes=200):
    """A row element with one attribute of `megabytes`."""

    def chunks():
        yield SHEET_OPEN + header_row()
        yield '<row r="6" spans="'
        yield from _repeat("1", megabytes * CHUNK)
        yield '">' + data_row(6)[len('<row r="6">') :] + SHEET_CLOSE

    return build(chunks())


def whitespace_bomb(megabytes=300):
    """Hundreds of megabytes of spaces between two elements of the sheet."""

    def chunks():
        yield SHEET_OPEN + header_row()
        yield from _repeat(" ", megabytes * CHUNK)
        yield data_row(6) + SHEET_CLOSE

    return build(chunks())


# The kinds the issue names, each at the size of the attack.
KINDS = {
    "huge row number": huge_row_number,
    "inflated rows": inflated_rows,
    "one huge cell": huge_cell,
    "huge shared strings": huge_shared_strings,
    "huge attribute": huge_attribute,
    "whitespace bomb": whitespace_bomb,
}

"""Import a district's month from an Excel file in the RT.1 layout (แบบ รต.1).

The file's rows are read as text, the way an officer would have typed them on the entry
page. Then the month's saved rows and the file's rows go through the entry page's own
form (MonthForm), so every rule (amounts, names, duplicates, rows the province has confirmed) and
every message is the entry page's. The file is merged into the month by producer name and
product type: saved rows that are not in the file stay as they are.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from pathlib import PurePath

import openpyxl
from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reports.excel import (
    BOX,
    FONT,
    HEADER_FILL,
    LINE_HEIGHT,
    NOTE_SIZE,
    SIZE,
    TITLE_HEIGHT,
    TITLE_SIZE,
    put,
    shown,
    text_points,
    units_for,
    wrapped_lines,
)
from sales.bounded_xlsx import Deadline, inspect_archive, sheet_rows
from sales.fields import parse_amount
from sales.forms import MAX_ROWS, MonthForm, normalise_name, row_values
from sales.models import MonthlySale, Producer, ProducerType, ProductType

TITLE = "แบบรายงานข้อมูลผลการจำหน่ายสินค้าหนึ่งตำบล หนึ่งผลิตภัณฑ์ OTOP (รต.1)"
HEADERS = (
    "ที่",
    "ชื่อกลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP",
    "ประเภทผลิตภัณฑ์",
    "ประเภทกลุ่ม",
    "ในประเทศ (บาท)",
    "ต่างประเทศ (บาท)",
    "รวมทั้งสิ้น (บาท)",
)
# The SaleRowForm fields that columns B to F carry; ที่ (A) and รวมทั้งสิ้น (G) are not read:
# the number is the officer's, and the total is recomputed from the two amounts.
FIELDS = ("name", "product_type", "producer_type", "domestic", "export")
HEADER_ROW = 5  # in the template; an uploaded file's header may be anywhere near the top
HEADER_SEARCH_ROWS = 20
MAX_HEADER_COLUMNS = 20  # a header row is looked for in the first columns only
# Data may have blank lines between rows, but not without end: a row numbered past this
# many lines below the header stops the read (sales.bounded_xlsx.sheet_rows).
MAX_LINES_BELOW_HEADER = 2 * MAX_ROWS
# The longest text a cell may hold, per field: the producer's name as the model stores
# it, a type label with room for spaces, an amount with separators and words to spare.
MAX_TEXT = {
    "name": Producer._meta.get_field("name").max_length,
    "product_type": 100,
    "producer_type": 100,
    "domestic": 40,
    "export": 40,
}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT_FORMAT = "#,##0.00"
# Blank lines the template offers below the prefilled rows, with formats and the total.
BLANK_LINES = 100
UNREADABLE = (
    "เปิดไฟล์นี้ไม่ได้: ไฟล์ไม่ใช่ Excel (.xlsx) หรือไฟล์เสียหาย กรุณาใช้แบบฟอร์มที่ดาวน์โหลดจากระบบ แล้วบันทึกเป็น .xlsx"
)


def max_file_bytes():
    """Return the largest file accepted (the setting OTOP_IMPORT_MAX_BYTES, 5 MB by default)."""
    return getattr(settings, "OTOP_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def session_key(district, fiscal_month):
    """Return where an upload's rows wait for confirmation in the officer's session."""
    return f"sales-import:{district.pk}:{fiscal_month.fiscal_year}:{fiscal_month.month}"


def template_filename(district, fiscal_month):
    return f"rt1-{district.pk}-{fiscal_month.fiscal_year}-{fiscal_month.month:02d}.xlsx"


# --- the template -------------------------------------------------------------------------


def template_rows(district, fiscal_month, confirmed_only=False):
    """Return the rows to prefill: the month's saved rows, else last month's without amounts.

    Like the entry page, a month not yet entered starts from last month's producers and
    types, so only the amounts need typing. With confirmed_only (the department), only
    rows the province has confirmed exist, in this month and the one before.
    """
    rows = _saved_rows(district, fiscal_month, confirmed_only)
    if rows or not fiscal_month.has_started():
        return [_as_line(row, amounts=True) for row in rows]
    previous = _saved_rows(district, fiscal_month.previous, confirmed_only)
    return [_as_line(row, amounts=False) for row in previous]


def _saved_rows(district, fiscal_month, confirmed_only=False):
    rows = MonthlySale.objects.for_month(district, fiscal_month)
    if confirmed_only:
        rows = rows.province_confirmed()
    return list(rows.select_related("producer").order_by("producer__name", "product_type"))


def _as_line(row, *, amounts):
    return {
        "name": row.producer.name,
        "product_type": row.get_product_type_display(),
        "producer_type": row.get_producer_type_display(),
        "domestic": row.domestic if amounts else None,
        "export": row.export if amounts else None,
    }


def build_template(district, fiscal_month, rows):
    """Return an RT.1 workbook (bytes) for the district's month, prefilled with `rows`.

    Steps:
    1. Title rows: the form's name, the district and province, the month in B.E.
    2. The header row, frozen, and one line per row with the types as Thai labels.
    3. Blank lines below, each with the baht format and the total's formula.
    4. Drop-down lists of the Thai labels on the two type columns, for every line a file
       may have; A4 landscape, one page wide, the header repeated on every page.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "รต.1"
    # The look of every report (reports.excel): TH Sarabun New, the same fills and borders.
    font = FONT
    last_col = get_column_letter(len(HEADERS))

    titles = [
        (TITLE, Font(name=font, size=TITLE_SIZE, bold=True)),
        (
            f"อำเภอ{district.name_th} จังหวัด{district.province.name_th}",
            Font(name=font, size=SIZE, bold=True),
        ),
        (
            f"ประจำเดือน{fiscal_month.label} ปีงบประมาณ พ.ศ. {fiscal_month.fiscal_year}",
            Font(name=font, size=SIZE),
        ),
        (
            "กรอกหนึ่งแถวต่อผู้ผลิตหนึ่งรายและประเภทผลิตภัณฑ์หนึ่งประเภท "
            "เลือกประเภทจากรายการ ยอดจำหน่ายเป็นบาท ทศนิยมไม่เกิน 2 ตำแหน่ง "
            "(ไม่มียอดให้ใส่ 0) ช่องรวมทั้งสิ้นคำนวณให้เอง",
            Font(name=font, size=NOTE_SIZE, italic=True, color="555555"),
        ),
    ]
    for number, (text, title_font) in enumerate(titles, start=1):
        sheet.merge_cells(f"A{number}:{last_col}{number}")
        cell = sheet.cell(row=number, column=1, value=text)
        cell.font = title_font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number in (1, 2, 3):
        sheet.row_dimensions[number].height = TITLE_HEIGHT
    sheet.row_dimensions[4].height = 2 * LINE_HEIGHT

    border = BOX
    for column, text in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=text)
        cell.font = Font(name=font, size=SIZE, bold=True)
        cell.fill = HEADER_FILL
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[HEADER_ROW].height = 2 * LINE_HEIGHT

    first = HEADER_ROW + 1
    last = first + min(len(rows) + BLANK_LINES, MAX_ROWS) - 1
    body = Font(name=font, size=SIZE)
    alignments = {
        1: Alignment(horizontal="center", vertical="top"),
        **{c: Alignment(vertical="top", wrap_text=True) for c in (2, 3, 4)},
        5: Alignment(vertical="top"),
    }
    widths = dict(zip("ABCDEFG", (6, 46, 27, 31, 18, 18, 18), strict=True))
    for number in range(first, last + 1):
        index = number - first
        line = rows[index] if index < len(rows) else None
        values = (
            [index + 1, line["name"], line["product_type"], line["producer_type"]]
            + [line["domestic"], line["export"]]
            if line
            else [None] * 6
        )
        # Thai needs room above and below the line for its vowels and tone marks; a long
        # name wraps and its row grows.
        texts = zip(("name", "product_type", "producer_type"), "BCD", strict=True)
        lines = max(wrapped_lines(line[key], widths[c]) for key, c in texts) if line else 1
        sheet.row_dimensions[number].height = LINE_HEIGHT * lines
        if line:
            amounts = [line["domestic"] or 0, line["export"] or 0]
            for letter, amount in zip("EFG", [*amounts, sum(amounts)], strict=True):
                needed = units_for(text_points(shown(amount, AMOUNT_FORMAT)))
                widths[letter] = max(widths[letter], needed)
        for column, value in enumerate(values, start=1):
            cell = put(sheet.cell(row=number, column=column), value)
            cell.font = body
            cell.border = border
            cell.alignment = alignments[min(column, 5)]
            if column >= 5:
                cell.number_format = AMOUNT_FORMAT
        # The total: the one formula of the template, written on purpose (not through put).
        total = sheet.cell(row=number, column=7)
        total.value = f'=IF(COUNT(E{number}:F{number})=0,"",SUM(E{number}:F{number}))'
        total.font = body
        total.border = border
        total.alignment = alignments[5]
        total.number_format = AMOUNT_FORMAT

    data_end = HEADER_ROW + MAX_ROWS
    for column, choices, what in (
        ("C", ProductType, "ประเภทผลิตภัณฑ์"),
        ("D", ProducerType, "ประเภทกลุ่ม"),
    ):
        validation = DataValidation(
            type="list",
            formula1='"{}"'.format(",".join(choices.labels)),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"{what}ไม่ถูกต้อง",
            error=f"กรุณาเลือก{what}จากรายการ",
            showInputMessage=True,
            promptTitle=what,
            prompt=f"เลือก{what}จากรายการ",
        )
        validation.add(f"{column}{first}:{column}{data_end}")
        sheet.add_data_validation(validation)

    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = f"A{first}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A1:{last_col}{max(last - BLANK_LINES + 10, first + 10)}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True

    output = BytesIO()
    book.save(output)
    return output.getvalue()


# --- reading an upload --------------------------------------------------------------------


def read_rows(upload):
    """Return the data rows of an uploaded RT.1 file as text, or raise ValidationError.

    Each row is a dict of strings ("line" is its row number in the sheet), safe to keep in
    the session. Steps:
    1. Refuse a file whose name does not end in .xlsx, or larger than max_file_bytes().
    2. Open it with openpyxl (read-only; formulas give their last computed values);
       refuse what openpyxl cannot open, such as an .xls or a text file renamed .xlsx.
    3. Find the header row near the top of a sheet and check its columns one by one.
    4. Read the rows below it, skipping blank ones; refuse none, or more than MAX_ROWS.
    Every step is bounded (sales.bounded_xlsx): parts that inflate out of proportion are
    refused before parsing, reading stops at a row numbered past the last allowed and at
    a cell longer than its field allows, and the whole read has a time budget.
    """
    if PurePath(upload.name or "").suffix.lower() != ".xlsx":
        raise forms.ValidationError(
            "รับเฉพาะไฟล์ Excel นามสกุล .xlsx (ไฟล์ .xls หรือ .csv โปรดเปิดใน Excel แล้ว"
            "บันทึกเป็น “Excel Workbook (.xlsx)” ก่อน)",
            code="extension",
        )
    if upload.size > max_file_bytes():
        raise forms.ValidationError(
            f"ไฟล์มีขนาด {_size(upload.size)} เกินกว่าที่รับได้ (ไม่เกิน {_size(max_file_bytes())})",
            code="too_large",
        )
    inspect_archive(upload)
    deadline = Deadline()
    try:
        book = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:
        # openpyxl fails on a broken or foreign file with many kinds of errors (zip,
        # XML, missing parts): whichever it is, the officer's answer is the same.
        raise forms.ValidationError(UNREADABLE, code="unreadable") from error
    try:
        deadline.check()
        sheet, header_row = _find_header(book, deadline)
        return _data_rows(sheet, header_row, deadline)
    except forms.ValidationError:
        raise
    except Exception as error:
        # Read-only mode parses a sheet only as its rows are read, so a file whose sheet
        # is broken (cut short, or XML that is not well-formed) opens and fails here.
        raise forms.ValidationError(UNREADABLE, code="unreadable") from error
    finally:
        book.close()


def _size(size):
    """Render a file size as officers read it: "5 MB", "6.2 MB", "300 KB"."""
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _squash(value):
    """Return a cell's text without spaces or line breaks, for comparing labels."""
    return "".join(str(value).split()).casefold() if value is not None else ""


def _find_header(book, deadline):
    """Return (sheet, row number) of the first header row, or raise with what is wrong.

    A row near the top that has at least two of the expected headers is taken as the
    header row; then every column must be the expected one, in order.
    """
    wanted = [_squash(text) for text in HEADERS]
    for sheet in book.worksheets:
        if not hasattr(sheet, "iter_rows"):
            continue  # a chart sheet
        rows = sheet_rows(
            sheet, deadline, MAX_HEADER_COLUMNS, HEADER_SEARCH_ROWS, lambda *row: True
        )
        for number, values in rows:
            cells = [_squash(v) for v in values]
            if sum(text in wanted for text in cells) >= 2:
                problems = _header_problems(cells, wanted)
                if problems:
                    raise forms.ValidationError(
                        [f"แถวหัวตาราง (แถวที่ {number}) ไม่ตรงกับแบบฟอร์ม รต.1:", *problems],
                        code="headers",
                    )
                return sheet, number
    raise forms.ValidationError(
        f"ไม่พบแถวหัวตารางใน {HEADER_SEARCH_ROWS} แถวแรกของไฟล์ หัวตารางต้องมีคอลัมน์ "
        + " | ".join(HEADERS)
        + " กรุณาใช้แบบฟอร์มที่ดาวน์โหลดจากระบบ",
        code="no_header",
    )


def _header_problems(cells, wanted):
    problems = []
    for index, (expected, text) in enumerate(zip(wanted, HEADERS, strict=True)):
        found = cells[index] if index < len(cells) else ""
        if found == expected:
            continue
        letter = get_column_letter(index + 1)
        if expected in cells:
            elsewhere = get_column_letter(cells.index(expected) + 1)
            problems.append(f"คอลัมน์ “{text}” ต้องอยู่ที่คอลัมน์ {letter} แต่ในไฟล์อยู่ที่คอลัมน์ {elsewhere}")
        elif not found:
            problems.append(f"ไม่พบคอลัมน์ “{text}” (ต้องอยู่ที่คอลัมน์ {letter})")
        else:
            problems.append(f"คอลัมน์ {letter} ต้องเป็น “{text}” แต่ในไฟล์เป็น “{found}”")
    return problems


def _data_rows(sheet, header_row, deadline):
    rows = []
    last_line = header_row + MAX_LINES_BELOW_HEADER

    def past_last(line, values):
        if any(_text(value) for value in values[1:6]):
            raise forms.ValidationError(
                f"ไฟล์มีข้อมูลที่แถวที่ {line:,} ซึ่งเลยแถวที่ {last_line:,} "
                f"อันเป็นแถวสุดท้ายที่รับได้ (ไม่เกิน {MAX_ROWS:,} แถวต่อเดือนของอำเภอ) "
                "กรุณาลบแถวที่เกินมา หรือใช้แบบฟอร์มที่ดาวน์โหลดจากระบบ",
                code="too_many_rows",
            )
        return False  # an empty row that only carries formatting

    lines = sheet_rows(sheet, deadline, len(HEADERS), last_line, past_last)
    for line, values in lines:
        if line <= header_row:
            continue
        texts = [_text(value) for value in values[1:6]]
        if not any(texts):
            continue
        if len(rows) == MAX_ROWS:
            raise forms.ValidationError(
                f"ไฟล์มีข้อมูลเกิน {MAX_ROWS:,} แถว ซึ่งเป็นจำนวนสูงสุดต่อเดือนของอำเภอ "
                "กรุณาตรวจสอบว่าไม่มีแถวเกินมา หรือแบ่งนำเข้าเป็นหลายไฟล์",
                code="too_many_rows",
            )
        _check_lengths(line, texts)
        rows.append({"line": line, **dict(zip(FIELDS, texts, strict=True))})
    if not rows:
        raise forms.ValidationError(
            f"ไม่พบข้อมูลใต้แถวหัวตาราง (แถวที่ {header_row}) กรุณากรอกอย่างน้อยหนึ่งแถว",
            code="no_rows",
        )
    return rows


def _check_lengths(line, texts):
    """Refuse a cell longer than its field could ever take, before it reaches the preview.

    The form would refuse such a name or amount too, but only after the text has been
    kept in the session and shown back in full; a cell of megabytes stops here.
    """
    for index, (name, text) in enumerate(zip(FIELDS, texts, strict=True)):
        if len(text) > MAX_TEXT[name]:
            column = get_column_letter(index + 2)
            raise forms.ValidationError(
                f"แถวที่ {line:,} คอลัมน์ {column} (“{HEADERS[index + 1]}”) ยาว {len(text):,} ตัวอักษร "
                f"เกินกว่าที่ช่องนี้รับได้ ({MAX_TEXT[name]:,} ตัวอักษร) กรุณาแก้ไขในไฟล์แล้วอัปโหลดอีกครั้ง",
                code="too_long",
            )


def _text(value):
    """Return a cell's value as the text an officer would have typed.

    Excel stores numbers as binary floats; str() gives the shortest text that reads back
    as the same float (1234.5, not 1234.4999...), and Decimal keeps it exactly from there,
    so no arithmetic is ever done in float. "f" avoids exponents (1e+16).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(Decimal(str(value)), "f")
    if isinstance(value, int | Decimal):
        return format(Decimal(value), "f")
    return str(value).strip()


class ImportForm(forms.Form):
    """The upload: an .xlsx file in the RT.1 layout; cleans to its rows (read_rows)."""

    file = forms.FileField(
        label="ไฟล์ Excel (.xlsx) ตามแบบ รต.1",
        error_messages={
            "required": "กรุณาเลือกไฟล์ Excel (.xlsx) ที่จะนำเข้า",
            "empty": "ไฟล์นี้ว่างเปล่า กรุณาเลือกไฟล์ใหม่",
            "invalid": "ไม่พบไฟล์ที่ส่งมา กรุณาเลือกไฟล์อีกครั้ง",
            "missing": "ไม่พบไฟล์ที่ส่งมา กรุณาเลือกไฟล์อีกครั้ง",
        },
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.error_text_inline = False  # one line per problem, not a run-on
        # The limit is a setting: say the one in force, not the one at import time.
        self.fields["file"].help_text = (
            f"ขนาดไม่เกิน {_size(max_file_bytes())} ไม่เกิน {MAX_ROWS:,} แถว "
            "แนะนำให้ใช้แบบฟอร์มที่ดาวน์โหลดจากหน้านี้"
        )

    def clean_file(self):
        return read_rows(self.cleaned_data["file"])


# --- checking the rows against the month ----------------------------------------------------


@dataclass
class Line:
    """One row of the file, with what the import will do with it."""

    line: int
    text: dict
    saved: MonthlySale | None = None
    errors: dict = field(default_factory=dict)
    cleaned: dict | None = None

    @property
    def status(self):
        """Return "error", "new", "update" or "same"."""
        if self.errors:
            return "error"
        if self.saved is None:
            return "new"
        if self.cleaned is None:
            return "update"  # the page as a whole was refused; the row itself is fine
        saved, cleaned = self.saved, self.cleaned
        same = (
            saved.domestic == (cleaned["domestic"] or 0),
            saved.export == (cleaned["export"] or 0),
            saved.producer_type == cleaned["producer_type"],
        )
        return "same" if all(same) else "update"

    @property
    def amounts(self):
        """Return (domestic, export, total) as the import will save them, or Nones."""
        if self.cleaned is None:
            return None, None, None
        domestic = self.cleaned["domestic"] or Decimal("0.00")
        export = self.cleaned["export"] or Decimal("0.00")
        return domestic, export, domestic + export

    @property
    def shown(self):
        """Return each amount as the preview shows it: the Decimal it reads as, else the text.

        A row with an error elsewhere has no cleaned amounts; its good amounts still show
        as numbers, so only the wrong cell stands out.
        """
        shown = {}
        for name in ("domestic", "export"):
            text = self.text[name]
            amount = None if name in self.errors or not text else parse_amount(text)
            shown[name] = text if amount is None else amount
        return shown

    @property
    def domestic(self):
        return self.amounts[0]

    @property
    def export(self):
        return self.amounts[1]

    @property
    def total(self):
        return self.amounts[2]


@dataclass
class Preview:
    """What importing a file into a district's month would do, row by row."""

    lines: list
    kept: list
    page_errors: list
    rows: list  # cleaned rows for save_month: the kept ones and the file's

    @property
    def ok(self):
        return not self.page_errors and not any(line.errors for line in self.lines)

    def count(self, status):
        return sum(1 for line in self.lines if line.status == status)

    @property
    def held(self):
        """Return {id: row} of the month's saved rows as checked, for save_month."""
        rows = self.kept + [line.saved for line in self.lines if line.saved is not None]
        return {row.pk: row for row in rows}

    @property
    def counts(self):
        return {status: self.count(status) for status in ("new", "update", "same", "error")}

    @property
    def totals(self):
        good = [line for line in self.lines if line.cleaned is not None]
        return {
            "domestic": sum((line.domestic for line in good), Decimal("0.00")),
            "export": sum((line.export for line in good), Decimal("0.00")),
            "total": sum((line.total for line in good), Decimal("0.00")),
        }


DUPLICATE_REF = re.compile(r"\(แถวที่ (\d+)\)")


def check_rows(district, fiscal_month, file_rows):
    """Return the Preview of merging `file_rows` (from read_rows) into the month.

    Steps:
    1. Load the month's saved rows (one query).
    2. Match each file row to a saved row by producer name (ignoring spaces and case)
       and product type; the first match takes the saved row's id and version, and the
       saved spelling of the name. The rest are new rows. Types match their Thai labels.
    3. Put the saved rows the file does not mention first, then the file's rows, and
       run the entry page's MonthForm over them, as if the officer had typed it all.
    4. Give each MonthForm error to its file row; a row's field errors hide the checks
       across rows, so check again without the rows found wrong, until nothing new.
    """
    saved = _saved_rows(district, fiscal_month)
    existing = {row.pk: row for row in saved}
    spelling = {normalise_name(row.producer.name).casefold(): row.producer.name for row in saved}
    by_key = {(row.producer.name.casefold(), row.product_type): row for row in saved}

    lines, claimed, data = [], set(), []
    for text in file_rows:
        name = normalise_name(text["name"])
        name = spelling.get(name.casefold(), name)
        row = {
            "id": None,
            "version": None,
            "name": name,
            "product_type": _choice(ProductType, text["product_type"]),
            "producer_type": _choice(ProducerType, text["producer_type"]),
            "domestic": text["domestic"],
            "export": text["export"],
        }
        match = by_key.get((name.casefold(), row["product_type"]))
        if match is not None and match.pk in claimed:
            match = None  # the same pair twice in the file: MonthForm says so
        if match is not None:
            claimed.add(match.pk)
            row.update(id=match.pk, version=match.version)
        lines.append(Line(line=text["line"], text=text, saved=match))
        data.append(row)

    kept = [row for row in saved if row.pk not in claimed]
    data = [row_values(row) for row in kept] + data
    if len(data) > MAX_ROWS:
        return Preview(
            lines,
            kept,
            [
                f"เมื่อรวมกับรายการที่บันทึกไว้แล้ว เดือนนี้จะมี {len(data):,} รายการ "
                f"เกินจำนวนสูงสุด {MAX_ROWS:,} รายการ"
            ],
            [],
        )

    refs = [None] * len(kept) + [line.line for line in lines]
    errors, cleaned, page_errors = _month_errors(data, existing, refs)
    for index, line in enumerate(lines, start=len(kept)):
        line.errors = errors.get(index, {})
        line.cleaned = cleaned.get(index)
    for index, row in enumerate(kept):
        for messages in errors.get(index, {}).values():
            page_errors.extend(f"รายการที่บันทึกไว้แล้ว ({row.producer.name}): {m}" for m in messages)
    rows = [cleaned[index] for index in range(len(data))] if not errors else []
    return Preview(lines, kept, page_errors, rows)


def _choice(choices, text):
    """Return the value whose Thai label (or value) `text` is, ignoring spaces; else `text`."""
    wanted = _squash(text)
    for value, label in choices.choices:
        if wanted in (_squash(label), _squash(value)):
            return value
    return text


def _month_errors(data, existing, refs):
    """Run MonthForm over `data`; return ({index: {field: [msg]}}, {index: cleaned}, page).

    `refs` gives each row's line in the file (None for a saved row), so that a duplicate's
    "(แถวที่ n)" names the line of the file instead of a position in the month.
    """
    errors, cleaned, page = {}, {}, []
    active = list(range(len(data)))
    while active:
        month_form = _month_form([data[i] for i in active], existing)
        found = {}
        for position, row in enumerate(month_form.rows):
            index = active[position]
            if row.errors:
                # Non-field errors go under "row": templates cannot read "__all__".
                found[index] = {
                    ("row" if name == NON_FIELD_ERRORS else name): [
                        _renumber(m, active, refs) for m in messages
                    ]
                    for name, messages in row.errors.items()
                }
            else:
                cleaned[index] = row.cleaned_data
        for error in month_form.page_errors.as_data():
            # Row problems are shown by their rows; anything else is the page's.
            if error.code not in ("rows", "province_confirmed") and error.messages:
                page.extend(m for m in error.messages if m not in page)
        if not found:
            break
        errors.update(found)
        active = [i for i in active if i not in found]
    for index in errors:
        cleaned.pop(index, None)
    return errors, cleaned, page


def _month_form(rows, existing):
    data = {
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": str(MAX_ROWS),
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{i}-{key}"] = "" if value is None else str(value)
    return MonthForm(data, existing=existing)


def _renumber(message, active, refs):
    def line_of(match):
        ref = refs[active[int(match[1]) - 1]]
        return "(รายการที่บันทึกไว้แล้ว)" if ref is None else f"(แถวที่ {ref} ในไฟล์)"

    return DUPLICATE_REF.sub(line_of, str(message))

"""Excel files that look like the department's paper forms.

Every report's .xlsx goes through ReportSheet: Thai headers, baht as #,##0.00, widths that
fit Thai, frozen header rows, A4 landscape with the header rows repeated on every printed
page, and the signature lines where the form has them. Workbooks are write-only, so a
sheet of a hundred thousand rows streams with flat memory.
"""

from decimal import Decimal
from io import BytesIO
from math import ceil

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.views import Pane

from sales.fields import CONTROL_CHARACTERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAHT = "#,##0.00"
WHOLE_BAHT = "#,##0"
PERCENT = "0.00"
FONT = "TH Sarabun New"
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="EDE7F3")
TOTAL_FILL = PatternFill("solid", fgColor="F3F0F7")
# Row heights in points that fit TH Sarabun New: a line of 14 pt (Excel's own height for it)
# and a 16 pt title. Rows left at Excel's 15 pt cut the Thai marks above and below.
LINE_HEIGHT = 21
TITLE_HEIGHT = 24
# Thai vowels and tone marks written above or below a consonant take no width of their own.
THAI_MARKS = frozenset(chr(c) for c in (0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)))


def wrapped_lines(text, width, bold=False):
    """Estimate how many lines a wrapped text needs in a column `width` characters wide."""
    if not isinstance(text, str) or not width:
        return 1
    # A Thai letter of TH Sarabun New 14 pt is about 1.45 column units wide (a unit is a digit
    # of Calibri 11, the workbook's default font), a bold one 1.5; a little more is kept for
    # the cell's padding and for lines that break between words.
    room = max(width - 1, 1) / (1.6 if bold else 1.5)
    return max(
        ceil(sum(char not in THAI_MARKS for char in part) / room) or 1 for part in text.split("\n")
    )


# A text that starts with one of these is read as a formula (or a DDE call) by Excel or
# LibreOffice when it is typed; written as a string cell, it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def put(cell, value):
    """Write a value into a cell: the one place that decides how text is written.

    Text is always a string cell, whatever its first character. openpyxl would otherwise
    write "=HYPERLINK(...)" as a live formula and "#N/A" as an error value: a producer name
    or a reason typed by an officer must never be executed by the reader's spreadsheet.
    A text that a spreadsheet would take for a formula also gets Excel's quote prefix, so
    it stays text when the officer edits the cell. Returns the cell.
    """
    value = cell_text(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def cell_text(value):
    """Return the value without the control characters the forms refuse.

    The forms refuse them (sales.fields.PlainTextField), but a name changed in the admin or
    brought over from the old system may still hold one, and openpyxl would then refuse the
    whole file: the officer gets the report without the stray character instead of an error.
    """
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value


class ReportSheet:
    """One write-only worksheet laid out as a form: title lines, header rows, rows, footer.

    Usage:
        sheet = ReportSheet(workbook, "รต.4", widths=[6, 28, 16, ...])
        sheet.title("รวมผลการจำหน่ายสินค้า OTOP รายอำเภอ", "จังหวัดเชียงราย")
        sheet.header(["ที่", "อำเภอ", ...])
        sheet.row([1, "เมืองเชียงราย", Decimal("1.00"), ...])
        sheet.row([None, "รวม", total, ...], total=True)
        sheet.signature()
    title() only records the lines; header() writes them with the header rows, because a
    write-only sheet must know its frozen pane before its first row is written.
    """

    def __init__(self, workbook, name, widths, landscape=True):
        self.ws = workbook.create_sheet(title=name[:31])
        self.columns = len(widths)
        self.next_row = 1
        self.header_rows = []
        self.heights = []  # of the rows written, in points, to foresee the printed pages
        self.widths = list(widths)
        # Every row is a line of TH Sarabun New tall; a row whose text wraps gets taller.
        self.ws.sheet_format.defaultRowHeight = LINE_HEIGHT
        self.ws.sheet_format.customHeight = True
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.page_setup.paperSize = "9"  # A4
        self.ws.page_setup.orientation = "landscape" if landscape else "portrait"
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.horizontalCentered = True
        self.ws.page_margins.left = self.ws.page_margins.right = 0.4
        self.ws.page_margins.top = self.ws.page_margins.bottom = 0.5

    def _cell(self, value, bold=False, size=14, fill=None, border=False, align=None, fmt=None):
        cell = WriteOnlyCell(self.ws)
        cell.font = Font(name=FONT, bold=bold, size=size)
        if fill is not None:
            cell.fill = fill
        if border:
            cell.border = BOX
        if align is not None:
            cell.alignment = align
        if fmt is not None:
            cell.number_format = fmt
        return put(cell, value)

    def _append(self, cells, height=None):
        # Every row states its height, so Excel and LibreOffice lay out (and paginate) the
        # same. A write-only sheet writes the height with the row: set it first, drop it
        # after, so a long sheet keeps no record per row.
        height = height or LINE_HEIGHT
        self.ws.row_dimensions[self.next_row].height = height
        self.ws.append(cells)
        del self.ws.row_dimensions[self.next_row]
        self.heights.append(height)
        self.next_row += 1

    def _height(self, values, spans=False, bold=False):
        """Return the height a row needs for its wrapped text, or None for one line.

        With spans=True a label runs over the empty cells after it, as a merged header does.
        """
        lines = 1
        for index, value in enumerate(values):
            if not isinstance(value, str):
                continue
            width = sum(self.widths[index : index + 1])
            following = index + 1
            while spans and following < len(values) and values[following] is None:
                width += sum(self.widths[following : following + 1])
                following += 1
            lines = max(lines, wrapped_lines(value, width, bold))
        return LINE_HEIGHT * lines if lines > 1 else None

    def title(self, *lines):
        """Set the centred title lines, merged across the sheet; written by header()."""
        self.titles = lines

    def header(self, *rows):
        """Write the titles and the header rows (lists of labels; None leaves a cell empty),
        frozen on screen and repeated on every printed page."""
        titles = getattr(self, "titles", ())
        first = len(titles) + 1
        last = first + len(rows) - 1
        # A write-only sheet writes its view with the first row: freeze before writing.
        self.ws.sheet_view.pane = Pane(
            ySplit=last, topLeftCell=f"A{last + 1}", activePane="bottomLeft", state="frozen"
        )
        self.ws.print_title_rows = f"{first}:{last}"
        centred = Alignment(horizontal="center", vertical="center")
        for number, line in enumerate(titles):
            self._append(
                [self._cell(line, bold=number == 0, size=16, align=centred)], height=TITLE_HEIGHT
            )
            row = self.next_row - 1
            self.ws.merged_cells.ranges.add(f"A{row}:{get_column_letter(self.columns)}{row}")
        wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for labels in rows:
            self._append(
                [
                    self._cell(label, bold=True, fill=HEADER_FILL, border=True, align=wrap)
                    for label in labels
                ],
                height=self._height(labels, spans=True, bold=True),
            )
        self.header_rows = [first, last]

    def merge(self, cell_range):
        """Merge cells already written, e.g. a header spanning two columns."""
        self.ws.merged_cells.ranges.add(cell_range)

    def row(self, values, total=False, formats=None, aligns=None):
        """Write one data row: Decimals as baht, ints as they are, text left-aligned.

        formats and aligns, if given, override a column's number format or Alignment
        (None keeps the default), e.g. to centre a column of ticks.
        """
        cells = []
        for index, value in enumerate(values):
            fmt = formats[index] if formats and index < len(formats) else None
            if fmt is None and isinstance(value, Decimal):
                fmt = BAHT
            align = aligns[index] if aligns and index < len(aligns) else None
            if align is None:
                align = Alignment(vertical="top", wrap_text=isinstance(value, str))
            cells.append(
                self._cell(
                    value,
                    bold=total,
                    fill=TOTAL_FILL if total else None,
                    border=True,
                    align=align,
                    fmt=fmt,
                )
            )
        wrapped = [cell.value if cell.alignment.wrap_text else None for cell in cells]
        self._append(cells, height=self._height(wrapped, bold=total))

    def group(self, label):
        """Write a bold heading row across the sheet, e.g. a cluster above its provinces."""
        cells = [self._cell(label, bold=True, fill=HEADER_FILL, border=True)]
        cells += [self._cell(None, fill=HEADER_FILL, border=True) for _ in range(self.columns - 1)]
        self._append(cells)
        row = self.next_row - 1
        self.merge(f"A{row}:{get_column_letter(self.columns)}{row}")

    def note(self, text):
        self._append([self._cell(text, size=12)])

    def blank(self):
        self._append([])

    def _last_page(self):
        """Estimate the first row of the last printed page and the points used on it.

        The width is fitted to the page, so a page holds the printable height divided by
        the scale; each page after the first repeats the header rows.
        """
        # A column of width w is w * 7 + 5 pixels of the default font, 0.75 point each.
        width = sum(w * 7 + 5 for w in self.widths) * 0.75
        paper = (842, 595) if self.ws.page_setup.orientation == "landscape" else (595, 842)
        margins = self.ws.page_margins
        scale = min(1, (paper[0] - (margins.left + margins.right) * 72) / width)
        room = (paper[1] - (margins.top + margins.bottom) * 72) / scale
        first, last = self.header_rows or (1, 0)
        repeated = sum(self.heights[first - 1 : last])
        start, used = 1, 0
        for number, height in enumerate(self.heights, start=1):
            if used and used + height > room:
                start, used = number, repeated
            used += height
        return start, used, room

    def signature(self, position="พัฒนาการอำเภอ", role="ผู้รายงาน", name=None, dots=True, keep=0):
        """Write the form's signature block: ลงชื่อ......ผู้รายงาน / (......) / ตำแหน่ง......

        A known signer's name fills the brackets; dots=False ends the position line with
        the position itself, for a position already written out in full. keep=N carries the
        last N rows written over to a new page with the signature when the signature would
        not fit on the last page: nobody signs a page that shows no figures.
        """
        if keep:
            start, used, room = self._last_page()
            first_kept = self.next_row - keep
            header_end = self.header_rows[1] if self.header_rows else 0
            # The kept rows run over two pages, or the signature would not fit after them.
            apart = start > first_kept or used + 5 * LINE_HEIGHT > room
            if apart and start != first_kept and first_kept - 1 > header_end:
                self.ws.row_breaks.append(Break(id=first_kept - 1))
        self.blank()
        pad = [None] * max(self.columns - 4, 0)
        dotted = "......................................."
        for line in (
            f"ลงชื่อ.......................................................{role}",
            f"({name})" if name else "(.......................................................)",
            f"ตำแหน่ง {position}{dotted if dots else ''}",
            "วันที่............/............................/................",
        ):
            self._append(pad + [self._cell(line, align=Alignment(horizontal="center"))])


def new_workbook():
    """Return an empty write-only workbook (add sheets with ReportSheet)."""
    return Workbook(write_only=True)


def xlsx_response(workbook, filename):
    """Return the workbook as a download named `filename`."""
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

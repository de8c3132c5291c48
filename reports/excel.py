"""Excel files that look like the department's paper forms.

Every report's .xlsx goes through ReportSheet: Thai headers in one font and one set of
named styles, baht as #,##0.00, columns as wide as the widest figure written (no "###"),
rows as tall as their wrapped text, frozen header rows, A4 landscape fitted to the width
with the header rows repeated on every printed page, "หน้า x / y" and the title in the
footer, page breaks that keep a cluster's heading with its first row and the signature
with the last figures. Every text cell is written by put(), as text whatever it starts
with. Rows are kept until the workbook is saved (a report's rows are a few thousand at
most), then written to a write-only sheet.
"""

from copy import copy
from decimal import Decimal
from io import BytesIO
from math import ceil, floor

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.views import Pane

from reports import font_metrics
from sales.fields import CONTROL_CHARACTERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAHT = "#,##0.00"
WHOLE_BAHT = "#,##0"
PERCENT = "0.00"
FONT = "TH Sarabun New"
SIZE = 14  # points: the cells; titles are 16, notes and footers 12
TITLE_SIZE = 16
NOTE_SIZE = 12
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


# --- measuring what a cell shows ------------------------------------------------------------

# A column of width w (Excel's unit: a digit of Calibri 11, the workbook's default font) is
# about 7 w pixels; a cell keeps a few pixels of margin either side of its text. A pixel
# is 0.75 point.
PIXELS_PER_UNIT = 7
CELL_MARGIN = 12  # pixels, both sides together, with room for LibreOffice's wider digits
WRAP_MARGIN = 6  # pixels: wrapped text may come closer to the border than a figure
POINT = 0.75  # points per pixel


def text_points(text, size=SIZE, bold=False):
    """Return the width in points of one line of text in TH Sarabun New."""
    ascii_ = font_metrics.BOLD_ASCII if bold else font_metrics.REGULAR_ASCII
    thai = font_metrics.BOLD_THAI if bold else font_metrics.REGULAR_THAI
    total = 0
    for char in text:
        code = ord(char)
        if 0x20 <= code < 0x7F:
            total += ascii_[code - 0x20]
        elif 0x0E01 <= code <= 0x0E5B:
            total += thai[code - 0x0E01]
        else:
            total += font_metrics.WIDE
    return total * size / 1000


def shown(value, fmt=None):
    """Return the text a spreadsheet shows for a value in its number format."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if fmt == WHOLE_BAHT:
        return f"{value:,.0f}"
    if fmt == PERCENT:
        return f"{value:.2f}"
    if fmt == BAHT or isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def units_for(points):
    """Return the column width (Excel's unit) that shows a text `points` wide in full."""
    return ceil((points / POINT + CELL_MARGIN) / PIXELS_PER_UNIT * 2) / 2


def room_of(units):
    """Return the points of text a column `units` wide holds on one line."""
    return (units * PIXELS_PER_UNIT - WRAP_MARGIN) * POINT


def wrapped_lines(text, units, size=SIZE, bold=False):
    """Return how many lines a wrapped text takes in a column `units` wide.

    Thai is written without spaces between words, and spreadsheets break it between
    words found in a dictionary, so a line that wraps holds less than its width: up to
    a quarter less with long words. A text that fits stays on one line.
    """
    room = max(room_of(units), 1)
    lines = 0
    for part in text.split("\n"):
        points = text_points(part, size, bold)
        lines += 1 if points <= room else ceil(points * 1.25 / room)
    return max(lines, 1)


# --- named styles -----------------------------------------------------------------------------


class ReportWorkbook(Workbook):
    """A write-only workbook whose report sheets are written out when it is saved.

    Every cell takes one of the workbook's named styles (font, fill, border, alignment,
    number format), made once per workbook: a national sheet does not build a style
    object per cell, and every workbook shows one look.
    """

    def __init__(self):
        super().__init__(write_only=True)
        self.report_sheets = []
        self._style_names = {}

    def style(self, bold=False, size=SIZE, fill=None, border=False, align=None, fmt=None):
        """Return the cell style (StyleArray) of the named style of these settings, adding
        the named style on first use. A cell takes a copy, as `cell.style = name` does,
        without looking the name up among the workbook's styles for every cell."""
        key = (bold, size, fill, border, align, fmt)
        array = self._style_names.get(key)
        if array is None:
            name = f"OTOP {len(self._style_names) + 1}"
            style = NamedStyle(name=name, font=Font(name=FONT, bold=bold, size=size))
            if fill is not None:
                style.fill = fill
            if border:
                style.border = BOX
            if align is not None:
                style.alignment = align
            if fmt is not None:
                style.number_format = fmt
            self.add_named_style(style)
            array = self._style_names[key] = style.as_tuple()
        return array

    def save(self, filename):
        for sheet in self.report_sheets:
            sheet.write()
        self.report_sheets = []
        super().save(filename)


# --- a report sheet ---------------------------------------------------------------------------

TOP = Alignment(vertical="top", wrap_text=True)
FIGURE_TOP = Alignment(vertical="top")  # figures stand level with the first line of a name
CENTRED_TITLE = Alignment(horizontal="center", vertical="center")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
SIGNATURE_ALIGN = Alignment(horizontal="center")
# A4 in points; the margins in inches, as Excel keeps them. The footer sits in the bottom
# margin, so that margin is a little wider than the top one.
A4 = (595, 842)
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.7, "header": 0.3, "footer": 0.3}
# What the pages hold is foreseen from the widths and heights written; spreadsheets
# round a little differently, so a page is filled to 95 % and the breaks come first.
PAGE_FILL = 0.95


class Row:
    """One row kept until the sheet is written: its cells, height and how it paginates."""

    __slots__ = ("cells", "height", "kind", "keep_with_next")

    def __init__(self, cells, kind, height=None, keep_with_next=False):
        self.cells = cells  # (value, style key) pairs
        self.kind = kind
        self.height = height
        self.keep_with_next = keep_with_next


class ReportSheet:
    """One worksheet laid out as a form: title lines, header rows, rows, footer.

    Usage:
        sheet = ReportSheet(workbook, "รต.4", widths=[6, 28, 16, ...])
        sheet.title("รวมผลการจำหน่ายสินค้า OTOP รายอำเภอ", "จังหวัดเชียงราย")
        sheet.header(["ที่", "อำเภอ", ...])
        sheet.row([1, "เมืองเชียงราย", Decimal("1.00"), ...])
        sheet.row([None, "รวม", total, ...], total=True)
        sheet.signature()
    widths are the least width of each column: a column widens to its widest figure or
    one-line text, while wrapped text (names) keeps the width and makes its row taller.
    Row numbers are known as rows are added (header_rows, merge()), but the sheet is
    written when the workbook is saved, once every width is known.
    """

    def __init__(self, workbook, name, widths, landscape=True):
        self.workbook = workbook
        self.ws = workbook.create_sheet(title=name[:31])
        workbook.report_sheets.append(self)
        self.columns = len(widths)
        self.widths = list(widths)
        self.rows = []
        self.header_rows = []
        self.titles = ()
        self.landscape = landscape
        self._keys = {}

    @property
    def next_row(self):
        return len(self.rows) + 1

    def _style(self, bold=False, size=SIZE, fill=None, border=False, align=None, fmt=None):
        """Return the style key of a cell: one shared tuple per set of settings.

        Alignments and fills are openpyxl objects whose hash is costly; the key is found
        by their identity, so a sheet of thousands of cells hashes them a few times only.
        """
        ident = (bold, size, id(fill), border, id(align), fmt)
        key = self._keys.get(ident)
        if key is None:
            key = self._keys[ident] = (bold, size, fill, border, align, fmt)
        return key

    def _add(self, cells, kind, height=None, keep_with_next=False):
        self.rows.append(Row(cells, kind, height, keep_with_next))

    def title(self, *lines):
        """Set the centred title lines, merged across the sheet; written by header()."""
        self.titles = lines

    def header(self, *rows):
        """Add the titles and the header rows (lists of labels; None leaves a cell empty),
        frozen on screen and repeated on every printed page."""
        for number, line in enumerate(self.titles):
            style = self._style(bold=number == 0, size=TITLE_SIZE, align=CENTRED_TITLE)
            self._add([(line, style)], "title", height=TITLE_HEIGHT, keep_with_next=True)
            row = self.next_row - 1
            self.merge(f"A{row}:{get_column_letter(self.columns)}{row}")
        first = self.next_row
        style = self._style(bold=True, fill=HEADER_FILL, border=True, align=HEADER_ALIGN)
        for labels in rows:
            self._add([(label, style) for label in labels], "header", keep_with_next=True)
        self.header_rows = [first, self.next_row - 1]

    def merge(self, cell_range):
        """Merge cells, e.g. a header spanning two columns."""
        self.ws.merged_cells.ranges.add(cell_range)

    def row(self, values, total=False, formats=None, aligns=None):
        """Add one data row: Decimals as baht, ints as they are, text left-aligned and wrapped.

        formats and aligns, if given, override a column's number format or Alignment
        (None keeps the default), e.g. to centre a column of ticks.
        """
        cells = []
        fill = TOTAL_FILL if total else None
        for index, value in enumerate(values):
            fmt = formats[index] if formats and index < len(formats) else None
            if fmt is None and isinstance(value, Decimal):
                fmt = BAHT
            align = aligns[index] if aligns and index < len(aligns) else None
            if align is None:
                align = TOP if isinstance(value, str) else FIGURE_TOP
            cells.append(
                (value, self._style(bold=total, fill=fill, border=True, align=align, fmt=fmt))
            )
        self._add(cells, "total" if total else "data")

    def group(self, label):
        """Add a bold heading row across the sheet, e.g. a cluster above its provinces.

        A heading is never the last row of a printed page: it goes over with its first row.
        """
        style = self._style(bold=True, fill=HEADER_FILL, border=True)
        cells = [(label, style)] + [(None, style)] * (self.columns - 1)
        self._add(cells, "group", keep_with_next=True)
        row = self.next_row - 1
        self.merge(f"A{row}:{get_column_letter(self.columns)}{row}")

    def note(self, text):
        self._add([(text, self._style(size=NOTE_SIZE))], "note")

    def blank(self):
        self._add([], "blank")

    def signature(self, position="พัฒนาการอำเภอ", role="ผู้รายงาน", name=None, dots=True, keep=None):
        """Add the form's signature block: ลงชื่อ......ผู้รายงาน / (......) / ตำแหน่ง......

        A known signer's name fills the brackets; dots=False ends the position line with
        the position itself, for a position already written out in full. Nobody signs a
        page that shows no figures: the block goes over to a new page together with the
        last data row and everything after it (totals, notes), or with the last `keep`
        rows if given.
        """
        if keep is None:
            data = [i for i, row in enumerate(self.rows) if row.kind == "data"]
            first_kept = data[-1] if data else len(self.rows) - 1
        else:
            first_kept = len(self.rows) - keep
        for row in self.rows[max(first_kept, 0) :]:
            row.keep_with_next = True
        self._add([], "blank", keep_with_next=True)
        pad = [(None, None)] * max(self.columns - 4, 0)
        style = self._style(align=SIGNATURE_ALIGN)
        dotted = "......................................."
        lines = (
            f"ลงชื่อ.......................................................{role}",
            f"({name})" if name else "(.......................................................)",
            f"ตำแหน่ง {position}{dotted if dots else ''}",
            "วันที่............/............................/................",
        )
        for number, line in enumerate(lines):
            self._add(pad + [(line, style)], "signature", keep_with_next=number < len(lines) - 1)

    # --- writing ------------------------------------------------------------------------------

    def _fit_widths(self):
        """Widen each column to its widest figure or one-line text, at its font and size."""
        for row in self.rows:
            if row.kind not in ("data", "total"):
                continue
            for index, (value, (bold, size, _, _, align, fmt)) in enumerate(row.cells):
                if value is None or (isinstance(value, str) and (align is None or align.wrap_text)):
                    continue
                needed = units_for(text_points(shown(value, fmt), size, bold))
                if needed > self.widths[index]:
                    self.widths[index] = needed

    def _fit_heights(self):
        """Give each row with wrapped text (or a wrapped header) the lines it needs."""
        for row in self.rows:
            if row.height is not None:
                continue
            if row.kind not in ("data", "total", "header"):
                row.height = LINE_HEIGHT
                continue
            lines = 1
            for index, (value, (bold, size, _, _, align, _)) in enumerate(row.cells):
                if not isinstance(value, str) or align is None or not align.wrap_text:
                    continue
                width = self.widths[index]
                following = index + 1
                # A header label runs over the empty cells after it, as its merged cell does.
                while row.kind == "header" and following < len(row.cells):
                    if row.cells[following][0] is not None:
                        break
                    width += self.widths[following]
                    following += 1
                lines = max(lines, wrapped_lines(value, width, size, bold))
            row.height = LINE_HEIGHT * lines

    def _page_breaks(self):
        """Return the rows after which a printed page ends.

        The width is fitted to the page, so a page holds the printable height divided by
        the scale; pages after the first repeat the header rows. A row that would not fit
        starts a new page, and the rows kept with it (a cluster's heading, the last figures
        before the signature) go over with it unless they would leave a page empty.
        """
        width = sum(w * PIXELS_PER_UNIT for w in self.widths) * POINT
        paper = (A4[1], A4[0]) if self.landscape else A4
        across = paper[0] - (MARGINS["left"] + MARGINS["right"]) * 72
        scale = min(1, floor(across / width * 100) / 100)
        room = (paper[1] - (MARGINS["top"] + MARGINS["bottom"]) * 72) / scale * PAGE_FILL
        first, last = self.header_rows or (1, 0)
        repeated = sum(row.height for row in self.rows[first - 1 : last])
        breaks = []
        page_start, used, index = 0, 0, 0
        while index < len(self.rows):
            height = self.rows[index].height
            if index > page_start and used + height > room:
                start = index
                while start - 1 > page_start and self.rows[start - 1].keep_with_next:
                    start -= 1
                if start <= last:
                    start = index  # the page would hold no figures: break where it is full
                breaks.append(start)  # the page ends after row `start` (1-based)
                page_start, used, index = start, repeated, start
                continue
            used += height
            index += 1
        return breaks

    def _set_up_page(self, breaks):
        ws = self.ws
        for index, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.sheet_format.defaultRowHeight = LINE_HEIGHT
        ws.sheet_format.customHeight = True
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.orientation = "landscape" if self.landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        for side, inches in MARGINS.items():
            setattr(ws.page_margins, side, inches)
        for row in breaks:
            ws.row_breaks.append(Break(id=row))
        # The footer: the report's title on the left, หน้า x / y on the right.
        title = (self.titles[0] if self.titles else ws.title).replace("&", "&&")
        for part, text in ((ws.oddFooter.left, title), (ws.oddFooter.right, "หน้า &P / &N")):
            part.text = text
            part.font = f"{FONT},Regular"
            part.size = NOTE_SIZE
        if self.header_rows:
            first, last = self.header_rows
            # A write-only sheet writes its view with the first row: freeze before writing.
            ws.sheet_view.pane = Pane(
                ySplit=last, topLeftCell=f"A{last + 1}", activePane="bottomLeft", state="frozen"
            )
            ws.print_title_rows = f"{first}:{last}"

    def write(self):
        """Size the columns and rows, break the pages, and write every row to the sheet."""
        self._fit_widths()
        self._fit_heights()
        self._set_up_page(self._page_breaks())
        ws, styles = self.ws, {}
        for number, row in enumerate(self.rows, start=1):
            cells = []
            for value, key in row.cells:
                cell = WriteOnlyCell(ws)
                if key is not None:
                    array = styles.get(id(key))
                    if array is None:
                        array = styles[id(key)] = self.workbook.style(*key)
                    cell._style = copy(array)
                cells.append(put(cell, value))
            # Every row states its height, so Excel and LibreOffice lay out (and paginate)
            # the same. A write-only sheet writes the height with the row: set it first,
            # drop it after, so a long sheet keeps no record per row.
            ws.row_dimensions[number].height = row.height or LINE_HEIGHT
            ws.append(cells)
            del ws.row_dimensions[number]
        self.rows = []


def new_workbook():
    """Return an empty write-only workbook (add sheets with ReportSheet)."""
    return ReportWorkbook()


def xlsx_response(workbook, filename):
    """Return the workbook as a download named `filename`."""
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

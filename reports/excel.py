"""Excel files that look like the department's paper forms.

Every report's .xlsx goes through ReportSheet: Thai headers, baht as #,##0.00, widths that
fit Thai, frozen header rows, A4 landscape with the header rows repeated on every printed
page, and the signature lines where the form has them. Workbooks are write-only, so a
sheet of a hundred thousand rows streams with flat memory.
"""

from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.views import Pane

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAHT = "#,##0.00"
WHOLE_BAHT = "#,##0"
PERCENT = "0.00"
FONT = "TH Sarabun New"
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="EDE7F3")
TOTAL_FILL = PatternFill("solid", fgColor="F3F0F7")


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
        cell = WriteOnlyCell(self.ws, value=value)
        cell.font = Font(name=FONT, bold=bold, size=size)
        if fill is not None:
            cell.fill = fill
        if border:
            cell.border = BOX
        if align is not None:
            cell.alignment = align
        if fmt is not None:
            cell.number_format = fmt
        return cell

    def _append(self, cells):
        self.ws.append(cells)
        self.next_row += 1

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
            self._append([self._cell(line, bold=number == 0, size=16, align=centred)])
            row = self.next_row - 1
            self.ws.merged_cells.ranges.add(f"A{row}:{get_column_letter(self.columns)}{row}")
        wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for labels in rows:
            self._append(
                [
                    self._cell(label, bold=True, fill=HEADER_FILL, border=True, align=wrap)
                    for label in labels
                ]
            )
        self.header_rows = [first, last]

    def merge(self, cell_range):
        """Merge cells already written, e.g. a header spanning two columns."""
        self.ws.merged_cells.ranges.add(cell_range)

    def row(self, values, total=False, formats=None):
        """Write one data row: Decimals as baht, ints as they are, text left-aligned."""
        cells = []
        for index, value in enumerate(values):
            fmt = formats[index] if formats and index < len(formats) else None
            if fmt is None and isinstance(value, Decimal):
                fmt = BAHT
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
        self._append(cells)

    def note(self, text):
        self._append([self._cell(text, size=12)])

    def blank(self):
        self._append([])

    def signature(self, position="พัฒนาการอำเภอ", role="ผู้รายงาน"):
        """Write the form's signature block: ลงชื่อ......ผู้รายงาน / (......) / ตำแหน่ง......"""
        self.blank()
        pad = [None] * max(self.columns - 4, 0)
        for line in (
            f"ลงชื่อ.......................................................{role}",
            "(.......................................................)",
            f"ตำแหน่ง {position}.......................................",
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

"""How the workbooks are laid out: one look, widths, heights, footers, one numbering.

The rendering test (test_excel_rendering) shows the result through LibreOffice; these
check the workbook itself, quickly, for every reader.
"""

from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone

from reports.excel import FONT, LINE_HEIGHT, shown, text_points, units_for
from tests.workbook_cases import LONG_NAME, NOW, WORKBOOKS, make_data, make_nation


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def download(client, officers, name, who="department"):
    client.force_login(officers[who])
    response = client.get(WORKBOOKS[name][0])
    assert response.status_code == 200
    return openpyxl.load_workbook(BytesIO(response.content))


@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_every_workbook_has_one_font_and_columns_wide_enough_for_its_figures(
    client, geography, officers, name
):
    make_data(geography, officers)
    make_nation(geography)
    book = download(client, officers, name)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.font.name == FONT, (name, cell.coordinate)
                if isinstance(cell.value, int | float) and cell.data_type == "n":
                    fmt = None if cell.number_format == "General" else cell.number_format
                    text = shown(cell.value, fmt)
                    needed = units_for(text_points(text, cell.font.sz, cell.font.b))
                    width = sheet.column_dimensions[cell.column_letter].width
                    assert width >= needed, (name, cell.coordinate, text, width)
        if name != "template":
            assert sheet.oddFooter.right.text == "หน้า &P / &N"
            assert sheet.oddFooter.left.text
            assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
            assert int(sheet.page_setup.paperSize) == 9  # A4


def test_the_national_kpi_is_built_from_a_few_named_styles(client, geography, officers):
    make_data(geography, officers)
    make_nation(geography)
    book = download(client, officers, "kpi")
    names = [style.name for style in book._named_styles]
    assert len(book._cell_styles) < 40
    assert sum(name.startswith("OTOP ") for name in names) >= 10
    sheet = book.active
    styled = {cell.style for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert styled and all(style.startswith("OTOP ") for style in styled)


def test_a_long_name_wraps_whole_and_one_line_rows_stay_one_line(client, geography, officers):
    make_data(geography, officers)
    sheet = download(client, officers, "rt1")["รต.1"]
    heights = {}
    for row in sheet.iter_rows(min_row=4):
        if row[1].value and row[0].value:
            heights[row[1].value] = sheet.row_dimensions[row[0].row].height
    assert heights[LONG_NAME] >= 3 * LINE_HEIGHT
    assert heights["=1+1"] == LINE_HEIGHT


def test_rt4_of_the_nation_numbers_provinces_as_the_kpi_does(client, geography, officers):
    make_data(geography, officers)
    make_nation(geography)

    def numbering(sheet):
        return {
            row[1]: row[0]
            for row in sheet.iter_rows(values_only=True)
            if isinstance(row[0], int) and isinstance(row[1], str)
        }

    rt4 = numbering(download(client, officers, "rt4-nation").active)
    kpi = numbering(download(client, officers, "kpi").active)
    assert len(rt4) == len(kpi) == 76
    assert rt4 == kpi
    assert kpi["ชัยนาท"] == 1 and kpi["นครราชสีมา"] == 53

"""Bad files thrown at the Excel import (Hypothesis): never a 500, never half a write.

Real .xlsx files made with openpyxl whose cells hold random values (nasty text, numbers
Excel cannot mean as baht, dates, booleans), the RT.1 header at any row or with columns
wrong, many rows, and files that are not Excel at all: random bytes, a zip of junk, a real
workbook cut short. The upload never writes; the confirmation writes the whole file or
nothing, also when someone saved the month in between or the upload was never checked.
"""

import datetime
import io
import math
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from sales.importing import HEADERS, XLSX_TYPE, session_key
from sales.models import MAX_AMOUNT, MonthlySale, ProducerType, ProductType
from sales.services import month_revision, save_month
from tests.fuzz_support import (
    INVALID,
    MONTH,
    NOW,
    UNKNOWN,
    amount_matches,
    amounts,
    base_month,
    changed_tables,
    client_of,
    count,
    folded,
    has_control,
    names,
    rolled_back,
    snapshot,
    write_counts,
)
from tests.test_totals_property import assert_totals_match

IMPORT = "/sales/5701/2570/11/import/"
ZIP_ENTRIES = ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "a"]
CONFIRM = IMPORT + "confirm/"


@pytest.fixture(autouse=True)
def open_day(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture(scope="module", autouse=True)
def counts_at_the_end():
    yield
    write_counts()


# --- cells and what they should import as --------------------------------------------------


@st.composite
def amount_cells(draw):
    """Return (cell value, expected amount) as fuzz_support.amounts() does for text."""
    kind = draw(st.sampled_from(["text", "int", "int", "float", "odd"]))
    if kind == "text":
        text, expected = draw(amounts())
        if ILLEGAL_CHARACTERS_RE.search(text):
            return None, None  # openpyxl cannot write it: an empty cell
        return text, (None if expected is None else expected)
    if kind == "int":
        value = draw(st.integers(-(10**3), 10**13) | st.sampled_from([0, 10**40, -(10**40)]))
        if value < 0 or value > MAX_AMOUNT:
            return value, INVALID
        return value, Decimal(value)
    if kind == "float":
        satang = draw(st.integers(0, 10**9))
        value = satang / 100
        return value, Decimal(str(value))
    value = draw(
        st.sampled_from(
            [float("nan"), float("inf"), -1.5, 1e300, 1e-30, 0.001, -0.0, True, False]
            + [datetime.datetime(2026, 11, 1), datetime.date(2026, 1, 2), "=1/0", "#DIV/0!"]
        )
    )
    if isinstance(value, float) and value == 0:
        return value, Decimal(0)
    if value == "=1/0":  # a formula never calculated: no value in the file, a blank
        return value, None
    if isinstance(value, float) and not math.isfinite(value):
        return value, None  # openpyxl writes NaN and infinity as an empty <v/>: a blank
    return value, INVALID


PRODUCT_CELLS = [(label, value) for value, label in ProductType.choices] + [
    (value.upper(), value) for value in ProductType.values
]
PRODUCT_CELLS += [(" ผ้า  เครื่องแต่งกาย ", "textile"), ("ขนม", INVALID), ("", INVALID)]
PRODUCER_CELLS = [(label, value) for value, label in ProducerType.choices]
PRODUCER_CELLS += [("sme", "sme"), ("บริษัท", INVALID), ("", INVALID)]


@st.composite
def data_rows(draw, clean):
    name, expected_name = draw(
        names(clean).filter(lambda n: not ILLEGAL_CHARACTERS_RE.search(n[0]))
    )
    product = draw(st.sampled_from(PRODUCT_CELLS[:5] if clean else PRODUCT_CELLS))
    producer = draw(st.sampled_from(PRODUCER_CELLS[:3] if clean else PRODUCER_CELLS))
    if clean:
        domestic = draw(st.integers(0, 10**9).map(lambda n: (n, Decimal(n))))
        export = draw(
            st.sampled_from([(None, None), (0, Decimal(0)), ("1,234.50", Decimal("1234.5"))])
        )
    else:
        domestic, export = draw(amount_cells()), draw(amount_cells())
    return {
        "cells": [draw(st.integers(1, 99)), name, product[0], producer[0], domestic[0], export[0]],
        "name": (name, expected_name),
        "product_type": product[1],
        "producer_type": producer[1],
        "domestic": domestic[1],
        "export": export[1],
    }


def workbook_bytes(header_row, headers, rows, extra_sheet=False):
    book = openpyxl.Workbook()
    sheet = book.active
    if extra_sheet:  # a sheet without the header first: the import must look further
        sheet.title = "notes"
        sheet["A1"] = "บันทึก"
        sheet = book.create_sheet("รต.1")
    for column, text in enumerate(headers, start=1):
        sheet.cell(row=header_row, column=column, value=text)
    for number, row in enumerate(rows, start=header_row + 1):
        for column, value in enumerate(row["cells"], start=1):
            sheet.cell(row=number, column=column, value=value)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@st.composite
def uploads(draw):
    """Return (file name, content, rows or None): rows when the file is a readable RT.1."""
    kind = draw(
        st.sampled_from(["rt1"] * 6 + ["clean"] * 4 + ["headers", "bytes", "zip", "cut", "many"])
    )
    name = "rt1-5701-2570-11.xlsx"
    if kind == "bytes":
        name = draw(st.sampled_from([name, "x.XLSX", "x.xls", "x.csv", "x", "ไฟล์ 😀.xlsx"]))
        return name, draw(st.binary(max_size=2000)), None
    if kind == "zip":
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w") as archive:
            for entry in draw(st.lists(st.sampled_from(ZIP_ENTRIES), max_size=3, unique=True)):
                archive.writestr(entry, draw(st.binary(max_size=200)))
        return name, output.getvalue(), None
    clean = kind in ("clean", "many")
    rows = draw(st.lists(data_rows(clean), max_size=25 if kind != "many" else 0))
    if kind == "many":
        count_ = draw(st.integers(150, 400))
        rows = [
            {
                "cells": [i, f"กลุ่มที่ {i}", "อาหาร", "SMEs", i, 0],
                "name": (f"กลุ่มที่ {i}", f"กลุ่มที่ {i}"),
                "product_type": "food",
                "producer_type": "sme",
                "domestic": Decimal(i),
                "export": Decimal(0),
            }
            for i in range(count_)
        ]
    headers = list(HEADERS)
    if kind == "headers":
        change = draw(st.sampled_from(["swap", "drop", "rename", "none"]))
        a, b = draw(st.integers(0, 6)), draw(st.integers(0, 6))
        if change == "swap":
            headers[a], headers[b] = headers[b], headers[a]
        elif change == "drop":
            headers[a] = None
        elif change == "rename":
            headers[a] = draw(
                st.text(max_size=10).filter(lambda t: not ILLEGAL_CHARACTERS_RE.search(t))
            )
        else:
            headers = []
    header_row = draw(st.integers(1, 22))
    content = workbook_bytes(header_row, headers, rows, extra_sheet=draw(st.booleans()))
    if kind == "cut":
        # Where to cut, as a share of the file: its length changes with the time openpyxl
        # stamps into it, and a draw whose bounds change between runs makes Hypothesis fail.
        at = draw(st.integers(0, 9_999)) * len(content) // 10_000
        content = content[:at] + draw(st.binary(max_size=20))
        return name, content, None
    return name, content, rows


# --- the oracle: the month after a successful import ------------------------------------------


def check_imported(rows, before_rows, after_rows):
    """Each file row is saved as typed, merged by name and type; other saved rows untouched."""
    spelling = {folded(name).casefold(): name for name, _ in before_rows}
    expected = dict(before_rows)
    for row in rows:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row["cells"][1:]):
            continue  # a blank line of the sheet is skipped
        if row["cells"][4] == "=1/0" == row["cells"][5] and not row["name"][0].strip():
            continue
        text, wanted = row["name"]
        assert wanted is not INVALID, f"imported the name {text!r}"
        name = folded(text) if wanted is UNKNOWN else wanted
        assert not has_control(name)
        name = spelling.get(name.casefold(), name)
        for field in ("product_type", "producer_type", "domestic", "export"):
            assert row[field] is not INVALID, f"imported {field} {row['cells']}"
        assert not (row["domestic"] is None and row["export"] is None)
        expected[(name, row["product_type"])] = row
    assert set(after_rows) == set(expected), "rows added or lost"
    for key, row in expected.items():
        saved = after_rows[key]
        if isinstance(row, dict):
            assert saved[0] == row["producer_type"], (key, saved, row)
            assert amount_matches(saved[1], row["domestic"]), (key, saved, row)
            assert amount_matches(saved[2], row["export"]), (key, saved, row)
        else:
            assert saved[1:] == row[1:], (key, saved, row)


def month_rows(district):
    return {
        (s.producer.name, s.product_type): (s.producer.producer_type, s.domestic, s.export)
        for s in MonthlySale.objects.for_month(district, MONTH).select_related("producer")
    }


def test_it_survives_bad_files_at_the_upload_and_the_confirmation(officers, geography):
    base_month(geography, officers)
    district = geography["mueang_cr"]
    client = client_of(officers["owner"])
    key = session_key(district, MONTH)

    @settings(
        max_examples=80,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(upload=uploads(), then=st.sampled_from(["confirm", "confirm", "stale", "forged"]))
    def run(upload, then):
        count("excel import")
        name, content, rows = upload
        with rolled_back():
            before = snapshot()
            response = client.post(IMPORT, {"file": SimpleUploadedFile(name, content, XLSX_TYPE)})
            assert response.status_code == 200, response.status_code
            assert changed_tables(before, snapshot()) == []  # the upload never writes
            checked = key in client.session
            assert rows is not None or not checked, "accepted a file that is not an RT.1"
            if then == "forged":
                session = client.session
                session.pop(key, None)
                session.save()
            if then == "stale":  # someone saves the month between the check and the import
                save_month(
                    district, MONTH, officers["colleague"], month_revision(district, MONTH), [], []
                )
            before, before_rows = snapshot(), month_rows(district)
            response = client.post(CONFIRM)
            assert response.status_code in (200, 302), response.status_code
            saved = response.status_code == 302 and response["Location"].endswith("/11/")
            if not saved:
                assert changed_tables(before, snapshot()) == []
                return
            count("excel import: saved")
            assert checked and then == "confirm"
            check_imported(rows, before_rows, month_rows(district))
            assert_totals_match()

    run()

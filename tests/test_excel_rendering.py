"""Every workbook at national-sized figures, opened as an officer would: LibreOffice to PDF.

LibreOffice (libreoffice-calc) with fonts-tlwg-laksaman (TH Sarabun New's metrics) and
fonts-crosextra-carlito (Calibri's, which sets the column unit) converts every workbook in
one run; pdftotext then shows whether each figure prints in full, no "###", the footer's
"หน้า x / y", that the page with the signature holds figures too, and that no cluster
heading ends a page. The PDFs and their pictures land in test-artifacts/excel/.
"""

import os
import re
import shutil
import subprocess
from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone

from reports.excel import shown
from tests.conftest import ARTIFACTS
from tests.workbook_cases import (
    NOW,
    WORKBOOKS,
    make_data,
    make_long_lists,
    make_nation,
)

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# CI (REQUIRE_BROWSER=1, .ci/run installs them) fails without them; elsewhere they skip.
pytestmark = [
    pytest.mark.once,
    pytest.mark.skipif(
        not (SOFFICE and shutil.which("pdftotext")) and os.environ.get("REQUIRE_BROWSER") != "1",
        reason="LibreOffice or poppler-utils missing (apt-get install libreoffice-calc-nogui"
        " poppler-utils fonts-tlwg-laksaman fonts-crosextra-carlito)",
    ),
]
# Who downloads each workbook here: the department reads them all; the province its KPI row.
READERS = {name: "department" for name in WORKBOOKS} | {"kpi-province": "province"}
FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d\d)?")


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def figures_of(content):
    """Return, per sheet, the texts of the figures written, as the cells format them."""
    book = openpyxl.load_workbook(BytesIO(content))
    sheets = {}
    for sheet in book.worksheets:
        found = set()
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    fmt = cell.number_format if cell.number_format != "General" else None
                    found.add(shown(cell.value, fmt))
        sheets[sheet.title] = found
    return sheets


def convert(paths, outdir):
    """Convert every workbook to PDF in one LibreOffice run with a private profile."""
    profile = outdir / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {path.stem: outdir / f"{path.stem}.pdf" for path in paths}


def pages_of(pdf):
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_every_workbook_prints_its_figures_in_full_with_the_signature_beside_figures(
    client, geography, officers, tmp_path
):
    assert SOFFICE and shutil.which("pdftotext"), "LibreOffice or poppler-utils missing"
    make_data(geography, officers)
    make_nation(geography)
    make_long_lists(geography, officers)
    outdir = ARTIFACTS / "excel"
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    paths, expected = [], {}
    for name, who in READERS.items():
        url = WORKBOOKS["kpi" if name == "kpi-province" else name][0]
        client.force_login(officers[who])
        response = client.get(url)
        assert response.status_code == 200, name
        path = outdir / f"{name}.xlsx"
        path.write_bytes(response.content)
        paths.append(path)
        expected[name] = figures_of(response.content)

    pdfs = convert(paths, outdir)
    summary = []
    for name, pdf in pdfs.items():
        pages = pages_of(pdf)
        text = "\n".join(pages)
        summary.append(f"{name}: {len(pages)} pages")
        assert "###" not in text, name
        for sheet, figures in expected[name].items():
            missing = [f for f in figures if f not in text]
            assert not missing, (name, sheet, missing[:10])
        for number, page in enumerate(pages, start=1):
            if name != "template":
                assert f"หน้า {number} / " in page or f"หน้า {number} /" in page, (name, number)
            # A cluster's heading is never the last thing on a page: figures follow it.
            heading = page.rfind("เขตตรวจราชการ")
            if heading >= 0:
                assert FIGURE.search(page[heading:]), (name, number)
        signed = [page for page in pages if "ลงชื่อ" in page]
        if name != "template":
            assert signed, name
        for page in signed:
            before = page[: page.index("ลงชื่อ")]
            assert FIGURE.search(before), (name, "the signature stands alone")
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(outdir / name)], check=True)
    (outdir / "pages.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")

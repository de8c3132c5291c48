"""The browser's print of every report page at national-sized figures (Chromium's PDF).

Each page printed as an officer prints it (print media, A4 landscape from the page's own
CSS): every figure in full, "หน้า x / y" and the report's title on every page, the page
with the signature holds figures too, and no cluster heading ends a page. The PDFs and
their pictures land in test-artifacts/print/.
"""

import os
import re
import shutil
import subprocess

import pytest
from django.utils import timezone

from tests.conftest import ARTIFACTS
from tests.test_browser_shell import sign_in
from tests.test_excel_rendering import figures_of
from tests.workbook_cases import (
    FY,
    MONTH,
    NOW,
    WORKBOOKS,
    make_data,
    make_long_lists,
    make_nation,
)

pytestmark = pytest.mark.once
FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d\d)?")
# The report pages: their workbooks' URLs without ?format=xlsx (the template is no report).
PAGES = {name: url for name, (url, _) in WORKBOOKS.items() if name != "template"}


OVERFLOWING = """() => [...document.querySelectorAll('td.num, th.num')]
    .filter(cell => cell.offsetParent !== null && cell.scrollWidth > cell.clientWidth + 1)
    .map(cell => cell.textContent.trim())"""


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def text_pages(pdf, path):
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not shutil.which("pdftotext") and os.environ.get("REQUIRE_BROWSER") != "1",
    reason="poppler-utils missing",
)
def test_every_report_page_prints_whole_with_footers_and_the_signature_beside_figures(
    page, live_server, geography, officers
):
    make_data(geography, officers)
    make_nation(geography)
    make_long_lists(geography, officers)
    outdir = ARTIFACTS / "print"
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    sign_in(page, live_server, "cdd")
    page.wait_for_url(re.compile(r"/$|/home"))
    summary = []
    for name, url in PAGES.items():
        # Every figure of the report's own workbook, as the workbook formats it.
        workbook = page.request.get(live_server.url + url).body()
        figures = set().union(*figures_of(workbook).values())
        page.goto(live_server.url + url.replace("?format=xlsx", ""))
        page.emulate_media(media="print")
        # At the width of A4 landscape's printable area, no figure runs out of its cell.
        page.set_viewport_size({"width": 1047, "height": 740})
        overflowing = page.evaluate(OVERFLOWING)
        assert not overflowing, (name, overflowing[:5])
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        pages = text_pages(pdf, outdir / f"{name}.pdf")
        summary.append(f"{name}: {len(pages)} pages")
        text = "\n".join(pages)
        assert "###" not in text, name
        missing = [figure for figure in figures if figure not in text]
        assert not missing, (name, missing[:10])
        for number, printed in enumerate(pages, start=1):
            assert f"หน้า {number} / {len(pages)}" in printed, (name, number)
            heading = printed.rfind("เขตตรวจราชการ")
            if heading >= 0:
                assert FIGURE.search(printed[heading:]), (name, number, "a heading ends the page")
        signed = [printed for printed in pages if "ลงชื่อ" in printed]
        assert len(signed) == 1, name
        assert FIGURE.search(signed[0][: signed[0].index("ลงชื่อ")]), (name, "signature alone")
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", str(outdir / f"{name}.pdf"), str(outdir / name)]
        )
    (outdir / "pages.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("who", "entry", "button", "report"),
    [
        (
            "d5701",
            f"/sales/5701/{FY}/estimate/",
            "#print-form",
            f"/reports/estimate/5701/{FY}/form/",
        ),
        (
            "p57",
            f"/sales/exports/57/{FY}/{MONTH}/",
            "#print-report",
            f"/reports/exports/57/{FY}/{MONTH}/",
        ),
    ],
)
def test_the_entry_pages_print_button_prints_the_report_not_the_grid(
    page, live_server, geography, officers, who, entry, button, report
):
    """The estimate and export entry pages open their report and print it."""
    make_data(geography, officers)
    page.context.add_init_script("window.print = () => { window.__printed = true; };")
    sign_in(page, live_server, who)
    page.wait_for_url(re.compile(r"/$|/home|/sales/"))
    page.goto(live_server.url + entry)
    with page.expect_popup() as popup:
        page.click(button)
    printed = popup.value
    printed.wait_for_load_state("load")
    assert printed.url == f"{live_server.url}{report}?print=1"
    printed.wait_for_function("window.__printed === true")
    assert printed.locator("table.report-table").count() >= 1
    # On paper: the report's figures, no form control or button of the entry page.
    printed.emulate_media(media="print")
    shown = printed.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter(element => element.offsetParent !== null).length"""
    )
    assert shown == 0
    assert printed.locator("#signature").count() == 1
    assert page.evaluate("window.__printed") is None  # the entry page itself printed nothing

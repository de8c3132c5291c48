"""ค่าที่ควรตรวจสอบ at /reports/outliers/<area>/<fy>/<month>/ (issue 15 point 1)."""

import shutil
import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from confirmations import services as confirmations
from quality.models import RowNote
from reports.totals import rebuild
from sales.models import Producer, ProducerType
from tests.test_confirm_district import NOW
from tests.test_outliers import FESTIVAL_HISTORY, MONTH, history, this_month

URL = "/reports/outliers/{}/2570/11/"


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def make(district, count, figure="38000000", start=0):
    """`count` producers of a district, each with a festival history and a typo this month."""
    rows = []
    for i in range(start, start + count):
        producer = Producer.objects.create(
            name=f"กลุ่ม {district.code}-{i}", district=district, producer_type=ProducerType.SME
        )
        history(producer, FESTIVAL_HISTORY)
        rows.append(this_month(producer, Decimal(figure) + i, province_confirmed_at=None))
    rebuild()
    return rows


def test_the_province_reads_its_list_in_order_with_explanations(client, officers, geography):
    typo = make(geography["mueang_cr"], 1)[0]
    smaller = make(geography["wiang_chai"], 1, figure="500000")[0]
    make(geography["mueang_cm"], 1)  # another province
    RowNote.objects.create(
        sale=typo, district=typo.district, fiscal_year=2570, month=11, explanation="พิมพ์ผิด"
    )
    client.force_login(officers["province"])
    page = client.get(URL.format("57")).content.decode()
    assert page.index("กลุ่ม 5701-0") < page.index("กลุ่ม 5702-0")
    assert "5001" not in page and "พิมพ์ผิด" in page
    assert f"/sales/notes/{smaller.pk}/" in page
    only = client.get(URL.format("57"), {"type": "textile"}).content.decode()
    assert "กลุ่ม 5701-0" not in only


def test_the_department_lists_the_nation_confirmed_rows_filtered(client, officers, geography):
    rows = make(geography["mueang_cr"], 1) + make(geography["mueang_cm"], 1)
    client.force_login(officers["department"])
    assert "กลุ่ม 5701-0" not in client.get(URL.format("all")).content.decode()
    # Confirmed through the writers, which refresh the running totals the stamps follow.
    for row in rows:
        confirmations.confirm_district(
            row.district, MONTH, officers["owner"], {row.pk: row.version}, {row.pk}
        )
        row.refresh_from_db()
        confirmations.confirm_province(
            row.district, MONTH, officers["province"], {row.pk: row.version}, {row.pk}
        )
    page = client.get(URL.format("all")).content.decode()
    assert "กลุ่ม 5701-0" in page and "กลุ่ม 5001-0" in page
    cluster = geography["chiang_mai"].cluster_id
    page = client.get(URL.format("all"), {"cluster": cluster}).content.decode()
    assert "กลุ่ม 5701-0" not in page and "กลุ่ม 5001-0" in page
    page = client.get(URL.format("all"), {"province": "57"}).content.decode()
    assert "กลุ่ม 5701-0" in page and "กลุ่ม 5001-0" not in page
    for bad in ({"province": "99"}, {"cluster": "x"}, {"type": "car"}, {"format": "pdf"}):
        assert client.get(URL.format("all"), bad).status_code == 404


@pytest.mark.parametrize(
    ("who", "area", "status"),
    [
        ("owner", "57", 404),
        ("other_province", "57", 404),
        ("province", "all", 404),
        ("owner", "all", 404),
        ("province", "57", 200),
        ("department", "57", 200),
        ("department", "all", 200),
        ("department", "5701", 404),
    ],
)
def test_the_list_scope(client, officers, geography, who, area, status):
    client.force_login(officers[who])
    assert client.get(URL.format(area)).status_code == status


def test_the_excel_file_has_every_row_in_order(client, officers, geography, tmp_path):
    make(geography["mueang_cr"], 3)
    client.force_login(officers["province"])
    response = client.get(URL.format("57"), {"format": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    names = [row[3] for row in sheet.iter_rows(values_only=True) if row[3] and "5701-" in row[3]]
    assert names == ["กลุ่ม 5701-2", "กลุ่ม 5701-1", "กลุ่ม 5701-0"]
    if shutil.which("soffice") and shutil.which("pdftotext"):
        path = tmp_path / "outliers.xlsx"
        path.write_bytes(response.content)
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
            capture_output=True,
            check=True,
            timeout=120,
        )
        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / "outliers.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "ค่าที่ควรตรวจสอบ" in text and "กลุ่ม 5701-2" in text


def queries_of(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the first reader brings the baselines up to date
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_list_costs_the_same_queries_at_two_sizes(client, officers, geography, settings):
    client.force_login(officers["province"])
    make(geography["mueang_cr"], 2)
    small = queries_of(client, URL.format("57"), None)
    make(geography["wiang_chai"], 30, start=10)
    make(geography["mueang_cr"], 30, start=50)
    large = queries_of(client, URL.format("57"), None)
    assert small == large


def test_recomputing_baselines_costs_the_same_queries_at_two_sizes(geography):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quality.models import BaselineStamp
    from quality.outliers import ensure_baselines

    counts = []
    for size in (2, 40):
        make(geography["mueang_cr"], size, start=len(counts) * 100)
        BaselineStamp.objects.all().delete()
        with CaptureQueriesContext(connection) as context:
            ensure_baselines(MONTH)
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_confirmation_pages_cost_the_same_queries_at_two_sizes(client, officers, geography):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 25):
        make(geography["mueang_cr"], size, start=len(counts) * 100)
        client.force_login(officers["province"])
        url = "/confirm/province/5701/2570/11/"
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_a_corrected_typo_leaves_the_list_at_once(client, officers, geography):
    from sales.services import month_revision, save_month

    typo = make(geography["mueang_cr"], 1)[0]
    client.force_login(officers["province"])
    assert "กลุ่ม 5701-0" in client.get(URL.format("57")).content.decode()
    typo.refresh_from_db()
    save_month(
        typo.district,
        MONTH,
        officers["owner"],
        month_revision(typo.district, MONTH),
        rows=[
            {
                "id": typo.pk,
                "version": typo.version,
                "name": typo.producer.name,
                "product_type": typo.product_type,
                "producer_type": typo.producer.producer_type,
                "domestic": Decimal("38000"),
                "export": Decimal("0"),
            }
        ],
        deleted_ids=[],
    )
    assert "กลุ่ม 5701-0" not in client.get(URL.format("57")).content.decode()


def test_both_confirmation_pages_flag_the_typo_with_its_history(client, officers, geography):
    typo = make(geography["mueang_cr"], 1)[0]
    honest = make(geography["mueang_cr"], 1, figure="60000", start=5)[0]
    for who, url in (
        ("owner", "/confirm/district/5701/2570/11/"),
        ("province", "/confirm/province/5701/2570/11/"),
    ):
        client.force_login(officers[who])
        page = client.get(url).content.decode()
        typo_row = page[page.index(f'id="row-{typo.pk}"') :][:6000]
        honest_row = page[page.index(f'id="row-{honest.pk}"') :][:6000]
        assert "outlier-flag" in typo_row.split("</tr>")[0]
        assert "outlier-flag" not in honest_row.split("</tr>")[0]
        assert "ประวัติ 12 เดือน" in typo_row and "52,000.00" in typo_row


@pytest.mark.parametrize(("who", "area"), [("province", "57"), ("department", "all")])
def test_a_name_that_starts_like_a_formula_is_text_in_the_excel_file(
    client, officers, geography, who, area
):
    # Issue 12's rule holds for this workbook too: every text cell is a string, as typed.
    (row,) = make(geography["mueang_cr"], 1)
    hostile = '=HYPERLINK("http://example.invalid","กลุ่มทอผ้า")'
    Producer.objects.filter(pk=row.producer_id).update(name=hostile)
    if who == "department":
        type(row).objects.filter(pk=row.pk).update(
            district_confirmed_at=NOW, province_confirmed_at=NOW
        )
        rebuild()
    client.force_login(officers[who])

    response = client.get(URL.format(area), {"format": "xlsx"})

    book = load_workbook(BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for line in sheet.iter_rows() for cell in line]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert hostile in texts

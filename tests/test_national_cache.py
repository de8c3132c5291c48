"""The national pages' cache (reports.versions): built once per version of the running totals.

A write (here a province's confirmation through its page) must make the very next read show
the new figure; a read of an unchanged version must cost fewer queries than building it; and
a province officer's cached table must never be served to the department, nor the reverse.
"""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.models import TotalsVersion
from reports.totals import rebuild, refresh_month
from reports.versions import data_version
from tests.test_confirm_district import NOW, confirmed, form, make_rows

FY = 2570
KPI = reverse("report-kpi", args=[FY])
RT4 = reverse("report-rt4-nation", args=[FY])
CONFIRM = "/confirm/province/5701/2570/10/"


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def rows(geography):
    """Two district-confirmed rows of 100 baht in อำเภอเมืองเชียงราย, not yet the province's."""
    made = make_rows(geography["mueang_cr"], 2, **confirmed())
    rebuild(FY)
    return made


def actual(response, code):
    return next(row.actual for row in response.context["table"].rows if row.province.code == code)


def numbers(content):
    """Return every number in the first sheet of a workbook's bytes."""
    sheet = load_workbook(BytesIO(content)).active
    return {
        c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, int | float)
    }


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response


def test_a_confirmation_shows_on_the_kpi_page_at_once(client, officers, rows):
    client.force_login(officers["department"])
    assert actual(client.get(KPI), "57") == 0
    assert 200 not in numbers(client.get(KPI + "?format=xlsx").content)
    assert 200 not in numbers(client.get(RT4 + "?format=xlsx").content)
    before = data_version(FY)

    client.force_login(officers["province"])
    assert client.post(CONFIRM, form(rows, ticked=rows)).status_code == 302
    assert data_version(FY) != before
    assert TotalsVersion.objects.get(province_id="57", fiscal_year=FY).version == 2

    client.force_login(officers["department"])
    assert actual(client.get(KPI), "57") == 200
    assert 200 in numbers(client.get(KPI + "?format=xlsx").content)
    assert 200 in numbers(client.get(RT4 + "?format=xlsx").content)


def test_each_write_counts_a_new_version_of_its_province_only(geography, rows):
    before = {v.province_id: v.version for v in TotalsVersion.objects.all()}
    version = data_version(FY)
    refresh_month(geography["mueang_cr"], FY, 10)
    after = {v.province_id: v.version for v in TotalsVersion.objects.all()}
    assert after == {**before, "57": before["57"] + 1}
    assert data_version(FY) != version


@pytest.mark.parametrize("path", [KPI, KPI + "?format=xlsx", RT4 + "?format=xlsx"])
def test_a_cached_page_costs_fewer_queries_whatever_the_data(client, officers, rows, path):
    client.force_login(officers["department"])
    client.get(path)  # warm the session and the cache
    cached, first = queries(client, path)
    rebuild(FY)  # a new version: built again
    uncached, second = queries(client, path)
    assert cached < uncached
    make_rows(rows[0].district, 30, start=10, **confirmed(province=True))
    rebuild(FY)
    assert queries(client, path)[0] == uncached
    assert queries(client, path)[0] == cached
    if "xlsx" in path:
        assert numbers(first.content) == numbers(second.content)  # the same figures


def test_the_kpi_page_cached_costs_fewer_queries(client, officers, rows, django_assert_num_queries):
    client.force_login(officers["department"])
    client.get(KPI)
    rebuild(FY)
    uncached, _ = queries(client, KPI)
    with django_assert_num_queries(uncached - 2):  # kpi_table's two queries are saved
        client.get(KPI)


def test_a_province_never_gets_the_departments_table_nor_the_reverse(client, officers, rows):
    everyone = {"57", "50"}
    client.force_login(officers["department"])
    assert {row.province.code for row in client.get(KPI).context["table"].rows} >= everyone
    client.force_login(officers["province"])
    own = client.get(KPI)
    assert [row.province.code for row in own.context["table"].rows] == ["57"]
    assert own.context["table"].single
    client.force_login(officers["other_province"])
    assert [row.province.code for row in client.get(KPI).context["table"].rows] == ["50"]
    workbook = client.get(KPI + "?format=xlsx").content
    assert "เชียงราย" not in str(list(load_workbook(BytesIO(workbook)).active.values))
    client.force_login(officers["department"])
    assert {row.province.code for row in client.get(KPI).context["table"].rows} >= everyone


def test_outsiders_still_get_404_from_the_cached_pages(client, officers, rows):
    client.force_login(officers["department"])
    client.get(KPI)
    client.get(RT4 + "?format=xlsx")
    client.force_login(officers["owner"])
    assert client.get(KPI).status_code == 404
    assert client.get(KPI + "?format=xlsx").status_code == 404
    client.force_login(officers["province"])
    assert client.get(RT4 + "?format=xlsx").status_code in (403, 404)


def test_a_loaded_target_changes_the_version(rows, geography):
    from decimal import Decimal

    from reports.models import Target

    before = data_version(FY)
    target = Target.objects.create(
        province=geography["chiang_rai"], fiscal_year=FY, base=Decimal("1000.00")
    )
    assert data_version(FY) != before
    before = data_version(FY)
    target.base = Decimal("2000.00")
    target.save()
    assert data_version(FY) != before

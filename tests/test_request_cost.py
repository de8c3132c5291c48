"""What every signed-in request costs the server, and the entry page's GET (issue 16).

The CPU targets are benchmarks (benchmarks/request_cpu.py), never timed tests; these check
the counts that the CPU follows: queries per request, and the work that must not come back.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from otopdoc.fiscal import FiscalMonth
from quality import outliers
from reports.totals import rebuild
from sales.models import MonthlySale
from tests.test_entry import URL, make_rows, october

__all__ = ["october"]  # the clock of test_entry: October of FY 2570 is open


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize(
    "month", [FiscalMonth(2570, 10), FiscalMonth(2570, 11), FiscalMonth(2570, 9)]
)
def test_the_outlier_window_reads_exactly_its_months_in_a_clause_a_year(producer, month):
    every = [month.next]
    for _ in range(30):
        every.append(every[-1].previous)
    MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=producer,
            district=producer.district,
            product_type="food",
            fiscal_year=fm.fiscal_year,
            month=fm.month,
        )
        for fm in every
    )

    def months_read(condition):
        found = MonthlySale.objects.filter(condition).values_list("fiscal_year", "month")
        return {FiscalMonth(*pair) for pair in found}

    assert months_read(outliers._window_filter(month)) == set(outliers.window(month))
    with_month = outliers._window_filter(month, with_month=True)
    assert months_read(with_month) == {*outliers.window(month), month}
    # Twenty-five months touch three fiscal years: three clauses, not one a month.
    assert len(with_month.children) <= 3


def test_the_entry_page_reads_the_districts_producers_once(client, officers, geography):
    for sale in make_rows(geography["mueang_cr"], 5):
        sale.pk, sale.fiscal_year, sale.month = None, 2569, 9  # last month: baselines
        sale.save()
    rebuild()  # the running totals, which the baselines' stamps follow
    client.force_login(officers["owner"])
    client.get(URL)  # the first reader computes the baselines
    reads = [sql for sql in queries_of(client, URL) if 'FROM "sales_producer"' in sql]
    assert len(reads) == 1, reads


def reads_of(queries, table):
    """The queries that read `table` itself (not through a join)."""
    return [sql for sql in queries if re.match(rf'SELECT "{table}"\.', sql)]


@pytest.mark.parametrize("who", ["owner", "province", "department"])
def test_the_user_comes_with_its_officer_in_one_query(client, officers, who):
    client.force_login(officers[who])
    queries = queries_of(client, "/privacy/")  # a page with the menu and its area label
    assert not reads_of(queries, "otopdoc_officer"), queries
    assert len(reads_of(queries, "auth_user")) == 1, queries
    html = client.get("/privacy/").content.decode()
    assert officers[who].officer.area_label in html


def test_a_staff_user_without_an_officer_still_signs_in(client, geography):
    staff = get_user_model().objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get("/privacy/").context["user"] == staff


def test_a_deactivated_user_is_signed_out_at_the_next_request(client, officers):
    client.force_login(officers["owner"])
    get_user_model().objects.filter(pk=officers["owner"].pk).update(is_active=False)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_officers_own_area_is_read_once(client, officers, geography):
    make_rows(geography["mueang_cr"], 2)
    client.force_login(officers["owner"])
    queries = queries_of(client, URL)  # the page's district is the menu's too
    assert len(reads_of(queries, "sales_district")) == 1, queries
    assert not reads_of(queries, "sales_province"), queries
    client.force_login(officers["province"])
    queries = queries_of(client, "/province/57/")
    assert len(reads_of(queries, "sales_province")) == 1, queries
    # Another's area is still looked up, and refused.
    client.force_login(officers["neighbour"])
    assert client.get(URL).status_code == 404


def test_the_entry_page_reads_its_baselines_stamp_with_their_signature(client, officers, geography):
    for sale in make_rows(geography["mueang_cr"], 3):
        sale.pk, sale.fiscal_year, sale.month = None, 2569, 9
        sale.save()
    rebuild()
    client.force_login(officers["owner"])
    client.get(URL)  # the first reader computes the baselines
    queries = queries_of(client, URL)
    alone = [sql for sql in queries if sql.startswith('SELECT "quality_baselinestamp"')]
    assert not alone, queries

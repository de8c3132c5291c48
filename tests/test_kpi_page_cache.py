"""The KPI page's drawn table (reports.views.kpi_page), kept per version of the data and scope.

The page serves its table, notes and chart as HTML drawn once per version of the running
totals: a write must redraw it at the next read, a cached page must read exactly as a
freshly drawn one, and a province officer's drawing never reaches another reader.
"""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from reports.totals import rebuild
from tests.test_confirm_district import NOW, confirmed, form, make_rows

FY = 2570
KPI = reverse("report-kpi", args=[FY])
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


def row_html(response, code):
    html = response.content.decode()
    return re.search(rf'<tr data-province="{code}">(.*?)</tr>', html, re.S).group(1)


def provinces_drawn(response):
    return re.findall(r'<tr data-province="(\d+)">', response.content.decode())


def without_token(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_it_redraws_the_table_after_a_confirmation(client, officers, rows):
    client.force_login(officers["department"])
    assert ">200<" not in row_html(client.get(KPI), "57")
    client.force_login(officers["province"])
    assert client.post(CONFIRM, form(rows, ticked=rows)).status_code == 302
    client.force_login(officers["department"])
    assert '<td class="num">200</td>' in row_html(client.get(KPI), "57")


def test_a_cached_page_reads_as_a_freshly_drawn_one(client, officers, rows):
    client.force_login(officers["department"])
    drawn = client.get(KPI)
    served = client.get(KPI)
    assert without_token(served) == without_token(drawn)
    assert served.context["chart"] == drawn.context["chart"]
    cache.clear()
    assert without_token(client.get(KPI)) == without_token(drawn)


def test_each_scope_gets_its_own_drawing(client, officers, rows):
    client.force_login(officers["province"])
    assert provinces_drawn(client.get(KPI)) == ["57"]
    client.force_login(officers["other_province"])
    assert provinces_drawn(client.get(KPI)) == ["50"]
    assert "เชียงราย" not in client.get(KPI).content.decode()
    client.force_login(officers["department"])
    assert set(provinces_drawn(client.get(KPI))) == {"57", "50"}
    client.force_login(officers["province"])
    assert provinces_drawn(client.get(KPI)) == ["57"]


def test_a_province_officer_sees_its_name_in_the_subtitle(client, officers, rows):
    client.force_login(officers["province"])
    assert "จังหวัดเชียงราย ·" in client.get(KPI).content.decode()
    client.force_login(officers["department"])
    assert "จังหวัดเชียงราย ·" not in client.get(KPI).content.decode()

"""The nation home, completeness and RT.4 (nation) pages, drawn once per version of the data.

Each page keeps its figures and their drawing per version of the running totals
(reports.versions.cached_drawing). Whatever writes the rows (an entry save, a district's or
a province's confirmation, a send-back, a merge of producers) must make the very next read
what a fresh build would show; a reader of another scope must never be served another's
drawing; the completeness pages must change when the deadline passes with no write at all;
and a page served from the cache must cost fewer queries than building it, whatever the data.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from otopdoc.fiscal import BANGKOK
from reports.totals import rebuild
from sales.models import Producer, ProducerType
from tests.test_confirm_district import NOW, confirmed, form, make_rows
from tests.test_entry import post_data, row

NATION = "/nation/?fy=2570&month=10"
COMPLETENESS = "/confirm/completeness/2570/10/"
COMPLETENESS_57 = "/confirm/completeness/2570/10/57/"
RT4 = "/reports/rt4/all/2570/"
DEPARTMENT_PAGES = [NATION, COMPLETENESS, COMPLETENESS_57, RT4]
AFTER_DEADLINE = datetime.datetime(2026, 11, 6, 9, 0, tzinfo=BANGKOK)  # October's was the 5th


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Stop the clock on 15 October 2569; set(when) moves it."""

    class Clock:
        now = NOW

        def set(self, when):
            self.now = when

    stopped = Clock()
    monkeypatch.setattr(timezone, "now", lambda: stopped.now)
    return stopped


def html(response):
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def read(client, user, paths):
    client.force_login(user)
    return {path: html(client.get(path)) for path in paths}


def served_and_fresh(client, officers):
    """Read every page as served now (cached), then as built from nothing, for both readers."""
    readers = [
        (officers["department"], DEPARTMENT_PAGES),
        (officers["province"], [COMPLETENESS_57]),
    ]
    served = [read(client, user, paths) for user, paths in readers]
    cache.clear()
    fresh = [read(client, user, paths) for user, paths in readers]
    return served, fresh


# Each writer through its own page: it makes the rows it needs, yields, then writes.


def entry_save(client, officers, geography):
    yield
    client.force_login(officers["owner"])
    response = client.post("/sales/5701/2570/10/", post_data([row(domestic="300.00")]))
    assert response.status_code == 302


def district_confirmation(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2, start=50)
    rebuild(2570)
    yield
    client.force_login(officers["owner"])
    response = client.post("/confirm/district/5701/2570/10/", form(rows, ticked=rows))
    assert response.status_code == 302


def province_confirmation(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2, start=50, **confirmed())
    rebuild(2570)
    yield
    client.force_login(officers["province"])
    response = client.post("/confirm/province/5701/2570/10/", form(rows, ticked=rows))
    assert response.status_code == 302


def send_back(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2, start=50, **confirmed(province=True))
    rebuild(2570)
    yield
    client.force_login(officers["province"])
    data = form(rows, ticked=rows, field="chosen", reason="ยอดจำหน่ายสูงผิดปกติ กรุณาตรวจสอบ")
    assert client.post("/confirm/province/5701/2570/10/send-back/", data).status_code == 302


def merge(client, officers, geography):
    district = geography["mueang_cr"]
    kept, dropped = (
        Producer.objects.create(name=name, district=district, producer_type=ProducerType.SME)
        for name in ("กลุ่มทอผ้าบ้านดอน", "ทอผ้า บ้านดอน")
    )
    for producer in (kept, dropped):
        make_rows(district, 0)  # (the helper names its own producers; these are ours)
        producer.sales.create(
            district=district,
            product_type="food",
            fiscal_year=2570,
            month=10,
            domestic="100.00",
            export="0.00",
            **confirmed(),
        )
    rebuild(2570)
    yield
    client.force_login(officers["owner"])
    url = f"/sales/5701/producers/{kept.pk}/merge/"
    assert client.post(url, {"other": dropped.pk}).status_code == 302


@pytest.mark.parametrize(
    "writer", [entry_save, district_confirmation, province_confirmation, send_back, merge]
)
def test_a_write_makes_the_next_read_fresh(client, officers, geography, writer):
    # Some figures everywhere, so that no page is empty before the write.
    make_rows(geography["mueang_cm"], 3, **confirmed(province=True))
    rebuild(2570)
    # The writer signs in apart: its "saved" message is not on the readers' next page.
    steps = writer(Client(), officers, geography)
    next(steps)  # the rows the writer needs
    before, _ = served_and_fresh(client, officers)  # warms the cache with every page
    next(steps, None)  # the write
    served, fresh = served_and_fresh(client, officers)
    assert served == fresh
    assert served != before  # the write shows on one page at least


def test_each_page_changes_with_its_writer(client, officers, geography):
    """The department's pages count province-confirmed rows only; completeness every row."""
    rows = make_rows(geography["mueang_cr"], 2, start=50, **confirmed())
    rebuild(2570)
    department = read(client, officers["department"], DEPARTMENT_PAGES)
    client.force_login(officers["province"])
    assert (
        client.post("/confirm/province/5701/2570/10/", form(rows, ticked=rows)).status_code == 302
    )
    after = read(client, officers["department"], DEPARTMENT_PAGES)
    assert "200.00" not in department[NATION] and "200.00" in after[NATION]
    assert "200.00" not in department[RT4] and "200.00" in after[RT4]


def test_a_province_officer_and_the_department_get_their_own_drawing(client, officers, geography):
    make_rows(geography["mueang_cr"], 2, **confirmed())
    rebuild(2570)
    confirm_link = "ตรวจและยืนยัน"
    assert confirm_link in read(client, officers["province"], [COMPLETENESS_57])[COMPLETENESS_57]
    department = read(client, officers["department"], [COMPLETENESS_57])[COMPLETENESS_57]
    assert confirm_link not in department
    assert confirm_link in read(client, officers["province"], [COMPLETENESS_57])[COMPLETENESS_57]
    client.force_login(officers["other_province"])
    assert client.get(COMPLETENESS_57).status_code == 404
    assert "เวียงชัย" not in html(client.get("/confirm/completeness/2570/10/50/"))
    for path in (NATION, COMPLETENESS, RT4):
        assert client.get(path).status_code in (302, 403, 404)


def test_the_completeness_pages_change_when_the_deadline_passes(client, officers, geography, clock):
    make_rows(geography["mueang_cr"], 2)  # entered, not confirmed: pending, then overdue
    rebuild(2570)
    before = read(client, officers["department"], [COMPLETENESS, COMPLETENESS_57])
    assert "เกินกำหนด" not in before[COMPLETENESS_57].split('id="districts"')[1]
    clock.set(AFTER_DEADLINE)
    after = read(client, officers["department"], [COMPLETENESS, COMPLETENESS_57])
    assert "state-overdue" in after[COMPLETENESS_57] or "เกินกำหนด" in after[COMPLETENESS_57]
    assert after != before
    cache.clear()
    assert read(client, officers["department"], [COMPLETENESS, COMPLETENESS_57]) == after


def test_a_renamed_province_shows_at_once(client, officers, geography):
    read(client, officers["department"], DEPARTMENT_PAGES)
    province = geography["chiang_rai"]
    province.name_th = "เชียงรายใหม่"
    province.save()
    for page in read(client, officers["department"], DEPARTMENT_PAGES).values():
        assert "เชียงรายใหม่" in page


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def grow(geography):
    for district in ("mueang_cr", "wiang_chai", "mueang_cm"):
        make_rows(geography[district], 40, start=100, **confirmed(province=True))
    rebuild(2570)


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("department", NATION),
        ("department", COMPLETENESS),
        ("department", COMPLETENESS_57),
        ("province", COMPLETENESS_57),
        ("department", RT4),
    ],
)
def test_a_cached_page_costs_two_queries_less_at_any_size(
    client, officers, geography, django_assert_num_queries, who, path
):
    make_rows(geography["mueang_cr"], 2, **confirmed())
    rebuild(2570)
    client.force_login(officers[who])
    client.get(path)  # the session, and the page built once
    built_again = rebuild  # a new version: the next read builds
    built_again(2570)
    uncached = queries(client, path)
    # The page's two queries of figures (the totals, the provinces or districts) are saved.
    with django_assert_num_queries(uncached - 2):
        client.get(path)
    grow(geography)
    assert queries(client, path) == uncached
    with django_assert_num_queries(uncached - 2):
        client.get(path)

"""Issue 10 point 9: the reports menu opens the month the officer works on, and RT.1, RT.2
and RT.3 have a month picker like the entry page's."""

import datetime
import re

import pytest
from django.utils import timezone

from otopdoc.context_processors import working_month
from otopdoc.fiscal import BANGKOK, FiscalMonth


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, 0, tzinfo=BANGKOK)


@pytest.fixture
def clock(monkeypatch):
    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_to(at(2026, 11, 20))  # 20 November 2569: October closed on the 5th
    return set_to


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 11, 20), FiscalMonth(2570, 11)),  # October is closed: November
        (at(2026, 11, 29), FiscalMonth(2570, 11)),
        (at(2026, 12, 3), FiscalMonth(2570, 11)),  # districts confirm November until the 5th
        (at(2026, 12, 5, 23), FiscalMonth(2570, 11)),
        (at(2026, 12, 6, 0), FiscalMonth(2570, 12)),
        (at(2026, 10, 2), FiscalMonth(2569, 9)),  # the last month of the year before
    ],
)
def test_the_working_month_is_last_month_until_its_deadline(moment, expected):
    assert working_month(moment) == expected


def menu_links(html):
    return re.findall(r'class="dropdown-item" href="(/reports/[^"]+)"', html)


def test_the_menu_opens_the_month_the_district_works_on(client, officers, clock):
    client.force_login(officers["owner"])
    links = menu_links(client.get("/district/5701/").content.decode())
    assert "/reports/rt1/5701/2570/11/" in links  # November, not ตุลาคม
    assert "/reports/rt2/5701/2570/11/" in links
    assert "/reports/rt3/5701/2570/11/" in links
    assert "/reports/rt4/57/2570/" in links

    clock(at(2026, 12, 3))
    client.force_login(officers["owner"])  # a new day, a new session
    links = menu_links(client.get("/district/5701/").content.decode())
    assert "/reports/rt1/5701/2570/11/" in links


def test_the_menu_follows_the_month_on_screen(client, officers, clock):
    client.force_login(officers["owner"])
    links = menu_links(client.get("/sales/5701/2570/10/").content.decode())
    assert "/reports/rt1/5701/2570/10/" in links
    links = menu_links(client.get("/reports/rt3/5701/2569/4/").content.decode())
    assert "/reports/rt2/5701/2569/4/" in links
    # A page of a past year: that year's last month.
    links = menu_links(client.get("/district/5701/?fy=2569").content.decode())
    assert "/reports/rt1/5701/2569/9/" in links
    # A nonsense ?fy= is no month on screen: the working month.
    links = menu_links(client.get("/reports/rt1/5701/2570/11/?fy=abc").content.decode())
    assert "/reports/rt1/5701/2570/11/" in links


def test_the_menu_of_a_province_and_the_department(client, officers, clock):
    client.force_login(officers["province"])
    links = menu_links(client.get("/province/57/?fy=2570&month=12").content.decode())
    assert "/reports/rt3/57/2570/12/" in links
    client.force_login(officers["department"])
    links = menu_links(client.get("/nation/").content.decode())
    assert "/reports/rt3/all/2570/11/" in links


@pytest.mark.parametrize(
    ("who", "path", "url"),
    [
        ("owner", "/reports/rt1/5701/2569/12/", "/reports/rt1/5701/2569/{m}/?rows=all"),
        ("owner", "/reports/rt2/5701/2569/12/", "/reports/rt2/5701/2569/{m}/?rows=all"),
        ("owner", "/reports/rt3/5701/2569/12/", "/reports/rt3/5701/2569/{m}/"),
        ("department", "/reports/rt1/5701/2569/12/", "/reports/rt1/5701/2569/{m}/"),
        (
            "province",
            "/reports/rt3/57/2569/12/?rows=district",
            "/reports/rt3/57/2569/{m}/?rows=district",
        ),
    ],
)
def test_rt1_rt2_and_rt3_have_a_month_picker(client, officers, clock, who, path, url):
    client.force_login(officers[who])
    html = client.get(path).content.decode()
    picker = re.search(r'<select id="goto-month"[^>]*>(.*?)</select>', html, re.S)
    assert picker, "no month picker"
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', picker.group(1))
    # FY 2569 has begun in full by November 2569: its twelve months, ตุลาคม first.
    assert [label for *_, label in options][:2] == ["ตุลาคม 2568", "พฤศจิกายน 2568"]
    assert len(options) == 12
    expected = [
        url.format(m=m).replace("&", "&amp;") for m in (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    ]
    assert [value for value, *_ in options] == expected
    assert [label for _, selected, label in options if selected] == ["ธันวาคม 2568"]


def test_the_picker_lists_only_months_begun(client, officers, clock):
    client.force_login(officers["owner"])
    html = client.get("/reports/rt1/5701/2570/10/").content.decode()
    picker = re.search(r'<select id="goto-month"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", picker) == ["ตุลาคม 2569", "พฤศจิกายน 2569"]
    assert 'id="next-month" href="/reports/rt1/5701/2570/11/' in html

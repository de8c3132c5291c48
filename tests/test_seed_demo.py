"""The seed_demo command: demo producers, their monthly sales, demo sign-ins, KPI bases.

Most tests pin the clock to 10 February 2026 (FY 2569, month 2): มกราคม closed on the 5th,
so the rows cover FY 2568 in full and ตุลาคม to กุมภาพันธ์ of FY 2569, every month up to
มกราคม confirmed at both levels and กุมภาพันธ์ under way. The checks of one small-scale run
share it (setUpTestData): the geography and the run take seconds.
"""

import csv
import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO
from statistics import median
from unittest import mock

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Sum
from django.test import RequestFactory, TestCase
from django.utils import timezone

from confirmations.models import Action, AuditEntry
from otopdoc import demo, fiscal
from otopdoc.models import Officer, Role
from reports.kpi import kpi_table
from reports.models import MonthTotal, Target
from reports.targets import SEED_SOURCE, SEED_TARGETS, load_seed_targets
from sales.geography import load_geography
from sales.models import District, MonthlySale, Producer, ProducerType, ProductType, Province

TODAY = datetime.date(2026, 2, 10)
NOW = datetime.datetime(2026, 2, 10, 10, 0, tzinfo=fiscal.BANGKOK)
STARTED = {(2568, month) for month in range(1, 13)} | {(2569, m) for m in (10, 11, 12, 1, 2)}
LATEST = (2569, 2)
DEMO_USERS = ("demo_district", "demo_province", "demo_department", "admin")


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def shares(counter):
    total = sum(counter.values())
    return {key: count / total for key, count in counter.items()}


def counts():
    return Producer.objects.count(), MonthlySale.objects.count(), Target.objects.count()


class SmallScaleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_geography()
        with mock.patch.object(timezone, "now", return_value=NOW):
            cls.output = seed()

    def test_it_makes_producers_in_chiang_rai_and_a_few_in_every_province(self):
        per_district = Counter(Producer.objects.values_list("district_id", flat=True))
        chiang_rai = District.objects.filter(province_id="57").values_list("code", flat=True)
        assert all(15 <= per_district[code] <= 30 for code in chiang_rai)
        per_province = Counter(code[:2] for code in per_district.elements())
        assert set(per_province) == set(Province.objects.values_list("code", flat=True))
        assert len(per_province) == 76
        assert 1 <= per_province["50"] <= 12 and 1 <= per_province["30"] <= 12
        assert all(1 <= n <= 3 for code, n in per_province.items() if code not in "57 50 30")

    def test_it_draws_types_in_rough_proportions(self):
        producer_types = shares(Counter(Producer.objects.values_list("producer_type", flat=True)))
        assert 0.5 < producer_types[ProducerType.COMMUNITY_GROUP] < 0.7
        assert 0.2 < producer_types[ProducerType.SINGLE_OWNER] < 0.4
        assert 0.03 < producer_types[ProducerType.SME] < 0.18
        one_month = MonthlySale.objects.filter(fiscal_year=2569, month=1)
        product_types = shares(Counter(one_month.values_list("product_type", flat=True)))
        assert 0.3 < product_types[ProductType.FOOD] < 0.5
        assert 0.15 < product_types[ProductType.TEXTILE] < 0.35
        assert 0.12 < product_types[ProductType.HOUSEHOLD] < 0.3
        assert 0.02 < product_types[ProductType.BEVERAGE] < 0.15
        assert 0.02 < product_types[ProductType.HERB] < 0.14

    def test_it_gives_one_producer_in_ten_a_second_product_type(self):
        one_month = MonthlySale.objects.filter(fiscal_year=2569, month=1)
        lines = Counter(one_month.values_list("producer_id", flat=True))
        assert set(lines.values()) == {1, 2}
        assert 0.04 < sum(1 for n in lines.values() if n == 2) / len(lines) < 0.18
        assert len(lines) == Producer.objects.count()

    def test_it_names_producers_as_thai_producers_are_named(self):
        for producer in Producer.objects.select_related("subdistrict"):
            if producer.producer_type == ProducerType.COMMUNITY_GROUP:
                assert producer.name.startswith("กลุ่ม") and "บ้าน" in producer.name
            elif producer.producer_type == ProducerType.SME:
                assert producer.name.startswith(("บริษัท ", "ห้างหุ้นส่วน"))
            if producer.subdistrict:
                assert producer.subdistrict.district_id == producer.district_id

    def test_it_makes_rows_for_started_months_the_current_once_last_month_closed(self):
        months = set(MonthlySale.objects.values_list("fiscal_year", "month").distinct())
        assert months == STARTED
        lines = MonthlySale.objects.filter(fiscal_year=2569, month=1).count()
        assert MonthlySale.objects.count() == lines * len(STARTED)

    def test_it_confirms_every_month_but_the_latest(self):
        users = get_user_model().objects.in_bulk(
            ["demo_district", "demo_province"], field_name="username"
        )
        earlier = MonthlySale.objects.exclude(fiscal_year=LATEST[0], month=LATEST[1])
        assert not earlier.filter(province_confirmed_at__isnull=True).exists()
        assert set(
            earlier.values_list("district_confirmed_by", "province_confirmed_by").distinct()
        ) == {(users["demo_district"].pk, users["demo_province"].pk)}
        for sale in earlier.filter(district_id="5702"):
            assert sale.created_at < sale.district_confirmed_at < sale.province_confirmed_at
            assert (
                sale.district_confirmed_at.date()
                > fiscal.FiscalMonth(sale.fiscal_year, sale.month).first_day
            )

    def test_it_leaves_the_month_under_way_half_confirmed_by_districts(self):
        latest = MonthlySale.objects.filter(
            fiscal_year=LATEST[0], month=LATEST[1], returned_at__isnull=True
        )
        assert not latest.filter(province_confirmed_at__isnull=False).exists()
        by_district = (
            latest.filter(district__province_id="57")
            .values("district_id")
            .annotate(rows=Count("id"), confirmed=Count("district_confirmed_at"))
        )
        # A district confirms its month as a whole: all its rows or none.
        assert all(d["confirmed"] in (0, d["rows"]) for d in by_district)
        confirmed = [d["district_id"] for d in by_district if d["confirmed"]]
        assert len(confirmed) == len(by_district) // 2
        assert "5701" not in confirmed  # the demo district officer has a month to confirm
        assert not (
            latest.filter(district_confirmed_at__isnull=False)
            .exclude(district_confirmed_by__username="demo_district")
            .exists()
        )

    def test_it_sends_a_few_rows_of_the_month_under_way_back(self):
        returned = MonthlySale.objects.filter(returned_at__isnull=False)
        assert set(returned.values_list("fiscal_year", "month").distinct()) == {LATEST}
        assert sorted(returned.values_list("district_id", flat=True)) == ["5701"] * 2 + ["5702"] * 2
        assert set(returned.values_list("returned_by__username", flat=True)) == {"demo_province"}
        assert set(returned.values_list("returned_reason", flat=True)) == {demo.SENT_BACK_REASON}
        assert not returned.filter(district_confirmed_at__isnull=False).exists()
        audit = AuditEntry.objects.filter(action=Action.SEND_BACK)
        assert sorted(audit.values_list("sale_id", flat=True)) == sorted(
            returned.values_list("pk", flat=True)
        )

    def test_every_province_has_a_base_for_the_year_from_last_years_sales(self):
        bases = {t.province_id: t for t in Target.objects.filter(fiscal_year=2569)}
        assert len(bases) == 76
        last_year = {
            row["province"]: row["base"]
            for row in MonthTotal.objects.filter(fiscal_year=2568)
            .values("province")
            .annotate(base=Sum(F("province_domestic") + F("province_export")))
        }
        for code, target in bases.items():
            assert target.base == Decimal(last_year[code]).quantize(Decimal("1")) > 0
            assert target.source == "ข้อมูลสาธิต: ยอดจำหน่ายปีงบประมาณ 2568 ที่จังหวัดยืนยันแล้ว"

    def test_the_department_sees_real_figures_on_first_sign_in(self):
        with mock.patch.object(timezone, "now", return_value=NOW):
            table = kpi_table(2569)
            assert table.through == fiscal.FiscalMonth(2569, 1)
            assert len(table.rows) == 76
            assert all(
                row.base > 0 and row.actual > 0 and row.score is not None for row in table.rows
            )
            assert all(row.growth is not None for row in table.rows)  # same months known
            self.client.force_login(get_user_model().objects.get(username="demo_department"))
            nation = self.client.get("/nation/")
            assert nation.context["fiscal_month"] == fiscal.FiscalMonth(2569, 1)
            assert nation.context["nation"]["rows"] > 0
            chart = self.client.get("/reports/kpi/2569/").context["chart"]
            assert all(p["cumulative"][3] for p in chart["provinces"])  # มกราคม, every province
            assert chart["provinces"][0]["cumulative"][4:] == [None] * 8

    def test_it_prints_the_host_it_is_given(self):
        assert "เปิด http://10.0.0.5:8000/" in seed("--if-empty", "--host", "10.0.0.5:8000")
        with mock.patch.dict("os.environ", {"HOST": "0.0.0.0:8080"}):
            out = seed("--if-empty")
        assert "เปิด http://0.0.0.0:8080/" in out and "http://0.0.0.0:8080/admin/" in out

    def test_it_stores_amounts_as_non_negative_decimals_to_the_satang(self):
        sales = list(MonthlySale.objects.all())
        for sale in sales:
            for amount in (sale.domestic, sale.export, sale.total):
                assert isinstance(amount, Decimal)
                assert amount >= 0
                assert amount == amount.quantize(Decimal("0.01"))
            assert sale.total == sale.domestic + sale.export
        assert Decimal("15000") < median(s.domestic for s in sales) < Decimal("50000")
        assert 0.03 < sum(1 for s in sales if s.export) / len(sales) < 0.2

    def test_it_sells_more_in_december_and_january(self):
        def average(month):
            rows = MonthlySale.objects.filter(fiscal_year=2568, month=month)
            return sum(r.domestic for r in rows) / len(rows)

        assert average(12) > average(10) and average(1) > average(10)
        assert average(12) > average(8)

    def test_it_lets_the_demo_officers_sign_in(self):
        for username in DEMO_USERS:
            # Through every backend, django-axes' included, as the login view does.
            request = RequestFactory().post("/accounts/login/")
            user = authenticate(request, username=username, password=demo.DEMO_PASSWORD)
            assert user is not None and user.username == username
        officers = {o.user.username: o for o in Officer.objects.select_related("user")}
        district, province = officers["demo_district"], officers["demo_province"]
        assert (district.role, district.district_id) == (Role.DISTRICT, "5701")
        assert (province.role, province.province_id) == (Role.PROVINCE, "57")
        assert officers["demo_department"].role == Role.DEPARTMENT
        assert get_user_model().objects.get(username="admin").is_superuser

    def test_it_prints_the_sign_ins(self):
        assert "เปิด http://127.0.0.1:8000/" in self.output
        for username in DEMO_USERS:
            assert username in self.output
        assert demo.DEMO_PASSWORD in self.output
        assert "สำนักงานพัฒนาชุมชนอำเภอ (อำเภอเมืองเชียงราย จังหวัดเชียงราย)" in self.output

    def test_it_loads_the_kpi_bases_of_fy2562(self):
        with open(SEED_TARGETS, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        targets = {t.province_id: t for t in Target.objects.filter(fiscal_year=2562)}
        assert len(targets) == len(rows) == 14
        for row in rows:
            target = targets[row["province_code"]]
            assert target.base == Decimal(row["base_fy2561"])
            assert target.target == Decimal(row["target_23"])
            assert target.source == SEED_SOURCE
        assert targets["57"].base == Decimal("3497195606")

    def test_it_loads_the_kpi_bases_again_without_change(self):
        before = list(Target.objects.values_list("pk", "province", "base", "source", "loaded_at"))
        assert load_seed_targets() == {"created": 0, "updated": 0, "unchanged": 14}
        after = list(Target.objects.values_list("pk", "province", "base", "source", "loaded_at"))
        assert after == before

    def test_it_reuses_the_data_with_if_empty(self):
        before = counts()
        out = seed("--if-empty")
        assert "already there" in out
        assert "demo_district" in out and demo.DEMO_PASSWORD in out
        assert counts() == before

    def test_it_refuses_a_second_run_without_if_empty(self):
        before = counts()
        with pytest.raises(CommandError, match="already has producers"):
            seed()
        assert counts() == before


@pytest.fixture
def full_geography(db):
    load_geography()


@pytest.fixture
def pinned(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def snapshot():
    return sorted(
        MonthlySale.objects.values_list(
            "producer__district_id",
            "producer__name",
            "producer__producer_type",
            "producer__subdistrict_id",
            "product_type",
            "fiscal_year",
            "month",
            "domestic",
            "export",
            "district_confirmed_at",
            "province_confirmed_at",
        )
    )


def test_it_seeds_a_past_fiscal_year_in_full(full_geography):
    seed("--fiscal-year", "2562")
    months = set(MonthlySale.objects.values_list("fiscal_year", "month").distinct())
    assert months == {(year, month) for year in (2561, 2562) for month in range(1, 13)}
    # Every month of a past year is closed: confirmed at both levels, nothing sent back.
    assert not MonthlySale.objects.filter(province_confirmed_at__isnull=True).exists()
    assert not MonthlySale.objects.filter(returned_at__isnull=False).exists()
    # Every province has a base for FY 2562; the seed's real ones are kept as they were.
    assert Target.objects.filter(fiscal_year=2562).count() == 76
    assert Target.objects.get(fiscal_year=2562, province_id="57").base == Decimal("3497195606")


def test_it_leaves_september_to_confirm_in_october(full_geography, monkeypatch):
    at = datetime.datetime(2026, 10, 3, 10, 0, tzinfo=fiscal.BANGKOK)
    monkeypatch.setattr(timezone, "now", lambda: at)
    seed()
    months = set(MonthlySale.objects.values_list("fiscal_year", "month").distinct())
    assert months == {(2569, month) for month in range(1, 13)}  # ตุลาคม not yet
    september = MonthlySale.objects.filter(fiscal_year=2569, month=9)
    # Half the districts and their province have confirmed it; the others have until the 5th.
    assert september.filter(province_confirmed_at__isnull=False).exists()
    assert september.filter(district_confirmed_at__isnull=True).exists()
    assert september.filter(returned_at__isnull=False).count() == 4
    august = MonthlySale.objects.filter(fiscal_year=2569, month=8)
    assert not august.filter(province_confirmed_at__isnull=True).exists()


def test_it_makes_the_same_data_from_the_same_seed(full_geography, pinned):
    seed("--seed", "7")
    first = snapshot()
    MonthlySale.objects.all().delete()
    Producer.objects.all().delete()
    seed("--seed", "7")
    assert snapshot() == first
    MonthlySale.objects.all().delete()
    Producer.objects.all().delete()
    seed("--seed", "8")
    assert snapshot() != first


def test_it_leaves_nothing_half_made(full_geography, pinned, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "bulk_create_sales", fail)
    monkeypatch.setattr(demo, "copy_sales", fail)
    with pytest.raises(RuntimeError):
        seed()
    assert counts() == (0, 0, 0)
    assert not get_user_model().objects.exists()


def test_it_spreads_the_national_scale_over_every_province(full_geography, pinned):
    out = seed("--scale", "national", "--producers", "300")
    assert Producer.objects.count() == 300
    provinces = set(Producer.objects.values_list("district__province_id", flat=True))
    assert len(provinces) > 50
    lines = MonthlySale.objects.filter(fiscal_year=2569, month=1).count()
    assert MonthlySale.objects.count() == lines * len(STARTED)
    assert "300 producers" in out


def test_it_refuses_without_the_geography(db):
    with pytest.raises(CommandError, match="load_geography"):
        seed()
    assert not get_user_model().objects.exists()


def test_it_rejects_an_unknown_scale(db):
    with pytest.raises(CommandError, match="scale"):
        seed("--scale", "huge")


def test_it_rejects_a_fiscal_year_not_yet_begun(geography, pinned):
    with pytest.raises(CommandError, match="out of range"):
        seed("--fiscal-year", "2570")


def test_it_rejects_a_producer_count_for_the_small_scale(db):
    with pytest.raises(CommandError, match="--producers"):
        seed("--producers", "10")

"""The district's monthly entry page: /sales/<district>/<fy>/<month>/."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from otopdoc.fiscal import BANGKOK, FiscalMonth
from sales.models import DistrictMonth, MonthlySale, Producer, ProductType
from sales.services import StaleMonth, save_month

URL = "/sales/5701/2570/10/"
# 15 October 2569 (2026), 10:00 in Bangkok: October of FY 2570 is open for entry.
NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def make_rows(district, count, fiscal_year=2570, month=10, **fields):
    producers = Producer.objects.bulk_create(
        Producer(name=f"กลุ่มที่ {i:03d}", district=district, producer_type="group")
        for i in range(count)
    )
    return MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=p,
            district=district,
            product_type=ProductType.FOOD,
            fiscal_year=fiscal_year,
            month=month,
            domestic=Decimal("100.00"),
            export=Decimal("0.00"),
            **fields,
        )
        for p in producers
    )


def post_data(rows, revision=0, **extra):
    """Build the entry form's POST from a list of row dicts."""
    data = {
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "2000",
        "month-revision": str(revision),
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{i}-{key}"] = "" if value is None else str(value)
    data.update(extra)
    return data


def row(name="กลุ่มอาหารรสเลิศ", product_type="food", producer_type="group", **amounts):
    return {
        "id": amounts.pop("id", ""),
        "version": amounts.pop("version", ""),
        "name": name,
        "product_type": product_type,
        "producer_type": producer_type,
        "domestic": amounts.pop("domestic", "500,000.00"),
        "export": amounts.pop("export", "0"),
        **amounts,
    }


def rows_of_existing(sales):
    return [
        row(
            name=s.producer.name,
            product_type=s.product_type,
            producer_type=s.producer.producer_type,
            id=s.pk,
            version=s.version,
            domestic=s.domestic,
            export=s.export,
        )
        for s in sales
    ]


# --- who may open it -----------------------------------------------------------------


def test_it_sends_strangers_to_sign_in(client, geography):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["neighbour", "outsider", "other_province"])
def test_outsiders_get_404_on_get_and_post(client, officers, who):
    client.force_login(officers[who])
    assert client.get(URL).status_code == 404
    assert client.post(URL, post_data([row()])).status_code == 404
    assert not MonthlySale.objects.exists()


@pytest.mark.parametrize("who", ["province", "department"])
def test_the_province_and_department_see_it_read_only(client, officers, geography, who):
    # Province-confirmed, so the department (which sees no other rows) sees them too.
    make_rows(geography["mueang_cr"], 2, district_confirmed_at=NOW, province_confirmed_at=NOW)
    client.force_login(officers[who])
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "กลุ่มที่ 001" in html
    assert 'id="save"' not in html and "ดูข้อมูลของอำเภอนี้ได้อย่างเดียว" in html
    assert client.post(URL, post_data([row()])).status_code == 403
    assert MonthlySale.objects.count() == 2


@pytest.mark.parametrize(
    "url", ["/sales/5701/2570/13/", "/sales/5701/1999/10/", "/sales/9999/2570/10/"]
)
def test_a_bad_month_year_or_district_is_404(client, officers, url):
    client.force_login(officers["owner"])
    assert client.get(url).status_code == 404


# --- saving -----------------------------------------------------------------------------


def test_the_owner_saves_new_producers_and_rows_in_one_go(client, officers):
    client.force_login(officers["owner"])
    data = post_data(
        [
            row(domestic="1,234.50", export="100"),
            row(name="ร้านผ้าไหมแม่บุญ", product_type="textile", producer_type="single"),
        ]
    )
    response = client.post(URL, data, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "บันทึกข้อมูลสมบูรณ์" in response.content.decode()
    food = MonthlySale.objects.get(producer__name="กลุ่มอาหารรสเลิศ")
    assert (food.domestic, food.export, food.total) == (
        Decimal("1234.50"),
        Decimal("100.00"),
        Decimal("1334.50"),
    )
    assert food.updated_by == officers["owner"]
    assert (food.fiscal_year, food.month, food.district_id) == (2570, 10, "5701")
    assert Producer.objects.get(name="ร้านผ้าไหมแม่บุญ").producer_type == "single"
    assert DistrictMonth.objects.get(district_id="5701", fiscal_year=2570, month=10).revision == 1


def test_a_changed_row_loses_its_district_confirmation_and_an_unchanged_row_keeps_it(
    client, officers, geography
):
    confirmed_at = NOW - datetime.timedelta(days=1)
    sales = make_rows(
        geography["mueang_cr"],
        2,
        district_confirmed_at=confirmed_at,
        district_confirmed_by=officers["owner"],
    )
    rows = rows_of_existing(sales)
    rows[0]["domestic"] = "250.00"
    client.force_login(officers["owner"])
    client.post(URL, post_data(rows))
    changed, unchanged = (MonthlySale.objects.get(pk=s.pk) for s in sales)
    assert changed.domestic == Decimal("250.00")
    assert changed.district_confirmed_at is None and changed.version == 2
    assert unchanged.district_confirmed_at == confirmed_at and unchanged.version == 1


def test_the_owner_deletes_a_row(client, officers, geography):
    sales = make_rows(geography["mueang_cr"], 2)
    rows = rows_of_existing(sales)
    rows[1]["DELETE"] = "on"
    client.force_login(officers["owner"])
    client.post(URL, post_data(rows))
    assert list(MonthlySale.objects.values_list("pk", flat=True)) == [sales[0].pk]


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("domestic", "-5", "จำนวนเงินต้องไม่ติดลบ"),
        ("domestic", "ห้าพัน", "กรุณากรอกเป็นตัวเลข"),
        ("export", "10.555", "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
        ("domestic", "1000000000000", "999,999,999,999.99"),
        ("name", "   ", "กรุณากรอกชื่อกลุ่ม / ผู้ผลิต"),
        ("product_type", "jewellery", "ประเภทผลิตภัณฑ์ไม่ถูกต้อง"),
    ],
)
def test_bad_input_comes_back_with_a_thai_message_and_writes_nothing(
    client, officers, geography, field, value, message
):
    saved = make_rows(geography["mueang_cr"], 1)
    rows = rows_of_existing(saved)
    rows[0]["domestic"] = "777.00"  # a change that must not be written
    rows.append(row(**{field: value}) if field != "name" else row(name=value))
    client.force_login(officers["owner"])
    response = client.post(URL, post_data(rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "777.00" in html  # what the officer typed is still there
    assert MonthlySale.objects.get().domestic == Decimal("100.00")
    assert not DistrictMonth.objects.exists()


def test_both_amounts_blank_asks_for_a_zero_or_a_delete(client, officers):
    client.force_login(officers["owner"])
    response = client.post(URL, post_data([row(domestic="", export="")]))
    assert "ใส่ 0 หากเดือนนี้ไม่มียอด" in response.content.decode()
    assert not MonthlySale.objects.exists()


def test_the_same_producer_twice_for_one_type_is_refused(client, officers):
    client.force_login(officers["owner"])
    response = client.post(URL, post_data([row(), row(name=" กลุ่มอาหารรสเลิศ ")]))
    assert "แล้วในเดือนนี้ (แถวที่ 1)" in response.content.decode()
    assert not MonthlySale.objects.exists()


def test_one_producer_may_have_two_types(client, officers):
    client.force_login(officers["owner"])
    client.post(URL, post_data([row(), row(product_type="herb")]))
    assert MonthlySale.objects.count() == 2
    assert Producer.objects.count() == 1


def test_a_row_of_another_district_forged_into_the_form_is_refused(client, officers, geography):
    theirs = make_rows(geography["wiang_chai"], 1)[0]
    client.force_login(officers["owner"])
    forged = row(id=theirs.pk, domestic="1.00")
    response = client.post(URL, post_data([forged]))
    assert "ไม่ใช่ของอำเภอและเดือนนี้" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.domestic == Decimal("100.00")


def test_a_row_of_another_month_forged_into_the_form_is_refused(client, officers, geography):
    september = make_rows(geography["mueang_cr"], 1, fiscal_year=2569, month=9)[0]
    client.force_login(officers["owner"])
    response = client.post(URL, post_data([row(id=september.pk, DELETE="on")]))
    assert "ไม่ใช่ของอำเภอและเดือนนี้" in response.content.decode()
    assert MonthlySale.objects.filter(pk=september.pk).exists()


def test_a_future_month_cannot_be_saved(client, officers):
    client.force_login(officers["owner"])
    response = client.post("/sales/5701/2570/12/", post_data([row()]))
    assert response.status_code in (403, 423)
    assert not MonthlySale.objects.exists()


def test_a_province_confirmed_row_cannot_be_changed_or_deleted(client, officers, geography):
    sales = make_rows(
        geography["mueang_cr"],
        1,
        district_confirmed_at=NOW,
        province_confirmed_at=NOW,
    )
    client.force_login(officers["owner"])
    rows = rows_of_existing(sales)
    rows[0]["domestic"] = "5.00"
    response = client.post(URL, post_data(rows))
    assert "จังหวัดยืนยันแล้ว แก้ไขหรือลบไม่ได้" in response.content.decode()
    rows[0]["domestic"] = sales[0].domestic
    rows[0]["DELETE"] = "on"
    response = client.post(URL, post_data(rows))
    assert "จังหวัดยืนยันแล้ว แก้ไขหรือลบไม่ได้" in response.content.decode()
    assert MonthlySale.objects.get().domestic == Decimal("100.00")


def test_a_save_from_a_stale_page_is_refused_and_loses_nothing(client, officers):
    client.force_login(officers["owner"])
    client.post(URL, post_data([row(domestic="10")]))  # revision 0 -> 1
    response = client.post(URL, post_data([row(name="กลุ่มใหม่", domestic="20")], revision=0))
    html = response.content.decode()
    assert "มีผู้อื่นบันทึกข้อมูลเดือนนี้" in html
    assert "กลุ่มใหม่" in html  # the officer's typing is on the page to copy
    assert list(MonthlySale.objects.values_list("producer__name", flat=True)) == ["กลุ่มอาหารรสเลิศ"]


# --- the page ------------------------------------------------------------------------


def test_an_empty_month_opens_with_last_months_producers_and_empty_amounts(
    client, officers, geography
):
    make_rows(geography["mueang_cr"], 3, fiscal_year=2569, month=9)
    client.force_login(officers["owner"])
    response = client.get(URL)  # ตุลาคม 2569 takes กันยายน 2569 of FY 2569
    grid = response.context["grid"]
    assert [r["name"] for r in grid] == ["กลุ่มที่ 000", "กลุ่มที่ 001", "กลุ่มที่ 002"]
    assert all(r["domestic"] == "" and r["id"] is None for r in grid)
    assert "ระบบนำรายชื่อกลุ่มและประเภทจากเดือนกันยายน 2569" in response.content.decode()


def test_a_month_with_rows_is_not_prefilled(client, officers, geography):
    make_rows(geography["mueang_cr"], 3, fiscal_year=2569, month=9)
    make_rows_named(geography["mueang_cr"], "กลุ่มเดือนนี้")
    client.force_login(officers["owner"])
    response = client.get(URL)
    assert [r["name"] for r in response.context["grid"]] == ["กลุ่มเดือนนี้"]
    assert response.context["prefilled_from"] is None


def make_rows_named(district, name):
    producer = Producer.objects.create(name=name, district=district, producer_type="sme")
    return MonthlySale.objects.create(
        producer=producer, district=district, product_type="food", fiscal_year=2570, month=10
    )


def test_the_page_shows_its_amounts_totals_and_deadline(client, officers, geography):
    make_rows(geography["mueang_cr"], 2)
    client.force_login(officers["owner"])
    html = client.get(URL).content.decode()
    # The grid's rows travel as one JSON document that entry.js draws (issue 16).
    assert '"domestic":"100.00"' in html
    assert "5 พฤศจิกายน 2569 23:59 น." in html  # the deadline
    assert "เหลืออีก 21 วัน" in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_page_costs_the_same_queries_at_10_and_300_rows(
    client, officers, geography, django_assert_num_queries, method
):
    client.force_login(officers["owner"])

    def request(sales, extra_name):
        if method == "get":
            return client.get(URL)
        rows = rows_of_existing(sales)
        for r in rows:
            r["domestic"] = "123.45"
        rows.append(row(name=extra_name))
        revision = (
            DistrictMonth.objects.filter(district_id="5701")
            .values_list("revision", flat=True)
            .first()
            or 0
        )
        response = client.post(URL, post_data(rows, revision=revision))
        assert response.status_code == 302, response.content.decode()[:2000]
        return response

    small = make_rows(geography["mueang_cr"], 10)
    with CaptureQueriesContext(connection) as at_10:
        request(small, "กลุ่มเพิ่ม ก")
    MonthlySale.objects.all().delete()
    DistrictMonth.objects.all().delete()
    Producer.objects.all().delete()
    large = make_rows(geography["mueang_cr"], 300)
    with django_assert_num_queries(len(at_10.captured_queries)):
        request(large, "กลุ่มเพิ่ม ข")


# --- two officers at once ----------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the SQLite test database is in memory and locks whole tables",
)
@pytest.mark.django_db(transaction=True)
def test_two_officers_saving_the_same_month_at_once_lose_nothing_silently(officers):
    """Two real transactions: the first claims the month and holds it; the second waits
    for the first to commit, then finds its page stale and is refused."""
    district = officers["owner"].officer.district
    fiscal_month = FiscalMonth(2570, 10)
    first_holds = threading.Event()
    outcome = {}

    def first():
        from django.db import transaction

        try:
            with transaction.atomic():
                save_month(district, fiscal_month, officers["owner"], 0, [_row("กลุ่มแรก")], [])
                first_holds.set()
                threading.Event().wait(1.0)  # hold the lock while the second one tries
            outcome["first"] = "saved"
        finally:
            connections.close_all()

    def second():
        first_holds.wait(5)
        try:
            save_month(district, fiscal_month, officers["colleague"], 0, [_row("กลุ่มสอง")], [])
            outcome["second"] = "saved"
        except StaleMonth:
            outcome["second"] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcome == {"first": "saved", "second": "refused"}
    assert list(MonthlySale.objects.values_list("producer__name", flat=True)) == ["กลุ่มแรก"]
    assert DistrictMonth.objects.get().revision == 1


def _row(name):
    return {
        "id": None,
        "version": None,
        "name": name,
        "product_type": "food",
        "producer_type": "group",
        "domestic": Decimal("1.00"),
        "export": Decimal("0.00"),
    }


def test_the_first_month_of_the_first_fiscal_year_opens_and_the_year_before_is_404(
    client, officers
):
    client.force_login(officers["owner"])
    # ตุลาคม 2549 looks back to กันยายน 2549 of FY 2549 for its prefill: no crash.
    assert client.get("/sales/5701/2550/10/").status_code == 200
    assert client.get("/sales/5701/2549/9/").status_code == 404

"""The district's confirmation page: /confirm/district/<district>/<fy>/<month>/.

The clock is pinned to 15 October 2569 B.E. (2026), 10:00 in Bangkok: October of FY 2570
is open. Rows are named "กลุ่มที่ 000", "กลุ่มที่ 001", ... so the page's order is theirs.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from confirmations.models import Action, AuditEntry
from confirmations.services import FOREIGN, STALE
from otopdoc.fiscal import BANGKOK
from sales.models import DistrictMonth, MonthlySale, Producer, ProductType

URL = "/confirm/district/5701/2570/10/"
NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)
SAVED = "บันทึกข้อมูลสมบูรณ์"
CANNOT_WITHDRAW = "รายการที่จังหวัดยืนยันแล้ว อำเภอยกเลิกการยืนยันไม่ได้"


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def make_rows(district, count, fiscal_year=2570, month=10, start=0, **fields):
    """Create `count` producers of a district with one food row each in the month."""
    domestic = fields.pop("domestic", Decimal("100.00"))
    producers = Producer.objects.bulk_create(
        Producer(name=f"กลุ่มที่ {i:03d}", district=district, producer_type="group")
        for i in range(start, start + count)
    )
    return MonthlySale.objects.bulk_create(
        MonthlySale(
            producer=p,
            district=district,
            product_type=ProductType.FOOD,
            fiscal_year=fiscal_year,
            month=month,
            domestic=domestic,
            export=Decimal("0.00"),
            **fields,
        )
        for p in producers
    )


def confirmed(**extra):
    """The fields of a row the district (and with province=True, the province) confirmed."""
    fields = {"district_confirmed_at": NOW - datetime.timedelta(hours=1)}
    if extra.pop("province", False):
        fields["province_confirmed_at"] = NOW - datetime.timedelta(minutes=30)
    return fields


def form(rows, ticked=(), batch=1, field="tick", **extra):
    """The POST of a confirmation page that showed `rows` with `ticked` rows ticked."""
    data = {
        "batch": str(batch),
        "row": [f"{r.pk}:{r.version}" for r in rows],
        field: [str(r.pk) for r in ticked],
    }
    data.update(extra)
    return data


def fresh(rows):
    return [MonthlySale.objects.get(pk=r.pk) for r in rows]


def nothing_written(rows):
    """Assert the rows, and the audit trail, are as they were."""
    for before, after in zip(rows, fresh(rows), strict=True):
        assert after.version == before.version
        assert after.district_confirmed_at == before.district_confirmed_at
        assert after.province_confirmed_at == before.province_confirmed_at
    assert not AuditEntry.objects.exclude(action=Action.CREATE).exists()


# --- who may open it -------------------------------------------------------------------


def test_it_sends_strangers_to_sign_in(client, geography):
    for response in (client.get(URL), client.post(URL, {})):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["neighbour", "outsider", "other_province"])
def test_it_hides_the_district_from_outsiders(client, officers, geography, who):
    rows = make_rows(geography["mueang_cr"], 2)
    client.force_login(officers[who])
    assert client.get(URL).status_code == 404
    assert client.post(URL, form(rows, rows)).status_code == 404
    nothing_written(rows)


@pytest.mark.parametrize("who", ["province", "department"])
def test_the_province_and_department_may_look_but_not_confirm(client, officers, geography, who):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed(province=True))
    client.force_login(officers[who])
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "กลุ่มที่ 000" in html and 'id="read-only-note"' in html
    assert 'id="save"' not in html and 'name="tick"' not in html
    assert client.post(URL, form(rows)).status_code == 403
    nothing_written(rows)


def test_it_rejects_a_bad_month_or_district(client, officers):
    client.force_login(officers["owner"])
    for url in ("/confirm/district/5701/2570/13/", "/confirm/district/9999/2570/10/"):
        assert client.get(url).status_code == 404


# --- the page ----------------------------------------------------------------------------


def test_it_shows_the_batch_as_the_old_screen_did(client, officers, geography):
    make_rows(geography["mueang_cr"], 3, domestic=Decimal("1234.50"))
    client.force_login(officers["owner"])
    response = client.get(URL)
    html = response.content.decode()
    assert "ยืนยันข้อมูลยอดจำหน่ายสินค้า OTOP ประจำเดือน (ระดับอำเภอ)" in html
    for heading in ["ที่", "ชื่อกลุ่ม", "ประเภทผลิตภัณฑ์", "ประเภทกลุ่ม", "ในประเทศ", "ต่างประเทศ"]:
        assert f">{heading}<" in html
    assert "(ระดับอำเภอ)" in html and "(ระดับจังหวัด)" in html
    assert "ลำดับแถวที่แสดง" in html and ">1-100<" in html
    assert "กลุ่มผู้ผลิตชุมชน" in html and "อาหาร" in html
    assert html.count('name="tick"') == 3 and 'data-check-all="tick"' in html
    assert 'id="sum-total">3,703.50<' in html  # the batch's total at its foot
    assert 'id="save"' in html


def test_it_shows_rows_in_batches_of_100(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 250)
    client.force_login(officers["owner"])
    response = client.get(URL + "?batch=2")
    lines = response.context["lines"]
    assert [line["number"] for line in lines] == list(range(101, 201))
    assert [line["row"].pk for line in lines] == [r.pk for r in rows[100:200]]
    html = response.content.decode()
    assert ">1-100<" in html and ">101-200<" in html and ">201-300<" in html
    assert "แสดงแถวที่ 101-200 จากทั้งหมด 250 รายการ" in html
    assert len(client.get(URL + "?batch=3").context["lines"]) == 50
    assert client.get(URL + "?batch=9").context["batch"] == 3  # past the end: the last
    assert client.get(URL + "?batch=abc").context["batch"] == 1


def test_it_shows_last_months_total_and_marks_a_tenfold_jump_or_fall(client, officers, geography):
    district = geography["mueang_cr"]
    rows = make_rows(district, 4)  # 100.00 each this month
    last = [Decimal("10.00"), Decimal("1000.00"), Decimal("50.00"), None]
    for row, amount in zip(rows, last, strict=True):
        if amount is not None:
            MonthlySale.objects.create(
                producer=row.producer,
                district=district,
                product_type=row.product_type,
                fiscal_year=2569,
                month=9,
                domestic=amount,
            )
    client.force_login(officers["owner"])
    lines = client.get(URL).context["lines"]
    assert [line["last"] for line in lines] == last
    assert [line["change"] for line in lines] == ["up", "down", None, None]
    html = client.get(URL).content.decode()
    assert "เพิ่มขึ้น ≥ 10 เท่า" in html and "ลดลง ≥ 10 เท่า" in html
    assert "กันยายน 2569" in html  # the month compared with


def test_the_month_picker_goes_to_the_month_it_names(client, officers, geography):
    client.force_login(officers["owner"])
    response = client.get(URL + "?fy=2570&month=11&batch=3")
    assert response.status_code == 302
    assert response["Location"] == "/confirm/district/5701/2570/11/"
    response = client.get(URL + "?fy=2570&month=10&batch=2")
    assert response["Location"] == URL + "?batch=2"
    assert client.get(URL + "?fy=abc&month=10").status_code == 404


def test_the_department_sees_only_province_confirmed_rows(client, officers, geography):
    make_rows(geography["mueang_cr"], 2)
    make_rows(geography["mueang_cr"], 1, start=5, **confirmed(province=True))
    client.force_login(officers["department"])
    response = client.get(URL)
    assert [line["row"].producer.name for line in response.context["lines"]] == ["กลุ่มที่ 005"]
    assert "เห็นเฉพาะรายการที่จังหวัดยืนยันแล้ว" in response.content.decode()


# --- confirming --------------------------------------------------------------------------


def test_the_owner_confirms_ticked_rows(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 3)
    client.force_login(officers["owner"])
    response = client.post(URL, form(rows, ticked=rows[:2]), follow=True)
    assert response.redirect_chain[-1][0] == URL + "?saved=1"
    assert f"{SAVED}: ยืนยัน 2 รายการ" in response.content.decode()
    first, second, third = fresh(rows)
    assert first.district_confirmed_at == NOW and first.district_confirmed_by == officers["owner"]
    assert second.district_confirmed_at == NOW and second.version == 2
    assert third.district_confirmed_at is None and third.version == 1


def test_the_owner_withdraws_a_confirmation(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed())
    client.force_login(officers["owner"])
    response = client.post(URL, form(rows, ticked=rows[:1]), follow=True)
    assert "ยกเลิกการยืนยัน 1 รายการ" in response.content.decode()
    kept, withdrawn = fresh(rows)
    assert kept.district_confirmed_at is not None and kept.version == 1
    assert withdrawn.district_confirmed_at is None and withdrawn.district_confirmed_by is None
    assert withdrawn.version == 2


def test_a_colleague_of_the_district_may_confirm_too(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1)
    client.force_login(officers["colleague"])
    client.post(URL, form(rows, ticked=rows))
    assert fresh(rows)[0].district_confirmed_by == officers["colleague"]


def test_a_province_confirmed_row_cannot_be_withdrawn_by_the_district(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2, **confirmed(province=True))
    client.force_login(officers["owner"])
    html = client.get(URL).content.decode()
    # Its tick is shown disabled, and the page still posts it as ticked.
    assert html.count('name="tick"') == 2 and "disabled checked" in html
    assert client.post(URL, form(rows, ticked=rows)).status_code == 302
    response = client.post(URL, form(rows, ticked=rows[:1]))
    assert response.status_code == 200
    assert CANNOT_WITHDRAW in response.content.decode()
    assert response.context["lines"][1]["marked"]
    nothing_written(rows)


def test_saving_the_page_as_it_was_shown_keeps_everything(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1, **confirmed(province=True))
    rows += make_rows(geography["mueang_cr"], 1, start=1, **confirmed())
    rows += make_rows(geography["mueang_cr"], 1, start=2)
    client.force_login(officers["owner"])
    response = client.post(URL, form(rows, ticked=rows[:2]), follow=True)
    assert "ไม่มีรายการที่เปลี่ยนแปลง" in response.content.decode()
    nothing_written(rows)


# --- refused input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    [
        lambda data, rows, other: data.update(row=["abc:1"]),
        lambda data, rows, other: data.update(row=[f"{rows[0].pk}"]),
        lambda data, rows, other: data.update(tick=["1; DROP TABLE"]),
        lambda data, rows, other: data.update(tick=["๑"]),
        lambda data, rows, other: data.update(tick=["9" * 30]),
        lambda data, rows, other: data.update(batch="zero"),
        lambda data, rows, other: data.update(tick=[str(other.pk)]),  # ticked, not shown
        lambda data, rows, other: data.update(
            row=data["row"] + [f"{other.pk}:{other.version}"], tick=[str(other.pk)]
        ),
    ],
    ids=[
        "non-numeric id",
        "no version",
        "non-numeric tick",
        "thai digit",
        "huge id",
        "bad batch",
        "ticked not shown",
        "other district's row",
    ],
)
def test_malformed_or_foreign_input_is_refused_and_writes_nothing(
    client, officers, geography, tamper
):
    rows = make_rows(geography["mueang_cr"], 2)
    other = make_rows(geography["wiang_chai"], 1, start=10)[0]
    data = form(rows, ticked=rows)
    tamper(data, rows, other)
    client.force_login(officers["owner"])
    response = client.post(URL, data)
    assert response.status_code == 200
    assert FOREIGN in response.content.decode()
    nothing_written([*rows, other])


def test_a_row_of_another_month_is_refused(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 1)
    september = make_rows(geography["mueang_cr"], 1, fiscal_year=2569, month=9, start=5)
    client.force_login(officers["owner"])
    response = client.post(URL, form(rows + september, ticked=rows + september))
    assert FOREIGN in response.content.decode()
    nothing_written(rows + september)


def test_a_row_of_another_batch_is_refused(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 150)
    client.force_login(officers["owner"])
    # The page of batch 1, with a row of batch 2 slipped in.
    forged = rows[:100] + [rows[120]]
    response = client.post(URL, form(forged, ticked=forged, batch=1))
    assert FOREIGN in response.content.decode()
    nothing_written(rows)


def test_a_row_changed_after_the_page_loaded_is_refused(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 2)
    MonthlySale.objects.filter(pk=rows[1].pk).update(version=2, domestic=Decimal("5.00"))
    client.force_login(officers["owner"])
    response = client.post(URL, form(rows, ticked=rows))  # carries version 1 of both
    assert STALE in response.content.decode()
    assert [line["marked"] for line in response.context["lines"]] == [False, True]
    assert MonthlySale.objects.filter(district_confirmed_at__isnull=False).count() == 0
    assert not AuditEntry.objects.exists()


# --- the calendar ----------------------------------------------------------------------


def test_a_confirmation_on_the_7th_is_refused_with_423(client, officers, geography, monkeypatch):
    rows = make_rows(geography["mueang_cr"], 1)
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 11, 7, 9, tzinfo=BANGKOK))
    client.force_login(officers["owner"])
    html = client.get(URL).content.decode()
    assert 'id="lock-banner"' in html and 'id="save"' not in html
    response = client.post(URL, form(rows, ticked=rows))
    assert response.status_code == 423
    nothing_written(rows)


# --- cost --------------------------------------------------------------------------------


def test_a_batch_costs_the_same_queries_at_3_and_100_rows(
    client, officers, geography, django_assert_num_queries
):
    district = geography["mueang_cr"]
    client.force_login(officers["owner"])
    small = make_rows(district, 3, **confirmed())
    for row in small:  # a row last month for each, and a sent-back note, to show
        MonthlySale.objects.create(
            producer=row.producer, district=district, product_type="food", fiscal_year=2569, month=9
        )
    MonthlySale.objects.filter(pk=small[0].pk).update(
        district_confirmed_at=None, returned_at=NOW, returned_by=officers["province"]
    )
    with CaptureQueriesContext(connection) as at_3:
        assert client.get(URL).status_code == 200
    large = make_rows(district, 97, start=3, **confirmed())
    MonthlySale.objects.filter(pk=large[0].pk).update(
        district_confirmed_at=None, returned_at=NOW, returned_by=officers["province"]
    )
    with django_assert_num_queries(len(at_3.captured_queries)):
        response = client.get(URL)
    assert len(response.context["lines"]) == 100


def test_a_batch_renders_the_same_templates_at_3_and_100_rows(client, officers, geography):
    # A template per row (an {% include %}) was a quarter of the page's CPU under load.
    district = geography["mueang_cr"]
    client.force_login(officers["owner"])

    def templates_rendered():
        names = []

        def count(sender, template, **kwargs):
            names.append(template.name)

        template_rendered.connect(count)
        try:
            assert client.get(URL).status_code == 200
        finally:
            template_rendered.disconnect(count)
        return names

    small = make_rows(district, 3, **confirmed())
    for row in small:  # a row last month for each, so each row shows its history
        MonthlySale.objects.create(
            producer=row.producer, district=district, product_type="food", fiscal_year=2569, month=9
        )
    at_3 = templates_rendered()
    make_rows(district, 97, start=3)
    assert templates_rendered() == at_3


def test_confirming_costs_the_same_queries_at_3_and_100_rows(
    client, officers, geography, django_assert_num_queries
):
    district = geography["mueang_cr"]
    client.force_login(officers["owner"])
    small = make_rows(district, 3)
    with CaptureQueriesContext(connection) as at_3:
        assert client.post(URL, form(small, ticked=small)).status_code == 302
    MonthlySale.objects.all().delete()
    DistrictMonth.objects.all().delete()
    large = make_rows(district, 100, start=100)
    with django_assert_num_queries(len(at_3.captured_queries)):
        assert client.post(URL, form(large, ticked=large)).status_code == 302
    assert MonthlySale.objects.filter(district_confirmed_at=NOW).count() == 100

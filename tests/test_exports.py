"""The province's export detail report: /sales/exports/<province>/<fy>/<month>/."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from otopdoc.fiscal import BANGKOK
from sales.countries import COUNTRY_CHOICES, country_name
from sales.forms_exports import stamp_of
from sales.models import ExportDetail, MonthlySale, Producer, ProducerType, ProductType

# 20 November 2567 (2024), 10:00 in Bangkok: November of FY 2568, open for writing.
NOW = datetime.datetime(2024, 11, 20, 10, 0, tzinfo=BANGKOK)
FY, MONTH = 2568, 11
URL = reverse("sales-exports", args=["57", FY, MONTH])
SAVED = "บันทึกข้อมูลสมบูรณ์"


@pytest.fixture(autouse=True)
def november(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def producers(geography):
    def make(name, district):
        return Producer.objects.create(
            name=name, district=geography[district], producer_type=ProducerType.SME
        )

    return {
        "tea": make("กลุ่มชาอูหลง", "mueang_cr"),
        "silk": make("กลุ่มผ้าไหมเวียงชัย", "wiang_chai"),
        "coffee": make("กลุ่มกาแฟดอยช้าง", "mueang_cr"),
        "foreign": make("กลุ่มร่มบ่อสร้าง", "mueang_cm"),
    }


@pytest.fixture
def owner(client, officers):
    client.force_login(officers["province"])
    return client


def make_line(producer, value="1000.00", province="57", fiscal_year=FY, month=MONTH, **kw):
    fields = {"product": "ชาอูหลง", "country": "JP", "channel": "own", **kw}
    return ExportDetail.objects.create(
        province_id=province,
        fiscal_year=fiscal_year,
        month=month,
        producer=producer,
        value=Decimal(value),
        **fields,
    )


def line_data(producer=None, value="1,000.00", **kw):
    return {
        "producer": str(producer.pk) if producer else "",
        "product": "ชาอูหลง",
        "value": value,
        "country": "JP",
        "agency": "สำนักงานพัฒนาชุมชนจังหวัดเชียงราย",
        "channel": "own",
        **kw,
    }


def saved(line, **kw):
    """The form data of a saved line as the page shows it."""
    return {
        "id": str(line.pk),
        "stamp": stamp_of(line),
        "producer": str(line.producer_id),
        "product": line.product,
        "value": str(line.value),
        "country": line.country,
        "agency": line.agency,
        "channel": line.channel,
        **kw,
    }


def page(lines, initial=0):
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
    }
    for i, line in enumerate(lines):
        for key, value in line.items():
            if key == "DELETE":
                if value:
                    data[f"lines-{i}-DELETE"] = "on"
            else:
                data[f"lines-{i}-{key}"] = value
    return data


def sale(producer, export, month=MONTH, fiscal_year=FY, product_type=ProductType.FOOD):
    return MonthlySale.objects.create(
        producer=producer,
        district=producer.district,
        product_type=product_type,
        fiscal_year=fiscal_year,
        month=month,
        export=Decimal(export),
    )


# Access


def test_it_sends_anonymous_users_to_sign_in(client, geography):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_shows_the_owner_an_editable_report(owner, producers):
    response = owner.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "แบบรายงานข้อมูลการจำหน่ายผลิตภัณฑ์ OTOP ที่ส่งออกต่างประเทศ" in html
    assert "ประจำเดือนพฤศจิกายน 2567" in html
    assert 'id="add-line"' in html and 'id="save"' in html
    # The producer list sits once in the page, grouped by district, without other provinces.
    assert '<optgroup label="อำเภอเมืองเชียงราย">' in html
    assert '<optgroup label="อำเภอเวียงชัย">' in html
    assert "กลุ่มร่มบ่อสร้าง" not in html
    assert ">ญี่ปุ่น</option>" in html


@pytest.mark.parametrize("who", ["other_province", "owner", "neighbour", "outsider"])
def test_it_hides_the_report_from_outsiders(client, officers, producers, who):
    # District officers, even of province 57, are outsiders to the province's report.
    line = make_line(producers["tea"])
    client.force_login(officers[who])
    assert client.get(URL).status_code == 404
    response = client.post(URL, page([saved(line, value="5")], initial=1))
    assert response.status_code == 404
    line.refresh_from_db()
    assert line.value == Decimal("1000.00")


def test_it_hides_other_provinces_reports_from_the_owner(owner, geography):
    assert owner.get(reverse("sales-exports", args=["50", FY, MONTH])).status_code == 404
    assert owner.get(reverse("sales-exports", args=["99", FY, MONTH])).status_code == 404


def test_it_answers_404_for_a_month_that_does_not_exist(owner, geography):
    assert owner.get(reverse("sales-exports", args=["57", FY, 13])).status_code == 404
    assert owner.get(reverse("sales-exports", args=["57", 1999, 1])).status_code == 404


def test_it_shows_the_department_a_read_only_report(client, officers, producers):
    line = make_line(producers["tea"], value="2500", agency="พาณิชย์จังหวัด", country="CN")
    client.force_login(officers["department"])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "เปิดดูได้อย่างเดียว" in html
    assert "<input" not in html.split('id="export-check"')[1]
    assert "<select" not in html
    assert 'id="save"' not in html and 'id="add-line"' not in html
    assert "กลุ่มชาอูหลง" in html and "จีน" in html and "2,500.00" in html
    assert "พาณิชย์จังหวัด" in html and "จำหน่ายด้วยตนเอง" in html
    response = client.post(URL, page([saved(line, value="5")], initial=1))
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.value == Decimal("2500.00")


def test_it_refuses_methods_other_than_get_and_post(owner, geography):
    assert owner.put(URL).status_code == 405


# Saving


def test_it_saves_new_lines_and_reads_them_back(owner, officers, producers):
    data = page(
        [
            line_data(producers["tea"], "12,500.50"),
            line_data(producers["silk"], "๓,๐๐๐", product="ผ้าไหม", country="US", channel="website"),
        ]
    )
    response = owner.post(URL, data)
    assert response.status_code == 302 and response.url == URL
    lines = list(ExportDetail.objects.order_by("id"))
    assert [(x.producer, x.value, x.country, x.channel) for x in lines] == [
        (producers["tea"], Decimal("12500.50"), "JP", "own"),
        (producers["silk"], Decimal("3000.00"), "US", "website"),
    ]
    assert all(x.province_id == "57" and (x.fiscal_year, x.month) == (FY, MONTH) for x in lines)
    assert all(x.updated_by == officers["province"] for x in lines)
    response = owner.get(URL)
    html = response.content.decode()
    assert SAVED in html
    assert 'value="12,500.50"' in html and 'value="ผ้าไหม"' in html
    assert f'<option value="{producers["silk"].pk}" selected>กลุ่มผ้าไหมเวียงชัย</option>' in html
    assert '<option value="US" selected>สหรัฐอเมริกา</option>' in html


def test_it_skips_an_added_line_left_empty(owner, producers):
    data = page([line_data(producers["tea"]), {"producer": "", "product": "", "value": ""}])
    assert owner.post(URL, data).status_code == 302
    assert ExportDetail.objects.count() == 1


def test_it_updates_and_deletes_lines(owner, producers):
    keep = make_line(producers["tea"])
    drop = make_line(producers["coffee"], product="กาแฟคั่ว")
    untouched = make_line(producers["silk"], product="ผ้าไหม")
    other_month = make_line(producers["tea"], month=10)
    data = page(
        [
            saved(keep, value="2,000.25", country="KR", channel="agent"),
            saved(drop, DELETE=True),
            saved(untouched),
        ],
        initial=3,
    )
    assert owner.post(URL, data).status_code == 302
    keep.refresh_from_db()
    assert (keep.value, keep.country, keep.channel) == (Decimal("2000.25"), "KR", "agent")
    assert not ExportDetail.objects.filter(pk=drop.pk).exists()
    assert ExportDetail.objects.filter(pk__in=[untouched.pk, other_month.pk]).count() == 2


def test_it_deletes_a_line_even_if_its_fields_are_wrong(owner, producers):
    line = make_line(producers["tea"])
    data = page([saved(line, value="abc", product="", DELETE=True)], initial=1)
    assert owner.post(URL, data).status_code == 302
    assert not ExportDetail.objects.exists()


# Bad input: a Thai message by the field, nothing written, what was typed stays.


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "กรุณากรอกมูลค่าการส่งออก"),
        ("0", "มูลค่าการส่งออกต้องมากกว่า 0 บาท"),
        ("-5", "จำนวนเงินต้องไม่ติดลบ"),
        ("สามพัน", "กรุณากรอกเป็นตัวเลข"),
        ("1e5", "กรุณากรอกเป็นตัวเลข"),
        ("1,23", "กรุณากรอกเป็นตัวเลข"),
        ("10.555", "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
        ("1000000000000", "จำนวนเงินต้องไม่เกิน 999,999,999,999.99 บาท"),
    ],
)
def test_it_refuses_a_bad_value(owner, producers, value, message):
    good = line_data(producers["silk"], "500")
    response = owner.post(URL, page([good, line_data(producers["tea"], value)]))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "ยังไม่ได้บันทึก" in html
    if value:
        assert f'value="{value}"' in html
    assert not ExportDetail.objects.exists()


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("producer", "", "กรุณาเลือกผู้ผลิต ผู้ประกอบการ"),
        ("producer", "abc", "ไม่พบผู้ผลิตนี้ในอำเภอของจังหวัด"),
        ("product", "", "กรุณากรอกชื่อผลิตภัณฑ์"),
        ("product", "   ", "กรุณากรอกชื่อผลิตภัณฑ์"),
        ("product", "ก" * 201, "ชื่อผลิตภัณฑ์ยาวเกิน 200 ตัวอักษร"),
        ("country", "", "กรุณาเลือกประเทศที่ส่งออก"),
        ("country", "ZZ", "กรุณาเลือกประเทศจากรายชื่อ"),
        ("country", "TH", "กรุณาเลือกประเทศจากรายชื่อ"),
        ("channel", "", "กรุณาเลือกช่องทางการจำหน่าย"),
        ("channel", "post", "ช่องทางการจำหน่ายไม่ถูกต้อง"),
        ("agency", "ห" * 201, "ชื่อหน่วยงานยาวเกิน 200 ตัวอักษร"),
    ],
)
def test_it_refuses_a_bad_field(owner, producers, field, typed, message):
    data = page([{**line_data(producers["tea"]), field: typed}, line_data(producers["silk"])])
    response = owner.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExportDetail.objects.exists()


def test_it_keeps_what_was_typed_on_an_error(owner, producers):
    line = make_line(producers["tea"])
    data = page(
        [
            saved(line, DELETE=True),
            line_data(producers["silk"], "7,000", product="ผ้าไหมยกดอก", country=""),
        ],
        initial=1,
    )
    html = owner.post(URL, data).content.decode()
    assert ExportDetail.objects.filter(pk=line.pk).exists()
    assert '<tr data-line class="line-deleted' in html
    assert 'value="ผ้าไหมยกดอก"' in html and 'value="7,000"' in html
    assert f'<option value="{producers["silk"].pk}" selected>' in html
    assert 'data-dirty="1"' in html


def test_it_refuses_a_producer_of_another_province(owner, producers):
    data = page([line_data(producers["foreign"])])
    response = owner.post(URL, data)
    assert "ไม่พบผู้ผลิตนี้ในอำเภอของจังหวัด" in response.content.decode()
    assert not ExportDetail.objects.exists()


# Forged and stale lines: the whole page is refused.


@pytest.mark.parametrize(
    "where",
    [
        {"province": "50"},
        {"month": 10},
        {"fiscal_year": FY - 1},
    ],
)
@pytest.mark.parametrize("delete", [False, True])
def test_it_refuses_a_line_of_another_province_or_month(owner, producers, where, delete):
    mine = make_line(producers["tea"])
    theirs = make_line(producers["foreign"] if "province" in where else producers["tea"], **where)
    data = page(
        [
            saved(mine, value="1"),
            saved(theirs, value="2", DELETE=delete),
            line_data(producers["silk"]),
        ],
        initial=2,
    )
    response = owner.post(URL, data)
    assert response.status_code == 200
    assert "พบรายการที่ไม่ใช่ของจังหวัดเชียงราย เดือนพฤศจิกายน 2567" in response.content.decode()
    assert ExportDetail.objects.count() == 2
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.value, theirs.value) == (Decimal("1000.00"), Decimal("1000.00"))


@pytest.mark.parametrize("forged", ["999999", "abc", "DUPLICATE"])
def test_it_refuses_forged_line_ids(owner, producers, forged):
    mine = make_line(producers["tea"])
    other = saved(mine, value="3") if forged == "DUPLICATE" else {**saved(mine), "id": forged}
    data = page([saved(mine, value="1"), other], initial=2)
    response = owner.post(URL, data)
    assert "พบรายการที่ไม่ใช่ของจังหวัดเชียงราย" in response.content.decode()
    mine.refresh_from_db()
    assert mine.value == Decimal("1000.00")
    assert ExportDetail.objects.count() == 1


def test_it_refuses_a_page_without_its_management_form(owner, producers):
    response = owner.post(URL, {"lines-0-producer": str(producers["tea"].pk)})
    assert "แบบฟอร์มไม่ครบถ้วน ระบบจึงไม่บันทึกข้อมูลใด ๆ" in response.content.decode()
    assert not ExportDetail.objects.exists()


def test_it_refuses_more_lines_than_a_month_holds(owner, producers):
    data = {**page([line_data(producers["tea"])]), "lines-TOTAL_FORMS": "501"}
    response = owner.post(URL, data)
    assert "บันทึกได้ไม่เกิน 500 รายการต่อเดือน" in response.content.decode()
    assert not ExportDetail.objects.exists()


def test_it_refuses_a_page_saved_by_someone_else_since_it_was_opened(owner, producers):
    line = make_line(producers["tea"])
    data = page([saved(line, value="1")], initial=1)
    ExportDetail.objects.filter(pk=line.pk).update(
        value=Decimal("9"), updated_at=NOW + datetime.timedelta(seconds=1)
    )
    response = owner.post(URL, data)
    assert "มีผู้บันทึกแบบรายงานนี้หลังจากที่คุณเปิดหน้านี้" in response.content.decode()
    line.refresh_from_db()
    assert line.value == Decimal("9.00")


# The calendar lock


def test_it_is_read_only_while_the_department_compiles(owner, producers, monkeypatch):
    line = make_line(producers["tea"])
    monkeypatch.setattr(timezone, "now", lambda: NOW.replace(day=7))
    html = owner.get(URL).content.decode()
    assert 'id="lock-banner"' in html and 'id="save"' not in html
    response = owner.post(URL, page([saved(line, value="1")], initial=1))
    assert response.status_code in (403, 423)
    line.refresh_from_db()
    assert line.value == Decimal("1000.00")


# The check against the monthly rows


def test_it_says_the_report_agrees_with_the_monthly_export_sales(owner, producers):
    sale(producers["tea"], "1000")
    sale(producers["silk"], "500.50")
    make_line(producers["tea"], value="600")
    make_line(producers["tea"], value="400")
    make_line(producers["silk"], value="500.50")
    html = owner.get(URL).content.decode()
    assert "ตรงกัน" in html
    assert "ไม่ตรงกับ" not in html
    assert "1,500.50" in html


def test_it_warns_with_the_difference_when_the_report_does_not_agree(owner, producers):
    sale(producers["tea"], "1000")
    sale(producers["tea"], "234", product_type=ProductType.BEVERAGE)
    sale(producers["silk"], "1000")
    sale(producers["tea"], "77777", month=10)  # another month
    sale(producers["foreign"], "88888")  # another province
    make_line(producers["tea"], value="1000")
    html = owner.get(URL).content.decode()
    assert (
        "ยอดส่งออกในแบบรายงานไม่ตรงกับยอดจำหน่ายต่างประเทศในระบบ ต่างกัน <strong>1,234.00</strong> บาท"
        in html
    )
    assert "แบบรายงานยังขาดอยู่ 1,234.00 บาท" in html
    assert "2,234.00" in html  # the system's total
    assert "77,777" not in html and "88,888" not in html


def test_it_says_when_the_report_has_more_than_the_system(owner, producers):
    sale(producers["tea"], "100")
    make_line(producers["tea"], value="150")
    html = owner.get(URL).content.decode()
    assert "ต่างกัน <strong>50.00</strong> บาท" in html
    assert "แบบรายงานมากกว่ายอดในระบบ 50.00 บาท" in html


# Cost: the same number of queries whatever the number of lines


def _fill(producers, count, month=MONTH):
    people = [producers["tea"], producers["silk"], producers["coffee"]]
    for i in range(count):
        make_line(people[i % 3], value=str(100 + i), month=month)
        sale(people[i % 3], str(100 + i), month=month, product_type=list(ProductType)[i % 5])


def _edit_page(lines, new_producer):
    forms = [saved(line, value=str(line.value + 1)) for line in lines]
    forms[0]["DELETE"] = True
    return page([*forms, line_data(new_producer)], initial=len(lines))


def test_it_reads_the_page_in_a_fixed_number_of_queries(
    owner, producers, django_assert_num_queries
):
    _fill(producers, 3)
    with CaptureQueriesContext(connection) as small:
        assert owner.get(URL).status_code == 200
    ExportDetail.objects.all().delete()
    MonthlySale.objects.all().delete()
    _fill(producers, 15)  # the unique (producer, type, month) allows 15 sales
    for _ in range(25):
        make_line(producers["tea"], value="1")
    with django_assert_num_queries(len(small)):
        assert owner.get(URL).status_code == 200


def test_it_saves_the_page_in_a_fixed_number_of_queries(
    owner, producers, django_assert_num_queries
):
    for i in range(3):
        make_line(producers["tea"], value=str(i + 1))
    data = _edit_page(list(ExportDetail.objects.all()), producers["silk"])
    with CaptureQueriesContext(connection) as small:
        assert owner.post(URL, data).status_code == 302
    ExportDetail.objects.all().delete()
    for i in range(40):
        make_line(producers["coffee"], value=str(i + 1))
    lines = list(ExportDetail.objects.all())
    data = _edit_page(lines, producers["silk"])
    with django_assert_num_queries(len(small)):
        assert owner.post(URL, data).status_code == 302
    assert ExportDetail.objects.count() == 40
    assert ExportDetail.objects.get(pk=lines[1].pk).value == Decimal("3.00")


def test_the_department_reads_in_a_fixed_number_of_queries(
    client, officers, producers, django_assert_num_queries
):
    client.force_login(officers["department"])
    _fill(producers, 3)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for _ in range(40):
        make_line(producers["coffee"], value="1")
    with django_assert_num_queries(len(small)):
        assert client.get(URL).status_code == 200


def test_a_line_renders_only_its_chosen_producer(owner, producers):
    """The full list is in the page once; each select carries only its choice."""
    for i in range(40):
        Producer.objects.create(
            name=f"ผู้ผลิต {i}",
            district=producers["tea"].district,
            producer_type=ProducerType.SME,
        )
    for _ in range(20):
        make_line(producers["tea"])
    html = owner.get(URL).content.decode()
    assert html.count(">ผู้ผลิต 7</option>") == 1
    assert html.count(">ญี่ปุ่น</option>") == 1 + 20


# The list of countries


def test_the_countries_are_iso_codes_with_thai_names():
    codes = [code for code, _ in COUNTRY_CHOICES]
    assert len(codes) == len(set(codes)) > 240
    assert all(len(code) == 2 and code.isupper() for code in codes)
    assert "TH" not in codes
    assert country_name("JP") == "ญี่ปุ่น"
    assert country_name("LA") == "ลาว"
    assert country_name("QQ") == "QQ"
    names = [name for _, name in COUNTRY_CHOICES]
    # Thai order: เกาหลีใต้ sits with the ก words, before จีน.
    assert names.index("เกาหลีใต้") < names.index("จีน")


def test_the_department_checks_against_province_confirmed_rows_only(client, officers, producers):
    confirmed = sale(producers["tea"], "1000")
    confirmed.district_confirmed_at = confirmed.province_confirmed_at = timezone.now()
    confirmed.save()
    sale(producers["tea"], "500", product_type=ProductType.HERB)  # not confirmed yet
    client.force_login(officers["department"])
    assert client.get(URL).context["check"].in_system == Decimal("1000.00")
    client.force_login(officers["province"])
    assert client.get(URL).context["check"].in_system == Decimal("1500.00")

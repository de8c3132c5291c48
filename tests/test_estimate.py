"""The estimate form (แบบประมาณการรายได้): who may open and save it, and what it accepts."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import expect

from otopdoc import fiscal
from otopdoc.fiscal import BANGKOK, FISCAL_ORDER
from sales.fields import AmountField
from sales.models import Estimate, EstimateMonth
from tests.conftest import PASSWORD

URL = "/sales/5701/2562/estimate/"
SAVED = "บันทึกข้อมูลสมบูรณ์"
NOT_A_NUMBER = "กรุณากรอกเป็นตัวเลข"
NEGATIVE = "จำนวนเงินต้องไม่ติดลบ"
TOO_MANY_DECIMALS = "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"
TOO_LARGE = "จำนวนเงินต้องไม่เกิน 999,999,999,999.99 บาท"
LABELS = [
    "ตุลาคม 2561",
    "พฤศจิกายน 2561",
    "ธันวาคม 2561",
    "มกราคม 2562",
    "กุมภาพันธ์ 2562",
    "มีนาคม 2562",
    "เมษายน 2562",
    "พฤษภาคม 2562",
    "มิถุนายน 2562",
    "กรกฎาคม 2562",
    "สิงหาคม 2562",
    "กันยายน 2562",
]


def at(day, hour=10):
    return datetime.datetime(2026, 11, day, hour, tzinfo=BANGKOK)


@pytest.fixture(autouse=True)
def system_open(monkeypatch):
    """Run on the 15th, when the calendar lets districts write (not the 6th to 9th)."""
    monkeypatch.setattr(fiscal, "now", lambda: at(15))


def form_data(**amounts):
    """Return a whole POST of the form: blank amounts unless given, and a certifier."""
    data = {f"{column}_{month}": "" for month in FISCAL_ORDER for column in ("domestic", "export")}
    data.update(certifier_name="นายสมชาย ใจดี", certifier_position="พัฒนาการอำเภอเมืองเชียงราย")
    data.update(amounts)
    return data


def save_estimate(district, user, months=12, amount=Decimal("100.00")):
    estimate = Estimate.objects.create(
        district=district, fiscal_year=2562, certifier_name="นางสาวเดิม", updated_by=user
    )
    EstimateMonth.objects.bulk_create(
        EstimateMonth(estimate=estimate, month=month, domestic=amount, export=Decimal("1.00"))
        for month in FISCAL_ORDER[:months]
    )
    return estimate


def saved_amounts():
    return {
        (m.month, column): getattr(m, column)
        for m in EstimateMonth.objects.all()
        for column in ("domestic", "export")
    }


# Who may open and save it


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_strangers_to_sign_in(client, geography, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["neighbour", "outsider", "other_province"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_hides_the_district_from_outsiders(client, officers, who, method):
    client.force_login(officers[who])
    response = getattr(client, method)(URL, form_data(domestic_10="5"))
    assert response.status_code == 404
    assert not Estimate.objects.exists()


@pytest.mark.parametrize("who", ["province", "department"])
def test_it_shows_the_province_and_department_a_read_only_page(client, officers, who):
    save_estimate(officers["owner"].officer.district, officers["owner"], amount=Decimal("1234.5"))
    client.force_login(officers[who])

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="domestic_10"' not in html
    assert 'id="save"' not in html
    assert "ได้อย่างเดียว" in html
    assert "1,234.50" in html
    assert "นางสาวเดิม" in html


@pytest.mark.parametrize("who", ["province", "department"])
def test_it_refuses_a_save_by_the_province_or_department(client, officers, who):
    client.force_login(officers[who])
    response = client.post(URL, form_data(domestic_10="5"))
    assert response.status_code == 403
    assert not Estimate.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_it_answers_only_get_and_post(client, officers, method):
    client.force_login(officers["owner"])
    assert getattr(client, method)(URL).status_code == 405


@pytest.mark.parametrize("path", ["/sales/5701/2549/estimate/", "/sales/5701/2701/estimate/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_fiscal_year_out_of_range_is_404(client, officers, path, method):
    client.force_login(officers["owner"])
    assert getattr(client, method)(path, form_data()).status_code == 404
    assert not Estimate.objects.exists()


def test_an_unknown_district_is_404(client, officers):
    client.force_login(officers["department"])
    assert client.get("/sales/9999/2562/estimate/").status_code == 404


# The page


def test_it_shows_the_owner_the_twelve_months_in_fiscal_order(client, officers):
    client.force_login(officers["owner"])

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    body = html[html.index("<tbody>") :]
    positions = [body.index(label) for label in LABELS]
    assert positions == sorted(positions)
    for month in FISCAL_ORDER:
        assert f'name="domestic_{month}"' in html
        assert f'name="export_{month}"' in html
    assert 'name="certifier_name"' in html
    assert 'id="save"' in html
    assert "js/estimate.js" in html
    assert [row["month"].label for row in response.context["rows"]] == LABELS


def test_it_prefills_what_was_saved(client, officers):
    save_estimate(officers["owner"].officer.district, officers["owner"], amount=Decimal("1234.5"))
    client.force_login(officers["owner"])

    html = client.get(URL).content.decode()

    assert 'value="1,234.50"' in html
    assert 'value="นางสาวเดิม"' in html


# Saving


def test_the_owner_saves_and_sees_the_values_back(client, officers):
    client.force_login(officers["owner"])

    response = client.post(
        URL,
        form_data(domestic_10="1,234.50", export_10="๑๐๐", domestic_9="0.05", export_3=""),
    )

    assert response.status_code == 302
    assert response["Location"] == URL
    estimate = Estimate.objects.get()
    assert estimate.district_id == "5701"
    assert estimate.fiscal_year == 2562
    assert estimate.updated_by == officers["owner"]
    assert estimate.certifier_name == "นายสมชาย ใจดี"
    assert estimate.certifier_position == "พัฒนาการอำเภอเมืองเชียงราย"
    months = {m.month: m for m in estimate.months.all()}
    assert sorted(months) == list(range(1, 13))
    assert months[10].domestic == Decimal("1234.50")
    assert months[10].export == Decimal("100.00")
    assert months[9].domestic == Decimal("0.05")
    assert months[3].export == Decimal("0.00")

    page = client.get(URL)
    html = page.content.decode()
    assert SAVED in html
    assert 'value="1,234.50"' in html
    assert 'value="100.00"' in html
    assert "1,334.50" in html  # ตุลาคม's total
    assert "1,334.55" in html  # the year's total


def test_a_colleague_in_the_district_may_save_too(client, officers):
    client.force_login(officers["colleague"])
    assert client.post(URL, form_data(domestic_11="7")).status_code == 302
    assert Estimate.objects.get().updated_by == officers["colleague"]


def test_saving_again_updates_the_same_estimate(client, officers):
    client.force_login(officers["owner"])
    client.post(URL, form_data(domestic_10="1", export_1="2"))
    client.force_login(officers["colleague"])

    client.post(URL, form_data(domestic_10="3", certifier_name="นางใหม่"))

    estimate = Estimate.objects.get()
    assert estimate.certifier_name == "นางใหม่"
    assert estimate.updated_by == officers["colleague"]
    assert EstimateMonth.objects.count() == 12
    assert saved_amounts()[(10, "domestic")] == Decimal("3.00")
    assert saved_amounts()[(1, "export")] == Decimal("0.00")


def test_it_adds_the_totals_exactly_in_decimal(client, officers):
    client.force_login(officers["owner"])
    client.post(
        URL, form_data(domestic_10="0.10", export_10="0.20", domestic_11="999,999,999,999.99")
    )

    response = client.get(URL)

    october = response.context["rows"][0]
    assert october["total"] == Decimal("0.30")
    assert isinstance(october["total"], Decimal)
    totals = response.context["totals"]
    assert totals["domestic_amount"] == Decimal("1000000000000.09")
    assert totals["export_amount"] == Decimal("0.20")
    assert totals["total"] == Decimal("1000000000000.29")
    assert "1,000,000,000,000.29" in response.content.decode()


def test_it_keeps_each_district_and_year_apart(client, officers, geography):
    save_estimate(geography["wiang_chai"], officers["neighbour"], amount=Decimal("999"))
    client.force_login(officers["owner"])

    client.post(URL, form_data(domestic_10="1"))
    client.post("/sales/5701/2563/estimate/", form_data(domestic_10="2"))

    assert Estimate.objects.count() == 3
    neighbour = Estimate.objects.get(district="5702")
    assert neighbour.months.get(month=10).domestic == Decimal("999.00")
    html = client.get(URL).content.decode()
    assert "999.00" not in html


# Bad input


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", NOT_A_NUMBER),
        ("12,34", NOT_A_NUMBER),
        ("1e5", NOT_A_NUMBER),
        ("-1", NEGATIVE),
        ("1.234", TOO_MANY_DECIMALS),
        ("1,000,000,000,000", TOO_LARGE),
    ],
)
def test_a_bad_amount_gets_its_thai_message_and_writes_nothing(client, officers, typed, message):
    client.force_login(officers["owner"])

    response = client.post(URL, form_data(domestic_10="5", export_12=typed))

    assert response.status_code == 200
    assert not Estimate.objects.exists()
    assert not EstimateMonth.objects.exists()
    form = response.context["form"]
    assert form.errors["export_12"] == [message]
    html = response.content.decode()
    assert message in html
    assert f'value="{typed}"' in html  # what the officer typed comes back
    assert 'value="5"' in html
    assert "ยังไม่ได้บันทึก" in html
    assert SAVED not in html


@pytest.mark.parametrize("typed", ["abc", "-1", "1.234", "1,000,000,000,000"])
def test_a_bad_amount_leaves_the_saved_estimate_as_it_was(client, officers, typed):
    owner = officers["owner"]
    estimate = save_estimate(owner.officer.district, owner)
    before = saved_amounts()
    client.force_login(owner)

    response = client.post(URL, form_data(domestic_10="5", domestic_1=typed))

    assert response.status_code == 200
    assert saved_amounts() == before
    estimate.refresh_from_db()
    assert estimate.certifier_name == "นางสาวเดิม"


def test_a_too_long_certifier_name_is_refused(client, officers):
    client.force_login(officers["owner"])
    response = client.post(URL, form_data(certifier_name="ก" * 201))
    assert response.status_code == 200
    assert "ชื่อยาวได้ไม่เกิน 200 ตัวอักษร" in response.content.decode()
    assert not Estimate.objects.exists()


def test_it_refuses_to_overwrite_a_save_made_after_the_page_was_opened(client, officers):
    owner, colleague = officers["owner"], officers["colleague"]
    client.force_login(owner)
    opened = client.get(URL).context["version"]
    assert opened == ""
    client.force_login(colleague)
    client.post(URL, form_data(domestic_10="111"))
    client.force_login(owner)

    response = client.post(URL, form_data(domestic_10="222", version=opened))

    assert response.status_code == 200
    html = response.content.decode()
    assert "ระหว่างที่ท่านแก้ไข" in html
    assert "d5701b" in html
    assert 'value="222"' in html
    assert saved_amounts()[(10, "domestic")] == Decimal("111.00")

    # Pressing save again, knowingly, saves over the colleague's figures.
    again = client.post(URL, form_data(domestic_10="222", version=response.context["version"]))
    assert again.status_code == 302
    assert saved_amounts()[(10, "domestic")] == Decimal("222.00")


def test_it_refuses_saves_while_the_department_compiles(client, officers, monkeypatch):
    monkeypatch.setattr(fiscal, "now", lambda: at(7))
    client.force_login(officers["owner"])

    page = client.get(URL)
    response = client.post(URL, form_data(domestic_10="5"))

    assert page.status_code == 200
    assert 'id="lock-banner"' in page.content.decode()
    assert response.status_code == 423
    assert not Estimate.objects.exists()


# Cost


def count_queries(client, method, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(URL, data)
    assert response.status_code in (200, 302)
    return len(queries)


def test_the_page_costs_the_same_queries_whatever_it_holds(
    client, officers, django_assert_num_queries
):
    owner = officers["owner"]
    client.force_login(owner)
    client.get(URL)  # warm the session
    nothing = count_queries(client, "get")
    estimate = save_estimate(owner.officer.district, owner, months=0)
    empty = count_queries(client, "get")
    EstimateMonth.objects.bulk_create(
        EstimateMonth(estimate=estimate, month=month, domestic=Decimal("5"))
        for month in range(1, 13)
    )

    with django_assert_num_queries(empty):
        client.get(URL)
    assert nothing == empty


def test_a_save_costs_the_same_queries_whatever_it_writes(
    client, officers, django_assert_num_queries
):
    client.force_login(officers["owner"])
    client.get(URL)
    first = count_queries(client, "post", form_data())
    full = form_data(**{f"domestic_{m}": "1,000.25" for m in FISCAL_ORDER})

    with django_assert_num_queries(first):
        client.post(URL, full)
    assert len(saved_amounts()) == 24


# The field


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1,234.50", Decimal("1234.50")),
        ("1234.5", Decimal("1234.50")),
        ("1,234,567", Decimal("1234567.00")),
        ("๑,๒๓๔.๕๐", Decimal("1234.50")),
        ("๐.๐๕", Decimal("0.05")),
        ("  42  ", Decimal("42.00")),
        ("12.500", Decimal("12.50")),
        (".5", Decimal("0.50")),
        ("999,999,999,999.99", Decimal("999999999999.99")),
        ("", Decimal("0.00")),
        ("   ", Decimal("0.00")),
        (None, Decimal("0.00")),
        (Decimal("7.1"), Decimal("7.10")),
    ],
)
def test_amount_field_reads_amounts_as_officers_type_them(typed, amount):
    cleaned = AmountField().clean(typed)
    assert cleaned == amount
    assert isinstance(cleaned, Decimal)
    assert cleaned.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", NOT_A_NUMBER),
        ("12a", NOT_A_NUMBER),
        ("1,23", NOT_A_NUMBER),
        ("1,2345", NOT_A_NUMBER),
        ("1.2.3", NOT_A_NUMBER),
        ("1e5", NOT_A_NUMBER),
        ("NaN", NOT_A_NUMBER),
        ("Infinity", NOT_A_NUMBER),
        ("-", NOT_A_NUMBER),
        (".", NOT_A_NUMBER),
        ("-0.01", NEGATIVE),
        ("−5", NEGATIVE),  # the typographic minus of a pasted spreadsheet
        ("1.001", TOO_MANY_DECIMALS),
        ("๑.๒๓๔", TOO_MANY_DECIMALS),
        ("1,000,000,000,000.00", TOO_LARGE),
        ("1" * 40, TOO_LARGE),
    ],
)
def test_amount_field_refuses_with_a_thai_message(typed, message):
    with pytest.raises(forms.ValidationError) as refused:
        AmountField().clean(typed)
    assert refused.value.messages == [message]


def test_amount_field_gives_every_message_that_applies():
    with pytest.raises(forms.ValidationError) as refused:
        AmountField().clean("-1.234")
    assert refused.value.messages == [NEGATIVE, TOO_MANY_DECIMALS]


def test_amount_field_reads_minus_zero_as_zero():
    cleaned = AmountField().clean("-0")
    assert cleaned == Decimal("0.00")
    assert not cleaned.is_signed()


def test_amount_field_can_be_required_and_can_keep_blank_as_none():
    with pytest.raises(forms.ValidationError) as refused:
        AmountField(required=True).clean("")
    assert refused.value.messages == ["กรุณากรอกจำนวนเงิน"]
    assert AmountField(empty_value=None).clean("") is None


def test_amount_field_states_a_smaller_limit_with_separators():
    with pytest.raises(forms.ValidationError) as refused:
        AmountField(max_value=Decimal("1000000")).clean("1000000.01")
    assert refused.value.messages == ["จำนวนเงินต้องไม่เกิน 1,000,000.00 บาท"]


def test_amount_field_refuses_floats_outright():
    with pytest.raises(TypeError):
        AmountField().clean(0.1)


def test_amount_field_shows_saved_amounts_with_separators_and_typed_text_as_typed():
    class Form(forms.Form):
        amount = AmountField()

    assert 'value="1,234,567.50"' in str(Form(initial={"amount": Decimal("1234567.5")})["amount"])
    assert 'value="12,34"' in str(Form({"amount": "12,34"})["amount"])
    assert 'inputmode="decimal"' in str(Form()["amount"])


# In a real browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_adds_up_as_the_officer_types_and_warns_only_before_losing_work(
    page, live_server, officers, screenshot_dir
):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้").fill("d5701")
    page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.goto(f"{live_server.url}{URL}")

    page.get_by_label("ตุลาคม 2561 ภายในประเทศ (บาท)").fill("1234.5")
    page.get_by_label("ตุลาคม 2561 ส่งออกต่างประเทศ (บาท)").fill("๑,๐๐๐")
    page.get_by_label("กันยายน 2562 ภายในประเทศ (บาท)").fill("0.1")
    page.get_by_label("มกราคม 2562 ภายในประเทศ (บาท)").fill("1.234")
    page.get_by_label("มกราคม 2562 ภายในประเทศ (บาท)").blur()

    expect(page.locator("tr[data-month='10'] [data-total]")).to_have_text("2,234.50")
    expect(page.get_by_label("ตุลาคม 2561 ภายในประเทศ (บาท)")).to_have_value("1,234.50")
    expect(page.locator("tr[data-month='1'] .invalid-feedback")).to_have_text(TOO_MANY_DECIMALS)
    expect(page.locator("[data-sum='domestic']")).to_have_text("–")
    page.get_by_label("มกราคม 2562 ภายในประเทศ (บาท)").fill("")
    expect(page.locator("[data-sum='total']")).to_have_text("2,234.60")
    page.screenshot(path=screenshot_dir / "estimate-typed.png", full_page=True)

    page.get_by_role("link", name="อำเภอเมืองเชียงราย").click()  # unsaved: the browser asks
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(f"{live_server.url}{URL}")

    page.get_by_role("button", name="บันทึก").click()
    expect(page.get_by_text(SAVED)).to_be_visible()
    assert dialogs == ["beforeunload"]  # saving does not ask
    assert EstimateMonth.objects.get(month=9).domestic == Decimal("0.10")
    page.get_by_role("link", name="อำเภอเมืองเชียงราย").click()
    expect(page).to_have_url(f"{live_server.url}/district/5701/?fy=2562")
    assert dialogs == ["beforeunload"]

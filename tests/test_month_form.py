"""The entry page's month checked in one pass (sales.forms.MonthForm), issue 16 point 2.

MonthForm replaced a formset of one SaleRowForm per row. It must say exactly what that
formset said, by the same fields and rows: the formset is kept here, as it was, as the
reference, and Hypothesis posts the fuzz tests' pages (tests/test_fuzz_inputs.py) to both.
Then one test per kind of error, and one that no form is built per row.
"""

from decimal import Decimal

import pytest
from django import forms
from django.forms import formset_factory
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from sales.fields import CONTROL_MESSAGE
from sales.forms import (
    BROKEN_PAGE,
    DUPLICATES,
    FOREIGN_ROW,
    MAX_ROWS,
    MIXED_PRODUCER_TYPES,
    NO_AMOUNTS,
    NOTHING_TO_SAVE,
    PROVINCE_LOCKED,
    TOO_MANY_ROWS,
    MonthForm,
    SaleRowForm,
    _row_changed,
)
from sales.models import MonthlySale, ProductType
from sales.services import month_revision
from tests.fuzz_support import MONTH, NOW, base_month, client_of
from tests.test_fuzz_inputs import entry_data, entry_posts

ENTRY = "/sales/5701/2570/11/"


@pytest.fixture(autouse=True)
def open_day(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def month(geography, officers):
    """The fuzz tests' month: one entered row, one district-, one province-confirmed."""
    base = base_month(geography, officers)
    sales = MonthlySale.objects.for_month(geography["mueang_cr"], MONTH).select_related("producer")
    existing = {sale.pk: sale for sale in sales}
    return {**base, "existing": existing, "by_name": {s.producer.name: s for s in sales}}


# --- the formset MonthForm replaced, kept as the reference --------------------------------


class ReferenceFormSet(forms.BaseFormSet):
    """sales.forms.BaseSaleRowFormSet as it was before issue 16, but for two messages.

    Django's own messages for a broken management form and too many rows were English;
    MonthForm says them in Thai, with the same codes.
    """

    def __init__(self, *args, existing=None, **kwargs):
        self.existing = existing or {}
        super().__init__(*args, **kwargs)

    def clean(self):
        self._check_ids()
        if not any(self.errors):
            self._check_not_empty()
        seen, producer_types, problems = {}, {}, 0
        for number, form in enumerate(self.forms, start=1):
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form):
                continue
            name, product_type, producer_type = (
                data.get("name"),
                data.get("product_type"),
                data.get("producer_type"),
            )
            if not name:
                continue
            key = (name.casefold(), product_type)
            if product_type and key in seen:
                problems += 1
                form.add_error(
                    "name",
                    f"ผู้ผลิตนี้มีรายการประเภท{ProductType(product_type).label}"
                    f"แล้วในเดือนนี้ (แถวที่ {seen[key]}) รวมยอดไว้ในแถวเดียว",
                )
            if product_type:
                seen.setdefault(key, number)
            if not producer_type:
                continue
            if producer_types.setdefault(name.casefold(), producer_type) != producer_type:
                problems += 1
                form.add_error("producer_type", "ผู้ผลิตรายเดียวกันต้องมีประเภทกลุ่มเดียวกันทุกแถว")
        if problems:
            raise forms.ValidationError(
                "มีรายการซ้ำหรือประเภทกลุ่มไม่ตรงกัน กรุณาแก้ไขแถวที่มีข้อความสีแดง",
                code="rows",
            )

    def _check_not_empty(self):
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and (not self._should_delete_form(form) or data.get("id")):
                return
        raise forms.ValidationError("ไม่มีรายการให้บันทึก กรุณากรอกอย่างน้อยหนึ่งรายการ", code="empty")

    def _check_ids(self):
        locked, seen = 0, set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            row_id = data.get("id")
            if row_id is None:
                continue
            row = self.existing.get(row_id)
            if row is None or row_id in seen:
                raise forms.ValidationError(
                    "พบรายการที่ไม่ใช่ของอำเภอและเดือนนี้ในแบบฟอร์ม ระบบจึงไม่บันทึกข้อมูลใด ๆ กรุณาโหลดหน้าใหม่",
                    code="foreign_row",
                )
            seen.add(row_id)
            if row.province_confirmed_at and (
                self._should_delete_form(form) or _row_changed(row, data)
            ):
                locked += 1
                form.add_error(None, "รายการนี้จังหวัดยืนยันแล้ว แก้ไขหรือลบไม่ได้ หากต้องแก้ไขโปรดติดต่อจังหวัด")
        if locked:
            raise forms.ValidationError(
                "รายการนี้จังหวัดยืนยันแล้ว แก้ไขหรือลบไม่ได้ หากต้องแก้ไขโปรดติดต่อจังหวัด",
                code="province_confirmed",
            )


Reference = formset_factory(
    SaleRowForm,
    formset=ReferenceFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)
TRANSLATED = ("missing_management_form", "too_many_forms")


def said_by_reference(data, existing):
    """Return everything the old formset said of `data`, as said_by_month_form does."""
    formset = Reference(data, prefix="rows", existing=existing)
    valid = formset.is_valid()
    outcome = {
        "valid": valid,
        "rows": [
            (
                {name: form[name].data for name in SaleRowForm.base_fields},
                bool(form["DELETE"].data),
                [(field, list(messages)) for field, messages in form.errors.items()],
                form.cleaned_data,
            )
            for form in formset.forms
        ],
        "page": [
            (error.code, None if error.code in TRANSLATED else error.messages)
            for error in formset.non_form_errors().as_data()
        ],
    }
    if valid:
        deleted = formset.deleted_forms
        outcome["kept"] = [
            f.cleaned_data for f in formset.forms if f not in deleted and f.cleaned_data
        ]
        outcome["deleted"] = {
            f.cleaned_data["id"]: f.cleaned_data.get("version")
            for f in deleted
            if f.cleaned_data.get("id")
        }
    return outcome


def said_by_month_form(data, existing):
    month_form = MonthForm(data, existing=existing)
    valid = month_form.is_valid()
    outcome = {
        "valid": valid,
        "rows": [
            (
                {name: row.data[name] for name in SaleRowForm.base_fields},
                bool(row.data["DELETE"]),
                [(field, list(messages)) for field, messages in row.errors.items()],
                row.cleaned_data,
            )
            for row in month_form.rows
        ],
        "page": [
            (error.code, None if error.code in TRANSLATED else error.messages)
            for error in month_form.page_errors.as_data()
        ],
    }
    if valid:
        outcome["kept"] = month_form.kept_rows()
        outcome["deleted"] = month_form.deleted_ids()
    return outcome


def test_it_says_what_the_formset_said_of_any_page(month, geography):
    versions = dict(MonthlySale.objects.values_list("pk", "version"))
    revision = month_revision(geography["mueang_cr"], MONTH)
    kinds = set()

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(drawn=entry_posts(month["ids"], month["foreign"]))
    def run(drawn):
        data = entry_data(drawn, versions, revision)
        expected = said_by_reference(data, month["existing"])
        assert said_by_month_form(data, month["existing"]) == expected
        kinds.update(code for code, _ in expected["page"])
        kinds.add("valid" if expected["valid"] else "invalid")

    run()
    # The examples reached the page's refusals, not only its fields.
    assert {"valid", "invalid", "foreign_row"} <= kinds


# --- each kind of error, by its field -----------------------------------------------------


def page(*rows, total=None, initial="0"):
    """Return the entry page's POST of `rows` (dicts of cells), new rows by default."""
    data = {"rows-TOTAL_FORMS": str(len(rows) if total is None else total)}
    data["rows-INITIAL_FORMS"] = initial
    for index, row in enumerate(rows):
        cells = {"id": "", "version": "", "name": "กลุ่มหนึ่ง", "product_type": "food"}
        cells |= {"producer_type": "group", "domestic": "100", "export": "0", **row}
        data |= {f"rows-{index}-{key}": value for key, value in cells.items()}
    return data


def field_says(field, text):
    """Return the messages SaleRowForm's own field gives for `text`."""
    try:
        SaleRowForm.base_fields[field].clean(text)
    except forms.ValidationError as error:
        return error.messages
    raise AssertionError(f"{field} accepted {text!r}")


@pytest.mark.parametrize(
    "text",
    ["abc", "1e5", "NaN", "1,23", "-5", "1.234", "1000000000000", "-1.234", "9" * 40, "๑,๒๓๔.๕๖๗"],
)
@pytest.mark.parametrize("field", ["domestic", "export"])
def test_every_bad_amount_gets_its_fields_own_message(field, text):
    month_form = MonthForm(page({field: text}))
    assert not month_form.is_valid()
    assert month_form.rows[0].errors[field] == field_says(field, text)
    assert month_form.rows[0].errors[field]  # the Thai message, not an empty list


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "ก" * 201),
        ("name", "กลุ่ม\x00หนึ่ง"),
        ("product_type", ""),
        ("product_type", "gold"),
        ("producer_type", "nobody"),
        ("id", "abc"),
        ("version", "๑x"),
    ],
)
def test_every_bad_cell_gets_its_fields_own_message(field, text):
    month_form = MonthForm(page({field: text}))
    single = SaleRowForm({f"x-{field}": text}, prefix="x")
    assert month_form.rows[0].errors[field] == single.errors[field]


def test_a_name_with_a_control_character_says_so_in_thai():
    month_form = MonthForm(page({"name": "กลุ่ม\x01หนึ่ง"}))
    assert month_form.rows[0].errors["name"] == [CONTROL_MESSAGE]


def test_both_amounts_blank_asks_for_a_zero_or_a_delete():
    month_form = MonthForm(page({"domestic": "", "export": " "}))
    assert month_form.rows[0].errors == {"domestic": [NO_AMOUNTS]}


def test_a_new_row_left_blank_is_skipped_and_a_blank_saved_row_refused():
    blank = dict.fromkeys(("name", "product_type", "producer_type", "domestic", "export"), "")
    skipped = MonthForm(page({}, blank))
    assert skipped.is_valid()
    assert [row["name"] for row in skipped.kept_rows()] == ["กลุ่มหนึ่ง"]
    refused = MonthForm(page({}, blank, initial="2"))
    assert not refused.is_valid()
    assert set(refused.rows[1].errors) == {"name", "product_type", "producer_type", "domestic"}


def test_a_duplicate_is_shown_by_its_name_and_the_page():
    month_form = MonthForm(page({}, {"name": " กลุ่มหนึ่ง ", "domestic": "5"}))
    assert not month_form.is_valid()
    assert month_form.rows[1].errors == {
        "name": ["ผู้ผลิตนี้มีรายการประเภทอาหารแล้วในเดือนนี้ (แถวที่ 1) รวมยอดไว้ในแถวเดียว"]
    }
    assert month_form.page_errors == [DUPLICATES]


def test_one_producer_with_two_producer_types_is_shown_by_the_type():
    month_form = MonthForm(page({}, {"product_type": "textile", "producer_type": "sme"}))
    assert month_form.rows[1].errors == {"producer_type": [MIXED_PRODUCER_TYPES]}
    assert month_form.page_errors == [DUPLICATES]


def test_a_forged_or_repeated_id_refuses_the_page(month):
    own = month["by_name"]["กลุ่มหนึ่ง"]
    mine = {"id": str(own.pk), "version": str(own.version)}
    for rows in ([{"id": str(month["foreign"][0])}], [mine, {**mine, "name": "กลุ่มอื่น"}]):
        month_form = MonthForm(page(*rows), existing=month["existing"])
        assert not month_form.is_valid()
        assert month_form.page_errors == [FOREIGN_ROW]


def test_a_province_confirmed_row_cannot_be_changed_or_deleted(month):
    locked = month["by_name"]["กลุ่มสาม"]
    row = {"id": str(locked.pk), "version": str(locked.version), "name": "กลุ่มสาม"}
    as_saved = MonthForm(page({**row, "domestic": "5.00"}), existing=month["existing"])
    assert as_saved.is_valid()
    for change in ({"domestic": "6"}, {"DELETE": "on", "domestic": "5"}):
        month_form = MonthForm(page({**row, **change}), existing=month["existing"])
        assert not month_form.is_valid()
        assert month_form.rows[0].errors == {"__all__": [PROVINCE_LOCKED]}
        assert month_form.page_errors == [PROVINCE_LOCKED]


def test_a_page_with_nothing_to_save_is_refused():
    month_form = MonthForm(page({"DELETE": "on"}))
    assert month_form.page_errors == [NOTHING_TO_SAVE]


def test_more_rows_than_a_month_holds_are_refused_and_read_no_further():
    month_form = MonthForm(page({}, total=MAX_ROWS + 1))
    assert not month_form.is_valid()
    assert month_form.page_errors == [TOO_MANY_ROWS]
    assert len(month_form.rows) == MAX_ROWS


def test_a_broken_management_form_is_refused():
    data = page({})
    del data["rows-INITIAL_FORMS"]
    month_form = MonthForm(data)
    assert not month_form.is_valid()
    assert month_form.page_errors == [BROKEN_PAGE % {"field_names": "rows-INITIAL_FORMS"}]


def test_a_page_without_its_row_count_reads_no_row_and_saves_nothing():
    month_form = MonthForm({**page({}), "rows-TOTAL_FORMS": "x"})
    assert (month_form.is_valid(), month_form.rows) == (False, [])
    # As the formset did: the check that finds nothing to save speaks for the page.
    assert month_form.page_errors == [NOTHING_TO_SAVE]


def test_a_saved_row_ticked_for_deletion_is_deleted_with_its_version(month):
    own = month["by_name"]["กลุ่มหนึ่ง"]
    row = {"id": str(own.pk), "version": str(own.version), "DELETE": "on"}
    month_form = MonthForm(page(row, {"name": "กลุ่มใหม่"}), existing=month["existing"])
    assert month_form.is_valid()
    assert month_form.deleted_ids() == {own.pk: own.version}
    assert [r["name"] for r in month_form.kept_rows()] == ["กลุ่มใหม่"]
    assert month_form.kept_rows()[0]["domestic"] == Decimal("100.00")


# --- the cost ----------------------------------------------------------------------------


def test_a_save_builds_no_form_per_row(month, officers, geography, monkeypatch):
    built = []
    original = forms.BaseForm.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(forms.BaseForm, "__init__", counting)
    client = client_of(officers["owner"])
    district = geography["mueang_cr"]
    for count in (5, 60):
        built.clear()
        rows = [{"name": f"กลุ่มใหม่ {count}-{i}", "domestic": str(i)} for i in range(count)]
        data = page(*rows) | {"month-revision": str(month_revision(district, MONTH))}
        assert client.post(ENTRY, data).status_code == 302
        assert "SaleRowForm" not in built
        assert len(built) <= 3, built  # the revision, the management form: not one a row

"""The monthly entry page: one form per row, a formset for the month."""

from django import forms
from django.forms import formset_factory

from sales.fields import AmountField, PlainTextField
from sales.models import ProducerType, ProductType

MAX_ROWS = 2000
PROVINCE_LOCKED = "รายการนี้จังหวัดยืนยันแล้ว แก้ไขหรือลบไม่ได้ หากต้องแก้ไขโปรดติดต่อจังหวัด"


def normalise_name(name):
    """Collapse runs of spaces so "กลุ่ม  อาหาร " and "กลุ่ม อาหาร" are one producer."""
    return " ".join(name.split())


class SaleRowForm(forms.Form):
    """One producer's sales of one product type in the month."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = PlainTextField(
        label="ชื่อกลุ่ม / ผู้ผลิต ผู้ประกอบการ",
        max_length=200,
        error_messages={
            "required": "กรุณากรอกชื่อกลุ่ม / ผู้ผลิต",
            "max_length": "ชื่อยาวเกิน 200 ตัวอักษร",
        },
    )
    product_type = forms.ChoiceField(
        label="ประเภทผลิตภัณฑ์",
        choices=[("", "— เลือก —"), *ProductType.choices],
        error_messages={
            "required": "กรุณาเลือกประเภทผลิตภัณฑ์",
            "invalid_choice": "ประเภทผลิตภัณฑ์ไม่ถูกต้อง",
        },
    )
    producer_type = forms.ChoiceField(
        label="ประเภทกลุ่ม",
        choices=[("", "— เลือก —"), *ProducerType.choices],
        error_messages={
            "required": "กรุณาเลือกประเภทกลุ่ม",
            "invalid_choice": "ประเภทกลุ่มไม่ถูกต้อง",
        },
    )
    domestic = AmountField(label="ในประเทศ (บาท)", empty_value=None)
    export = AmountField(label="ต่างประเทศ (บาท)", empty_value=None)

    def clean_name(self):
        name = normalise_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("กรุณากรอกชื่อกลุ่ม / ผู้ผลิต", code="required")
        return name

    def clean(self):
        cleaned = super().clean()
        domestic, export = cleaned.get("domestic"), cleaned.get("export")
        no_errors = "domestic" not in self.errors and "export" not in self.errors
        if no_errors and domestic is None and export is None:
            self.add_error("domestic", "กรุณากรอกยอดจำหน่าย (ใส่ 0 หากเดือนนี้ไม่มียอด) หรือลบรายการนี้")
        return cleaned


def row_values(row):
    """Return a saved MonthlySale as the entry form's values (its producer loaded)."""
    return {
        "id": row.pk,
        "version": row.version,
        "name": row.producer.name,
        "product_type": row.product_type,
        "producer_type": row.producer_type,
        "domestic": row.domestic,
        "export": row.export,
    }


class BaseSaleRowFormSet(forms.BaseFormSet):
    """The month's rows; checks that span rows, against what the district already has.

    `existing` maps row ids of this district and month to their MonthlySale; any other id
    in the form was forged or is stale, and the whole page is refused.
    """

    def __init__(self, *args, existing=None, **kwargs):
        self.existing = existing or {}
        super().__init__(*args, **kwargs)

    def clean(self):
        """Refuse forged rows, changes to province-confirmed rows and duplicates.

        A forged or stale row id refuses the whole page; the other problems are shown by
        their rows. Errors are raised as well as shown, because a deleted row's own errors
        do not make a formset invalid.
        """
        self._check_ids()
        if not any(self.errors):
            self._check_not_empty()
        seen, producer_types, problems = {}, {}, 0
        # Rows with a bad amount are checked too: every kind of error shows in one round.
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
        """Refuse a post that keeps, adds and deletes nothing: it is not a save.

        Saving it would still raise the month's revision and make every other open page
        of the month stale for nothing.
        """
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
            # One row id twice (two rows, or a row kept and deleted) is not our page's: the
            # save would write one row with one form's values and drop the other's.
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
                form.add_error(None, PROVINCE_LOCKED)
        if locked:
            raise forms.ValidationError(PROVINCE_LOCKED, code="province_confirmed")


def _row_changed(row, data):
    return (
        data.get("name") != row.producer.name
        or data.get("product_type") != row.product_type
        or data.get("producer_type") != row.producer_type
        or (data.get("domestic") or 0) != row.domestic
        or (data.get("export") or 0) != row.export
    )


SaleRowFormSet = formset_factory(
    SaleRowForm,
    formset=BaseSaleRowFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)


class MonthRevisionForm(forms.Form):
    """The revision of the district's month the page was loaded with."""

    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

"""The monthly entry page: a district's month posted as one form, its rows checked in one pass."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.formsets import (
    DELETION_FIELD_NAME,
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.forms.utils import ErrorDict, ErrorList
from django.utils.translation import gettext_lazy as _

from sales.fields import AmountField, PlainTextField
from sales.models import ProducerType, ProductType

MAX_ROWS = 2000
PROVINCE_LOCKED = "รายการนี้จังหวัดยืนยันแล้ว แก้ไขหรือลบไม่ได้ หากต้องแก้ไขโปรดติดต่อจังหวัด"
NAME_REQUIRED = "กรุณากรอกชื่อกลุ่ม / ผู้ผลิต"
NO_AMOUNTS = "กรุณากรอกยอดจำหน่าย (ใส่ 0 หากเดือนนี้ไม่มียอด) หรือลบรายการนี้"
FOREIGN_ROW = "พบรายการที่ไม่ใช่ของอำเภอและเดือนนี้ในแบบฟอร์ม ระบบจึงไม่บันทึกข้อมูลใด ๆ กรุณาโหลดหน้าใหม่"
DUPLICATES = "มีรายการซ้ำหรือประเภทกลุ่มไม่ตรงกัน กรุณาแก้ไขแถวที่มีข้อความสีแดง"
NOTHING_TO_SAVE = "ไม่มีรายการให้บันทึก กรุณากรอกอย่างน้อยหนึ่งรายการ"
MIXED_PRODUCER_TYPES = "ผู้ผลิตรายเดียวกันต้องมีประเภทกลุ่มเดียวกันทุกแถว"
# Django's own messages for these two are English; only a forged or broken page, or more
# rows than a month may hold, meets them.
BROKEN_PAGE = "แบบฟอร์มไม่ครบถ้วน (ไม่พบจำนวนแถว: %(field_names)s) ระบบจึงไม่บันทึกข้อมูลใด ๆ กรุณาโหลดหน้าใหม่"
TOO_MANY_ROWS = f"เดือนหนึ่งบันทึกได้ไม่เกิน {MAX_ROWS:,} รายการ ระบบจึงไม่บันทึกข้อมูลใด ๆ"


def normalise_name(name):
    """Collapse runs of spaces so "กลุ่ม  อาหาร " and "กลุ่ม อาหาร" are one producer."""
    return " ".join(name.split())


def clean_name(name):
    """Return a producer's name with its spaces collapsed; refuse one of spaces only."""
    name = normalise_name(name)
    if not name:
        raise ValidationError(NAME_REQUIRED, code="required")
    return name


def no_amounts(cleaned, errors):
    """Return whether a row has neither amount, and neither amount was refused."""
    return (
        "domestic" not in errors
        and "export" not in errors
        and cleaned.get("domestic") is None
        and cleaned.get("export") is None
    )


class SaleRowForm(forms.Form):
    """One producer's sales of one product type in the month.

    Its fields clean every cell of MonthForm's rows, with their messages; a month is not
    checked as one of these forms per row (see MonthForm).
    """

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = PlainTextField(
        label="ชื่อกลุ่ม / ผู้ผลิต ผู้ประกอบการ",
        max_length=200,
        error_messages={
            "required": NAME_REQUIRED,
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
        return clean_name(self.cleaned_data["name"])

    def clean(self):
        cleaned = super().clean()
        if no_amounts(cleaned, self.errors):
            self.add_error("domestic", NO_AMOUNTS)
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


# The cells of a row, in the order a SaleRowForm cleans them, with the formset's delete box.
ROW_FIELDS = {
    **SaleRowForm.base_fields,
    DELETION_FIELD_NAME: forms.BooleanField(label=_("Delete"), required=False),
}
FIELD_CLEANERS = {"name": clean_name}
# The cells looked at to tell a blank row, the one typed in most rows first: a row that
# has a name is not blank, whatever else it has.
TYPED_FIRST = sorted(ROW_FIELDS, key=lambda name: name != "name")


class MonthRow:
    """One posted row: what was typed in each cell, its cleaned values and its errors.

    `errors` and `cleaned_data` behave as a Form's: an error added to a field drops the
    field's cleaned value. A row past the page's initial rows left blank has neither.
    """

    def __init__(self, data):
        self.data = data
        self.cleaned_data = {}
        self.errors = ErrorDict()

    @property
    def deleted(self):
        return self.cleaned_data.get(DELETION_FIELD_NAME, False)

    def add_error(self, field, error):
        """Add `error` (a message or a ValidationError) to `field`, None for the whole row."""
        if not isinstance(error, ValidationError):
            error = ValidationError(error)
        field = field or NON_FIELD_ERRORS
        if field not in self.errors:
            error_class = "nonfield" if field == NON_FIELD_ERRORS else None
            self.errors[field] = ErrorList(error_class=error_class)
        self.errors[field].extend(error.error_list)
        self.cleaned_data.pop(field, None)


class MonthForm:
    """A district's month as the entry page posts it, its rows checked in one pass.

    The page posts each row's cells as rows-N-<field> under a formset's management form
    (rows-TOTAL_FORMS, rows-INITIAL_FORMS), and MonthForm reads them as a formset of
    SaleRowForm with a delete box would, cleaning each cell with SaleRowForm's own field,
    so every message is the field's own. It builds no form per row: building and cleaning
    one was a third of a save's CPU. Steps, on data:
    1. Read the management form; a broken one is a page error, and without a row count
       no row is read.
    2. Clean each row's cells. A row past INITIAL_FORMS left blank (nothing typed, not
       ticked for deletion) is skipped; a blank row among the initial ones is refused.
    3. Check across rows (check_rows): forged ids, province-confirmed rows, a page with
       nothing to save, duplicates, one producer with two producer types; more than
       MAX_ROWS rows are refused instead.

    `existing` maps the ids of the district's month to their MonthlySale (producer
    loaded). Unbound (`initial`, a GET), it only carries the management form.
    """

    def __init__(self, data=None, *, prefix="rows", existing=None, initial=None):
        self.data = data
        self.is_bound = data is not None
        self.prefix = prefix
        self.existing = existing or {}
        self.initial = initial or []
        self.rows = []
        self.page_errors = ErrorList(error_class="nonform")
        self._cells = {}
        if self.is_bound:
            self._clean()

    @property
    def management_form(self):
        if self.is_bound:
            return ManagementForm(self.data, prefix=self.prefix)
        count = len(self.initial)
        return ManagementForm(
            prefix=self.prefix,
            initial={
                TOTAL_FORM_COUNT: count,
                INITIAL_FORM_COUNT: count,
                MIN_NUM_FORM_COUNT: 0,
                MAX_NUM_FORM_COUNT: MAX_ROWS,
            },
        )

    def is_valid(self):
        """Return whether the month may be saved: no page error, no error on a kept row."""
        return (
            self.is_bound
            and not self.page_errors
            and not any(row.errors for row in self.rows if not row.deleted)
        )

    def kept_rows(self):
        """Return the cleaned values of the rows to save; a blank new row is not one."""
        return [row.cleaned_data for row in self.rows if row.cleaned_data and not row.deleted]

    def deleted_ids(self):
        """Return {id: version the page showed} of the saved rows ticked for deletion."""
        return {
            row.cleaned_data["id"]: row.cleaned_data.get("version")
            for row in self.rows
            if row.deleted and row.cleaned_data.get("id")
        }

    def _clean(self):
        management = ManagementForm(self.data, prefix=self.prefix)
        if not management.is_valid():
            missing = ", ".join(map(management.add_prefix, management.errors))
            self.page_errors.append(
                ValidationError(
                    BROKEN_PAGE, params={"field_names": missing}, code="missing_management_form"
                )
            )
        posted = management.cleaned_data[TOTAL_FORM_COUNT]
        initial = management.cleaned_data[INITIAL_FORM_COUNT]
        # At most MAX_ROWS rows are read, whatever the page claims.
        for index in range(min(posted, MAX_ROWS)):
            self.rows.append(self._clean_row(index, blank_allowed=index >= initial))
        try:
            if posted > MAX_ROWS:
                raise ValidationError(TOO_MANY_ROWS, code="too_many_forms")
            self.check_rows()
        except ValidationError as error:
            self.page_errors = ErrorList(error.error_list, error_class="nonform")

    def _clean_row(self, index, blank_allowed):
        """Clean one row's cells as SaleRowForm would, without building one."""
        prefix = f"{self.prefix}-{index}-"
        row = MonthRow(
            {
                name: field.widget.value_from_datadict(self.data, None, prefix + name)
                for name, field in ROW_FIELDS.items()
            }
        )
        if blank_allowed and not any(
            ROW_FIELDS[name].has_changed(None, row.data[name]) for name in TYPED_FIRST
        ):
            return row
        for name in ROW_FIELDS:
            value, error = self._clean_cell(name, row.data[name])
            if error is None:
                row.cleaned_data[name] = value
            else:
                row.add_error(name, error)
        if no_amounts(row.cleaned_data, row.errors):
            row.add_error("domestic", NO_AMOUNTS)
        return row

    def _clean_cell(self, name, text):
        """Return (the cleaned value, None) of a cell, or (None, its ValidationError).

        A cell's value depends on its text alone, and texts repeat down a month (the
        types, the versions, an export of "0"): each text of a column is cleaned once.
        """
        key = (name, text)
        if key not in self._cells:
            try:
                value = ROW_FIELDS[name].clean(text)
                if name in FIELD_CLEANERS:
                    value = FIELD_CLEANERS[name](value)
            except ValidationError as error:
                self._cells[key] = None, error
            else:
                self._cells[key] = value, None
        return self._cells[key]

    def check_rows(self):
        """Refuse forged rows, changes to province-confirmed rows and duplicates.

        A forged or stale row id refuses the whole page; the other problems are shown by
        their rows. Errors are raised as well as shown, because a deleted row's own errors
        do not make the month invalid.
        """
        self._check_ids()
        if not any(row.errors for row in self.rows if not row.deleted):
            self._check_not_empty()
        seen, producer_types, problems = {}, {}, 0
        # Rows with a bad amount are checked too: every kind of error shows in one round.
        for number, row in enumerate(self.rows, start=1):
            data = row.cleaned_data
            if not data or row.deleted:
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
                row.add_error(
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
                row.add_error("producer_type", MIXED_PRODUCER_TYPES)
        if problems:
            raise ValidationError(DUPLICATES, code="rows")

    def _check_not_empty(self):
        """Refuse a post that keeps, adds and deletes nothing: it is not a save.

        Saving it would still raise the month's revision and make every other open page
        of the month stale for nothing.
        """
        for row in self.rows:
            if row.cleaned_data and (not row.deleted or row.cleaned_data.get("id")):
                return
        raise ValidationError(NOTHING_TO_SAVE, code="empty")

    def _check_ids(self):
        locked, seen = 0, set()
        for row in self.rows:
            row_id = row.cleaned_data.get("id")
            if row_id is None:
                continue
            saved = self.existing.get(row_id)
            # One row id twice (two rows, or a row kept and deleted) is not our page's: the
            # save would write one row with one row's values and drop the other's.
            if saved is None or row_id in seen:
                raise ValidationError(FOREIGN_ROW, code="foreign_row")
            seen.add(row_id)
            if saved.province_confirmed_at and (
                row.deleted or _row_changed(saved, row.cleaned_data)
            ):
                locked += 1
                row.add_error(None, PROVINCE_LOCKED)
        if locked:
            raise ValidationError(PROVINCE_LOCKED, code="province_confirmed")


def _row_changed(row, data):
    return (
        data.get("name") != row.producer.name
        or data.get("product_type") != row.product_type
        or data.get("producer_type") != row.producer_type
        or (data.get("domestic") or 0) != row.domestic
        or (data.get("export") or 0) != row.export
    )


class MonthRevisionForm(forms.Form):
    """The revision of the district's month the page was loaded with."""

    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

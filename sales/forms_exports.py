"""The export detail report of a province's month: one form per line, a formset for the page."""

import datetime

from django import forms
from django.db import transaction
from django.forms import formset_factory
from django.utils import timezone

from sales.countries import COUNTRY_CHOICES
from sales.fields import AmountField, PlainTextField
from sales.models import ExportDetail, Producer, SalesChannel

MAX_LINES = 500
BLANK = ("", "— เลือก —")


class SharedOptionsSelect(forms.Select):
    """A select that renders only its chosen option and names a shared list of options.

    A province has about 1,300 producers; forty lines each carrying all of them would make
    a page of megabytes. The page holds the full list once, in a <template> whose id is
    `source`, and static/js/exports.js copies it into each select.
    """

    def __init__(self, source, attrs=None):
        super().__init__({**(attrs or {}), "data-options": source})

    def optgroups(self, name, value, attrs=None):
        wanted = {str(v) for v in value if v not in (None, "")}
        every = self.choices
        chosen = [BLANK]
        for option_value, label in every:
            if isinstance(label, (list, tuple)):
                chosen += [(v, lbl) for v, lbl in label if str(v) in wanted]
            elif str(option_value) in wanted:
                chosen.append((option_value, label))
        self.choices = chosen
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = every


class ProducerList:
    """The producers of a province's districts, read in one query, grouped by district."""

    def __init__(self, province):
        producers = (
            Producer.objects.filter(district__province=province)
            .select_related("district")
            .order_by("district__code", "name")
        )
        self.by_id = {str(p.pk): p for p in producers}
        groups = {}
        for producer in self.by_id.values():
            district = producer.district
            groups.setdefault(district, []).append((str(producer.pk), producer.name))
        self.choices = [(f"อำเภอ{d.name_th}", options) for d, options in groups.items()]


class ProducerField(forms.ChoiceField):
    """A producer of the province, chosen by id; any other id is not a valid choice."""

    def __init__(self, **kwargs):
        super().__init__(widget=SharedOptionsSelect("producer-options"), **kwargs)
        self.by_id = {}

    def valid_value(self, value):
        return str(value) in self.by_id

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip()

    def clean(self, value):
        value = super().clean(value)
        return self.by_id[value] if value else None


class ExportLineForm(forms.Form):
    """One line of the report: what a producer exported, where, and how it was sold."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The line's last save as the page saw it: a line someone else saved since is refused.
    stamp = forms.CharField(required=False, widget=forms.HiddenInput)
    producer = ProducerField(
        label="ชื่อผู้ผลิต ผู้ประกอบการ OTOP",
        error_messages={
            "required": "กรุณาเลือกผู้ผลิต ผู้ประกอบการ",
            "invalid_choice": "ไม่พบผู้ผลิตนี้ในอำเภอของจังหวัด กรุณาเลือกจากรายชื่อ",
        },
    )
    product = PlainTextField(
        label="ผลิตภัณฑ์",
        max_length=200,
        error_messages={
            "required": "กรุณากรอกชื่อผลิตภัณฑ์",
            "max_length": "ชื่อผลิตภัณฑ์ยาวเกิน 200 ตัวอักษร",
        },
    )
    value = AmountField(
        label="มูลค่าการส่งออก (บาท)",
        required=True,
        empty_value=None,
        error_messages={"required": "กรุณากรอกมูลค่าการส่งออก"},
    )
    country = forms.ChoiceField(
        label="ประเทศที่ส่งออก",
        choices=[BLANK, *COUNTRY_CHOICES],
        widget=SharedOptionsSelect("country-options"),
        error_messages={
            "required": "กรุณาเลือกประเทศที่ส่งออก",
            "invalid_choice": "กรุณาเลือกประเทศจากรายชื่อ",
        },
    )
    agency = PlainTextField(
        label="หน่วยงานสนับสนุน",
        max_length=200,
        required=False,
        error_messages={"max_length": "ชื่อหน่วยงานยาวเกิน 200 ตัวอักษร"},
    )
    channel = forms.ChoiceField(
        label="ช่องทางการจำหน่าย",
        choices=[BLANK, *SalesChannel.choices],
        error_messages={
            "required": "กรุณาเลือกช่องทางการจำหน่าย",
            "invalid_choice": "ช่องทางการจำหน่ายไม่ถูกต้อง",
        },
    )

    def __init__(self, *args, producers, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["producer"]
        field.by_id = producers.by_id
        field.choices = producers.choices
        for name in ("product", "agency"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["value"].widget.attrs["class"] = "form-control form-control-sm num"
        for name in ("producer", "country", "channel"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        # The grid shows its labels once, in the header: each cell names itself for screen
        # readers and voice control (WCAG 4.1.2).
        for name in ("producer", "product", "value", "country", "agency", "channel"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"

    def clean_product(self):
        product = " ".join(self.cleaned_data["product"].split())
        if not product:
            raise forms.ValidationError("กรุณากรอกชื่อผลิตภัณฑ์", code="required")
        return product

    def clean_agency(self):
        return " ".join(self.cleaned_data["agency"].split())

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value <= 0:
            raise forms.ValidationError(
                "มูลค่าการส่งออกต้องมากกว่า 0 บาท (ไม่มีการส่งออก ให้ลบรายการนี้)",
                code="min_value",
            )
        return value


def stamp_of(line):
    """Return the token that tells whether a line changed since a page showed it."""
    return line.updated_at.astimezone(datetime.UTC).isoformat()


def line_initial(line):
    return {
        "id": line.pk,
        "stamp": stamp_of(line),
        "producer": str(line.producer_id),
        "product": line.product,
        "value": line.value,
        "country": line.country,
        "agency": line.agency,
        "channel": line.channel,
    }


FIELDS = ("producer", "product", "value", "country", "agency", "channel")


class BaseExportLineFormSet(forms.BaseFormSet):
    """A province's export lines for one month.

    `existing` maps the ids of this province's lines of this month to their ExportDetail;
    a line id outside it was forged, or belongs to a page that is out of date, and the
    whole page is refused so that nothing is half written.
    """

    default_error_messages = {
        "missing_management_form": ("แบบฟอร์มไม่ครบถ้วน ระบบจึงไม่บันทึกข้อมูลใด ๆ กรุณาโหลดหน้าใหม่"),
        "too_many_forms": "บันทึกได้ไม่เกิน %(num)d รายการต่อเดือน",
        "too_few_forms": "ต้องมีอย่างน้อย %(num)d รายการ",
    }

    def __init__(self, *args, existing, province, fiscal_month, **kwargs):
        self.existing = existing
        self.province = province
        self.fiscal_month = fiscal_month
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Ticked by the delete button after its question; the row shows the state instead.
        form.fields["DELETE"].widget.attrs.update({"class": "d-none", "data-delete-flag": ""})

    def clean(self):
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            line_id = data.get("id")
            if line_id is None:
                if "id" in form.errors:
                    raise self._foreign()
                continue
            line = self.existing.get(line_id)
            if line is None or line_id in seen:
                raise self._foreign()
            seen.add(line_id)
            if data.get("stamp") != stamp_of(line):
                raise forms.ValidationError(
                    "มีผู้บันทึกแบบรายงานนี้หลังจากที่คุณเปิดหน้านี้ ระบบจึงไม่บันทึกข้อมูลใด ๆ "
                    "กรุณาโหลดหน้าใหม่แล้วแก้ไขอีกครั้ง",
                    code="stale",
                )

    def _foreign(self):
        return forms.ValidationError(
            f"พบรายการที่ไม่ใช่ของจังหวัด{self.province.name_th} "
            f"เดือน{self.fiscal_month.label} ในแบบฟอร์ม ระบบจึงไม่บันทึกข้อมูลใด ๆ "
            "กรุณาโหลดหน้าใหม่",
            code="foreign_line",
        )

    @transaction.atomic
    def save(self, user):
        """Write the page's lines, all or nothing.

        Steps:
        1. Delete the lines marked for deletion (ids already checked against the month).
        2. Update the lines whose fields changed, in one bulk update.
        3. Create the new lines, in one bulk insert.
        Return the numbers of lines created, updated and deleted.
        """
        now = timezone.now()
        deleted, changed, created = [], [], []
        for form in self.forms:
            data = form.cleaned_data
            if self._should_delete_form(form):
                if data.get("id") is not None:
                    deleted.append(data["id"])
                continue
            if not form.has_changed() and data.get("id") is None:
                continue  # an empty new line left as it was
            values = {name: data[name] for name in FIELDS}
            line = self.existing.get(data["id"]) if data.get("id") is not None else None
            if line is None:
                created.append(
                    ExportDetail(
                        province=self.province,
                        fiscal_year=self.fiscal_month.fiscal_year,
                        month=self.fiscal_month.month,
                        updated_by=user,
                        **values,
                    )
                )
            elif _differs(line, values):
                for name, value in values.items():
                    setattr(line, name, value)
                line.updated_at, line.updated_by = now, user
                changed.append(line)
        if deleted:
            ExportDetail.objects.filter(
                province=self.province,
                fiscal_year=self.fiscal_month.fiscal_year,
                month=self.fiscal_month.month,
                pk__in=deleted,
            ).delete()
        if changed:
            ExportDetail.objects.bulk_update(changed, [*FIELDS, "updated_at", "updated_by"])
        if created:
            ExportDetail.objects.bulk_create(created)
        return len(created), len(changed), len(deleted)


def _differs(line, values):
    # The producer by id: comparing line.producer would be right too, but reads it.
    return line.producer_id != values["producer"].pk or any(
        getattr(line, name) != values[name] for name in FIELDS if name != "producer"
    )


ExportLineFormSet = formset_factory(
    ExportLineForm,
    formset=BaseExportLineFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.validators import MaxLengthValidator
from django.db import transaction

from otopdoc import fiscal
from otopdoc.fiscal import BANGKOK, FiscalMonth
from otopdoc.templatetags.thai import be
from otopdoc.thaidates import ThaiDateField, ThaiTimeField
from otopdoc.throttle import address_locked, address_locked_message
from sales.fields import PlainTextField
from sales.models import District, LockException, Province


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the department's Thai wording."""

    error_messages = {
        "invalid_login": "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง กรุณาตรวจสอบแล้วลองอีกครั้ง",
        "inactive": "บัญชีนี้ถูกระงับการใช้งาน กรุณาติดต่อผู้ดูแลระบบ",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "ชื่อผู้ใช้"
        self.fields["password"].label = "รหัสผ่าน"
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )
        # Django sets the field's max_length after building it, so no validator checks it:
        # a longer name reached authenticate() and axes' 255-character column (a 500).
        limit = self.fields["username"].max_length or 150
        self.fields["username"].validators.append(
            MaxLengthValidator(limit, f"ชื่อผู้ใช้ยาวได้ไม่เกิน {limit} ตัวอักษร")
        )

    def clean(self):
        """Refuse an address that has failed too often across user names, then sign in."""
        if self.request is not None and address_locked(self.request):
            raise forms.ValidationError(address_locked_message(), code="address_locked")
        return super().clean()


class OfficerPasswordChangeForm(PasswordChangeForm):
    """Django's own password change, in the department's Thai; the validators say why."""

    error_messages = {
        "password_incorrect": "รหัสผ่านปัจจุบันไม่ถูกต้อง กรุณาลองอีกครั้ง",
        "password_mismatch": "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "รหัสผ่านปัจจุบัน"
        self.fields["new_password1"].label = "รหัสผ่านใหม่"
        self.fields["new_password2"].label = "ยืนยันรหัสผ่านใหม่"
        self.fields["new_password2"].help_text = "พิมพ์รหัสผ่านใหม่อีกครั้งให้ตรงกัน"


def exception_problems(district, province, fiscal_month, open_until, at=None):
    """Return what stops the department granting this exception, as {field: Thai message}.

    Shared by the exception screen and the admin so both refuse the same things: no area
    or two areas, a month still open by the calendar, an end time already past.
    """
    at = at or fiscal.now()
    problems = {}
    if district is None and province is None:
        problems["district"] = "กรุณาระบุรหัสอำเภอ หรือรหัสจังหวัด อย่างใดอย่างหนึ่ง"
    elif district is not None and province is not None:
        problems["province"] = (
            "ระบุได้อย่างใดอย่างหนึ่งเท่านั้น: รหัสอำเภอเพื่อเปิดเฉพาะอำเภอนั้น หรือรหัสจังหวัดเพื่อเปิดทุกอำเภอในจังหวัด"
        )
    if fiscal_month is not None and at <= fiscal_month.deadline:
        problems["month"] = (
            f"เดือน{fiscal_month.label} ยังไม่ถึงกำหนดปิดรับ (วันที่ {be(fiscal_month.deadline)}) "
            "อำเภอและจังหวัดยังบันทึกได้ตามปกติ จึงไม่ต้องเปิดระบบเป็นกรณีพิเศษ"
        )
    if open_until is not None and open_until <= at:
        problems["open_until"] = f"เวลาที่เปิดให้บันทึกถึงต้องอยู่หลังเวลาปัจจุบัน (ขณะนี้ วันที่ {be(at)})"
    elif open_until is not None and open_until > latest_open_until(at):
        problems["open_until"] = (
            f"เปิดเป็นกรณีพิเศษได้ไม่เกิน {settings.OTOP_EXCEPTION_MAX_DAYS} วันนับจากวันนี้ "
            f"(ไม่เกินวันที่ {be(latest_open_until(at))})"
        )
    return problems


def latest_open_until(at=None):
    """Return the latest moment an exception granted at `at` may run to (a setting's days)."""
    at = (at or fiscal.now()).astimezone(BANGKOK)
    last_day = at.date() + datetime.timedelta(days=settings.OTOP_EXCEPTION_MAX_DAYS)
    return datetime.datetime.combine(last_day, datetime.time(23, 59), tzinfo=BANGKOK)


class LockExceptionForm(forms.Form):
    """The department re-opens a closed month for one district or one province until a time."""

    district = forms.CharField(
        label="รหัสอำเภอ (4 หลัก)",
        required=False,
        help_text="เปิดเฉพาะอำเภอนี้ เช่น 5701 (อำเภอเมืองเชียงราย)",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "เช่น 5701"}),
    )
    province = forms.CharField(
        label="หรือ รหัสจังหวัด (2 หลัก)",
        required=False,
        help_text="เปิดทุกอำเภอในจังหวัด เช่น 57 (เชียงราย)",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "เช่น 57"}),
    )
    fiscal_year = forms.IntegerField(
        label="ปีงบประมาณ (พ.ศ.)",
        min_value=fiscal.MIN_FISCAL_YEAR,
        max_value=fiscal.MAX_FISCAL_YEAR,
        error_messages={
            "required": "กรุณาระบุปีงบประมาณ",
            "invalid": "ปีงบประมาณต้องเป็นตัวเลข พ.ศ. เช่น 2569",
            "min_value": "ปีงบประมาณต้องไม่ต่ำกว่า %(limit_value)s",
            "max_value": "ปีงบประมาณต้องไม่เกิน %(limit_value)s",
        },
    )
    month = forms.TypedChoiceField(
        label="เดือน",
        coerce=int,
        choices=[("", "— เลือกเดือน —")] + [(m, fiscal.month_name(m)) for m in fiscal.FISCAL_ORDER],
        error_messages={
            "required": "กรุณาเลือกเดือน",
            "invalid_choice": "ไม่มีเดือนนี้",
        },
    )
    open_until_date = ThaiDateField(
        label="เปิดให้บันทึกถึงวันที่ (วัน/เดือน/ปี พ.ศ.)",
        help_text="เช่น 12/05/2569",
        error_messages={"required": "กรุณาระบุวันที่"},
    )
    open_until_time = ThaiTimeField(
        label="เวลา (24 ชั่วโมง เวลาประเทศไทย)",
        initial=datetime.time(23, 59),
        help_text="เช่น 16:30",
        error_messages={"required": "กรุณาระบุเวลา"},
    )
    reason = PlainTextField(
        label="เหตุผล",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "กรุณาระบุเหตุผลที่เปิดระบบเป็นกรณีพิเศษ",
            "max_length": "เหตุผลยาวเกิน %(limit_value)s ตัวอักษร",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].initial = fiscal.current_fiscal_year()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("district"), Column("province")),
            Row(Column("fiscal_year"), Column("month")),
            Row(Column("open_until_date"), Column("open_until_time")),
            "reason",
        )

    def clean_district(self):
        code = self.cleaned_data["district"].strip()
        if not code:
            return None
        district = District.objects.select_related("province").filter(pk=code).first()
        if district is None:
            raise forms.ValidationError(
                "ไม่พบอำเภอรหัส %(code)s (รหัสอำเภอมี 4 หลัก เช่น 5701)",
                code="unknown",
                params={"code": code},
            )
        return district

    def clean_province(self):
        code = self.cleaned_data["province"].strip()
        if not code:
            return None
        province = Province.objects.filter(pk=code).first()
        if province is None:
            raise forms.ValidationError(
                "ไม่พบจังหวัดรหัส %(code)s (รหัสจังหวัดมี 2 หลัก เช่น 57)",
                code="unknown",
                params={"code": code},
            )
        return province

    def clean(self):
        cleaned = super().clean()
        fiscal_month = open_until = None
        if cleaned.get("fiscal_year") and cleaned.get("month"):
            fiscal_month = FiscalMonth(cleaned["fiscal_year"], cleaned["month"])
        if cleaned.get("open_until_date") and cleaned.get("open_until_time"):
            open_until = datetime.datetime.combine(
                cleaned["open_until_date"], cleaned["open_until_time"], tzinfo=BANGKOK
            )
        cleaned["fiscal_month"], cleaned["open_until"] = fiscal_month, open_until
        problems = exception_problems(
            cleaned.get("district"), cleaned.get("province"), fiscal_month, open_until
        )
        if "district" in self.errors or "province" in self.errors:
            # A bad code is already said; "give one area" beside it would only confuse.
            problems.pop("district", None)
            problems.pop("province", None)
        for field, message in problems.items():
            self.add_error("open_until_date" if field == "open_until" else field, message)
        return cleaned

    @transaction.atomic
    def save(self, granted_by):
        """Create the exception, recording who granted it (its notice in the same transaction)."""
        data = self.cleaned_data
        return LockException.objects.create(
            district=data["district"],
            province=data["province"],
            fiscal_year=data["fiscal_month"].fiscal_year,
            month=data["fiscal_month"].month,
            open_until=data["open_until"],
            reason=data["reason"],
            granted_by=granted_by,
        )

"""Forms of the notes and the producer registry: Thai messages by each field."""

from django import forms

from sales.fields import PlainTextField


class ExplanationForm(forms.Form):
    explanation = PlainTextField(
        label="คำอธิบาย",
        max_length=300,
        required=False,
        help_text="เช่น ออกงาน OTOP City ยอดจึงสูงกว่าปกติ (เว้นว่างเพื่อลบคำอธิบาย)",
        error_messages={"max_length": "คำอธิบายยาวเกิน 300 ตัวอักษร"},
    )


class FollowUpForm(forms.Form):
    follow_up = forms.BooleanField(label="ติดตามรายการนี้", required=False)
    note = PlainTextField(
        label="หมายเหตุการติดตาม",
        max_length=300,
        required=False,
        error_messages={"max_length": "หมายเหตุยาวเกิน 300 ตัวอักษร"},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("follow_up") and not " ".join((cleaned.get("note") or "").split()):
            self.add_error("note", forms.ValidationError("กรุณาระบุสิ่งที่ต้องติดตาม", code="required"))
        return cleaned


class RenameForm(forms.Form):
    name = PlainTextField(
        label="ชื่อใหม่",
        max_length=200,
        error_messages={
            "required": "กรุณากรอกชื่อกลุ่ม / ผู้ผลิต",
            "max_length": "ชื่อยาวเกิน 200 ตัวอักษร",
        },
    )


class MergeForm(forms.Form):
    """Which producer of the district is merged into the producer of the page."""

    other = forms.IntegerField(
        label="ผู้ผลิตที่จะรวมเข้ามา",
        error_messages={"required": "กรุณาเลือกผู้ผลิตที่จะรวม", "invalid": "กรุณาเลือกผู้ผลิตที่จะรวม"},
    )


class ActiveForm(forms.Form):
    active = forms.BooleanField(required=False)

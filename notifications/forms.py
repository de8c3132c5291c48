from django import forms

from notifications.models import KINDS_OF_ROLE, Contact, Kind

EMAIL_INVALID = "รูปแบบอีเมลไม่ถูกต้อง เช่น somchai@cdd.go.th"


class ContactAdminForm(forms.ModelForm):
    """The admin's form: every field, with the settings page's Thai message for an e-mail."""

    class Meta:
        model = Contact
        fields = ["user", "district", "province", "email", "line_id", "kinds"]
        error_messages = {"email": {"invalid": EMAIL_INVALID}}


class ContactForm(forms.ModelForm):
    """An officer's or an office's e-mail, LINE ID and kinds, with Thai messages by each field."""

    kinds = forms.MultipleChoiceField(
        label="เรื่องที่ต้องการรับทางอีเมลและ LINE",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="ทุกเรื่องยังแสดงในรายการแจ้งเตือนของระบบ (รูปกระดิ่ง) เสมอ",
    )

    class Meta:
        model = Contact
        fields = ["email", "line_id", "kinds"]
        help_texts = {
            "email": "เว้นว่างได้ หากไม่ต้องการรับทางอีเมล",
            "line_id": (
                "รหัสผู้ใช้ (ขึ้นต้นด้วย U) หรือรหัสกลุ่ม LINE (ขึ้นต้นด้วย C) ยาว 33 ตัว "
                "ผู้ดูแลระบบแจ้งรหัสให้หลังเพิ่มบัญชี LINE ของระบบเป็นเพื่อนหรือเชิญเข้ากลุ่ม"
            ),
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
            "line_id": forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}
            ),
        }

    def __init__(self, *args, role, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(kind.value, kind.label) for kind in KINDS_OF_ROLE[role]]
        self.fields["kinds"].choices = choices
        self.fields["email"].error_messages["invalid"] = EMAIL_INVALID
        if not self.is_bound:
            self.initial["kinds"] = [k for k in (self.instance.kinds or []) if k in dict(choices)]

    def clean_line_id(self):
        return self.cleaned_data["line_id"].strip()

    def clean_kinds(self):
        """Keep the kinds of other roles as they were; set only this role's."""
        shown = {value for value, _ in self.fields["kinds"].choices}
        kept = [k for k in (self.instance.kinds or Kind.values) if k not in shown]
        return sorted(set(kept) | set(self.cleaned_data["kinds"]))

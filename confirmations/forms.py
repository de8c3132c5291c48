"""The confirmation pages' forms: which rows a page showed, which were ticked, and why.

A page posts every row it showed as a hidden `row` input "<id>:<version>", and the ids the
officer ticked (or chose to send back). Anything that is not such a list was not made by
our page: it is refused with the services' FOREIGN message and nothing is written. The
rules themselves (which rows may be ticked, stale versions, rows of another month) are
confirmations.services'.
"""

import re

from django import forms

from confirmations.services import FOREIGN
from sales.fields import PlainTextField

# Row ids and versions are plain ASCII digits (str.isdigit also accepts Thai digits), and
# short enough for a 64-bit column: a longer number would overflow the database driver.
NUMBER = re.compile(r"[0-9]{1,18}")
MAX_BATCH = 10_000
REASON_REQUIRED = "กรุณาระบุเหตุผลที่ส่งกลับให้อำเภอแก้ไข"


def _number(text):
    if not isinstance(text, str) or not NUMBER.fullmatch(text):
        raise forms.ValidationError(FOREIGN, code="foreign")
    return int(text)


class ShownRowsField(forms.Field):
    """The rows the page showed, as {id: version}, from repeated "<id>:<version>" values."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        shown = {}
        for item in value or []:
            pk, colon, version = str(item).partition(":")
            if not colon:
                raise forms.ValidationError(FOREIGN, code="foreign")
            pk, version = _number(pk), _number(version)
            if pk in shown:
                raise forms.ValidationError(FOREIGN, code="foreign")
            shown[pk] = version
        return shown


class RowIdsField(forms.Field):
    """A set of row ids from repeated checkbox values."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return {_number(item) for item in value or []}


class BatchField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            min_value=1,
            max_value=MAX_BATCH,
            error_messages={
                "required": FOREIGN,
                "invalid": FOREIGN,
                "min_value": FOREIGN,
                "max_value": FOREIGN,
            },
            widget=forms.HiddenInput,
            **kwargs,
        )


class ConfirmForm(forms.Form):
    """One batch's ticks at one level (district or province)."""

    batch = BatchField()
    row = ShownRowsField(required=False)
    tick = RowIdsField(required=False)


class SendBackForm(forms.Form):
    """Rows of one batch the province sends back to the district, with the reason."""

    batch = BatchField()
    row = ShownRowsField(required=False)
    chosen = RowIdsField(required=False)
    reason = PlainTextField(
        label="เหตุผลที่ส่งกลับ",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": REASON_REQUIRED,
            "max_length": "เหตุผลยาวเกิน 1,000 ตัวอักษร",
        },
    )

    def clean_reason(self):
        # The same normalising the service does, so "   " is caught by the field.
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(REASON_REQUIRED, code="required")
        return reason

    def foreign(self):
        """Tell whether the form was not made by our page (not the officer's typing)."""
        return any(field in self.errors for field in ("batch", "row", "chosen"))

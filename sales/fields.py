"""Form fields for amounts of money as officers type them.

Officers copy figures from spreadsheets and letters: "1,234.50", "๑,๒๓๔.๕๐" and a blank
for nothing are all ordinary input, and each mistake needs a Thai message by the field.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from sales.models import MAX_AMOUNT

SATANG = Decimal("0.01")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# An optional sign, whole baht either plain or grouped by commas in threes, then an optional
# fraction. Nothing else: no exponents ("1e5"), no "NaN", no commas in odd places ("1,23"),
# which could as well be a mistyped decimal point.
AMOUNT_PATTERN = re.compile(
    r"(?P<sign>[-+]?)"
    r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)"
    r"(?:\.(?P<fraction>[0-9]*))?"
)


# Control characters other than tab and line breaks (which names and reasons fold into
# spaces): NUL, which PostgreSQL refuses in text, the rest of C0 and C1, and U+FFFE/U+FFFF.
# None of them can be typed, only pasted by accident, and none can go into an Excel cell:
# a saved name holding one made every Excel report of its district fail.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
CONTROL_MESSAGE = "มีอักขระควบคุมที่มองไม่เห็น (มักติดมาจากการคัดลอกข้อความ) กรุณาลบข้อความในช่องนี้แล้วพิมพ์ใหม่"


def refuse_control_characters(text):
    """Refuse text holding a control character, with a Thai message."""
    if CONTROL_CHARACTERS.search(str(text)):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")


class PlainTextField(forms.CharField):
    """Text an officer types (a name, a reason): refuses control characters, NUL included.

    Replaces Django's own check for NUL, whose message is English, by one Thai message for
    every invisible character that cannot be stored or put into an Excel cell.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]
        self.validators.append(refuse_control_characters)


def parse_amount(text):
    """Return the Decimal an officer meant by `text`, or None when it is not an amount.

    Thai digits count as digits; a comma may only group thousands; a minus sign is kept so
    that the field can say the amount must not be negative rather than "not a number".
    """
    text = str(text).strip().translate(THAI_DIGITS).replace("\u2212", "-")
    match = AMOUNT_PATTERN.fullmatch(text)
    if match is None or not (match["whole"] or match["fraction"]):
        return None
    fraction = match["fraction"] or "0"
    if len(fraction) > 2:
        # "12.500" has only two decimals that matter: it is not refused.
        fraction = fraction.rstrip("0").ljust(2, "0")
    number = f"{match['sign']}{match['whole'].replace(',', '') or '0'}.{fraction}"
    try:
        return Decimal(number)
    except InvalidOperation:  # pragma: no cover: the pattern admits only digits
        return None


class AmountField(forms.DecimalField):
    """An amount in baht to the satang, typed the way officers type it.

    Accepts thousands separators and Thai digits; a blank is `empty_value` (0.00 unless
    told otherwise). Refuses, each with its own Thai message: text that is not a number,
    a negative amount, more than two decimals, and more than `max_value` (by default the
    largest amount a row holds, MAX_AMOUNT). Cleans to a Decimal with two places.
    """

    widget = forms.TextInput
    default_error_messages = {
        "required": "กรุณากรอกจำนวนเงิน",
        "invalid": "กรุณากรอกเป็นตัวเลข",
        "min_value": "จำนวนเงินต้องไม่ติดลบ",
        "max_value": "จำนวนเงินต้องไม่เกิน %(limit_value)s บาท",
        "max_decimal_places": "ทศนิยมได้ไม่เกิน %(max)s ตำแหน่ง",
    }

    def __init__(
        self,
        *,
        max_value=MAX_AMOUNT,
        min_value=Decimal("0"),
        required=False,
        empty_value=Decimal("0.00"),
        **kwargs,
    ):
        self.empty_value = empty_value
        super().__init__(
            max_value=max_value,
            min_value=min_value,
            decimal_places=2,
            required=required,
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, float):
            raise TypeError("AmountField takes text or Decimal, never a float")
        amount = value if isinstance(value, Decimal) else parse_amount(value)
        if amount is None or not amount.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except ValidationError as error:
            # Show the limit as officers write amounts: 999,999,999,999.99.
            for item in error.error_list:
                if item.code in ("max_value", "min_value") and item.params:
                    item.params = {
                        **item.params,
                        "limit_value": _grouped(item.params["limit_value"]),
                    }
            raise

    def clean(self, value):
        amount = super().clean(value)
        if amount is None:
            return self.empty_value
        # copy_abs() turns a typed "-0" into 0.00, never -0.00.
        amount = amount.quantize(SATANG, rounding=ROUND_HALF_UP)
        return amount.copy_abs() if amount == 0 else amount

    def prepare_value(self, value):
        """Show a saved amount with separators; show what the officer typed as typed."""
        if isinstance(value, Decimal):
            return _grouped(value)
        return value

    def browser_messages(self):
        """Return the messages by code, filled in, for a page's script to show as one types."""
        messages = {
            "invalid": str(self.error_messages["invalid"]),
            "min_value": str(self.error_messages["min_value"]),
            "max_decimal_places": str(self.error_messages["max_decimal_places"])
            % {"max": self.decimal_places},
        }
        if self.max_value is not None:
            limit = _grouped(self.max_value)
            messages["max_value"] = str(self.error_messages["max_value"]) % {"limit_value": limit}
        return messages

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs.setdefault("inputmode", "decimal")
            attrs.setdefault("autocomplete", "off")
            attrs.setdefault("spellcheck", "false")
        return attrs


def _grouped(amount):
    """Render an amount with thousands separators and two places: 1,234.50."""
    return f"{Decimal(amount).quantize(SATANG, rounding=ROUND_HALF_UP):,}"

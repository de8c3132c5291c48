"""Date and time fields as Thai officers write them: 12/05/2569 and 16:30.

Officers write Buddhist-era years in day/month/year order. A browser's own date picker
shows the Christian year in the browser's order, and Django's DateField reads "12/05/2569"
as the year 2569 C.E., which once re-opened a month until 3112. These fields show and
accept only วัน/เดือน/ปี พ.ศ. and 24-hour time, and refuse anything else with a Thai
message by the field, so nothing typed changes meaning on the way.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

from otopdoc.fiscal import BANGKOK, BE_OFFSET, month_name
from sales.fields import THAI_DIGITS

# A B.E. year a working officer may type: far enough either way for any record we keep.
MIN_BE_YEAR = 2500
MAX_BE_YEAR = 2700
DATE_PATTERN = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
TIME_PATTERN = re.compile(r"^(\d{1,2})\s*[:.]\s*(\d{2})(?:\s*น\.?)?$")
DATE_EXAMPLE = "12/05/2569"


def format_be_date(value):
    """Return a date as the field shows it: "12/05/2569"."""
    return f"{value.day:02d}/{value.month:02d}/{value.year + BE_OFFSET}"


def parse_be_date(text):
    """Return the date that "วว/ดด/ปปปป" (B.E.) names, or raise ValidationError in Thai.

    Steps:
    1. Thai digits become Arabic ones; "/", "." or "-" separate day, month and year.
    2. A year that is not B.E. (a C.E. year such as 2026, or two digits) is refused, not
       guessed at: guessing is how a month was once opened until 3112.
    3. A day the month does not have (31/02) is refused by name.
    """
    text = str(text).strip().translate(THAI_DIGITS)
    match = DATE_PATTERN.match(text)
    if not match:
        raise ValidationError(
            "กรุณาพิมพ์วันที่เป็น วัน/เดือน/ปี พ.ศ. เช่น %(example)s",
            code="invalid",
            params={"example": DATE_EXAMPLE},
        )
    day, month, year = (int(part) for part in match.groups())
    if not MIN_BE_YEAR <= year <= MAX_BE_YEAR:
        raise ValidationError(
            "ปี %(year)s ไม่ใช่ปี พ.ศ. ที่ใช้ได้ กรุณาพิมพ์ปี พ.ศ. 4 หลัก เช่น %(example)s",
            code="year",
            params={"year": year, "example": DATE_EXAMPLE},
        )
    if not 1 <= month <= 12:
        raise ValidationError(
            "ไม่มีเดือนที่ %(month)s (เดือนมี 01 ถึง 12)", code="month", params={"month": month}
        )
    try:
        return datetime.date(year - BE_OFFSET, month, day)
    except ValueError:
        raise ValidationError(
            "ไม่มีวันที่ %(day)s %(name)s %(year)s",
            code="day",
            params={"day": day, "name": month_name(month), "year": year},
        ) from None


def parse_time(text):
    """Return the time that "ชช:นน" (24-hour; "16.30 น." too) names, or raise in Thai."""
    text = str(text).strip().translate(THAI_DIGITS)
    match = TIME_PATTERN.match(text)
    if not match:
        raise ValidationError("กรุณาพิมพ์เวลาแบบ 24 ชั่วโมง เช่น 16:30", code="invalid")
    hour, minute = (int(part) for part in match.groups())
    if hour > 23 or minute > 59:
        raise ValidationError(
            "ไม่มีเวลา %(time)s (ชั่วโมง 00–23 นาที 00–59)",
            code="range",
            params={"time": f"{hour:02d}:{minute:02d}"},
        )
    return datetime.time(hour, minute)


class ThaiDateInput(forms.TextInput):
    """A text box that shows a date as 12/05/2569: no browser picker in the C.E. year."""

    def __init__(self, attrs=None):
        defaults = {
            "inputmode": "numeric",
            "placeholder": "วว/ดด/ปปปป",
            "autocomplete": "off",
            "data-thai-date": "",
        }
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return format_be_date(value)
        return super().format_value(value)


class ThaiTimeInput(forms.TextInput):
    """A text box that shows a time as 16:30 (24-hour)."""

    def __init__(self, attrs=None):
        defaults = {"inputmode": "numeric", "placeholder": "ชช:นน", "autocomplete": "off"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.time):
            return f"{value:%H:%M}"
        return super().format_value(value)


class ThaiDateField(forms.DateField):
    """A date typed วัน/เดือน/ปี พ.ศ.; refuses C.E. years and days a month lacks."""

    widget = ThaiDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return parse_be_date(value)


class ThaiTimeField(forms.TimeField):
    """A time typed on the 24-hour clock: 16:30 (or 16.30 น.)."""

    widget = ThaiTimeInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.time):
            return value
        return parse_time(value)


class ThaiSplitDateTimeWidget(forms.MultiWidget):
    """A B.E. date box and a 24-hour time box, for a moment in Asia/Bangkok."""

    def __init__(self, attrs=None):
        super().__init__([ThaiDateInput(attrs), ThaiTimeInput(attrs)], attrs)

    def decompress(self, value):
        if not value:
            return [None, None]
        local = value.astimezone(BANGKOK) if value.tzinfo else value
        return [local.date(), local.time().replace(second=0, microsecond=0)]


class ThaiDateTimeField(forms.MultiValueField):
    """A moment typed as a B.E. date and a 24-hour time, read in Asia/Bangkok."""

    widget = ThaiSplitDateTimeWidget

    def __init__(self, **kwargs):
        fields = (
            ThaiDateField(error_messages={"required": "กรุณาระบุวันที่"}),
            ThaiTimeField(error_messages={"required": "กรุณาระบุเวลา"}),
        )
        kwargs.setdefault("require_all_fields", True)
        super().__init__(fields, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        day, time = data_list
        return datetime.datetime.combine(day, time, tzinfo=BANGKOK)

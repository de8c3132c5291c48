"""The Thai fiscal calendar in one place.

A fiscal year (ปีงบประมาณ) runs from 1 October to 30 September and is named by the
Buddhist-era year in which it ends: FY 2562 runs from October 2561 to September 2562
(2018-10-01 to 2019-09-30). Months are the calendar's 1 to 12, so 10 is ตุลาคม, and a
fiscal year lists them ตุลาคม first. Every "today" is the date in Asia/Bangkok.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
# Calendar months in fiscal order: ตุลาคม first.
FISCAL_ORDER = (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)
# The fiscal years the system accepts in a URL or a form (B.E.).
MIN_FISCAL_YEAR = 2550
MAX_FISCAL_YEAR = 2700


def month_name(month):
    """Return the Thai name of calendar month 1-12."""
    return THAI_MONTHS[month - 1]


def be_year(ce_year):
    """Return the Buddhist-era year of a Common-era year."""
    return ce_year + BE_OFFSET


def now():
    """Return the current time in Asia/Bangkok."""
    return timezone.now().astimezone(BANGKOK)


def today():
    """Return today's date in Asia/Bangkok, whatever the server's zone."""
    return now().date()


def fiscal_year_of(day):
    """Return the B.E. fiscal year that contains a date."""
    return be_year(day.year) + (1 if day.month >= 10 else 0)


def current_fiscal_year():
    return fiscal_year_of(today())


def fiscal_months(fiscal_year):
    """Return the twelve FiscalMonths of a fiscal year, ตุลาคม first."""
    return [FiscalMonth(fiscal_year, month) for month in FISCAL_ORDER]


@dataclass(frozen=True, order=False)
class FiscalMonth:
    """One month of one fiscal year: the unit districts report in."""

    fiscal_year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1 to 12, not {self.month}")
        # One year each side of the accepted ones, so that ตุลาคม of MIN_FISCAL_YEAR still
        # has a previous month (pages prefill from it) and กันยายน of MAX_FISCAL_YEAR a next
        # one (pages link to it); URLs and forms check MIN..MAX themselves.
        if not MIN_FISCAL_YEAR - 1 <= self.fiscal_year <= MAX_FISCAL_YEAR + 1:
            raise ValueError(f"fiscal year {self.fiscal_year} is out of range")

    @classmethod
    def of(cls, day):
        """Return the FiscalMonth a date falls in."""
        return cls(fiscal_year_of(day), day.month)

    @classmethod
    def current(cls):
        return cls.of(today())

    @property
    def year_ce(self):
        """Return the calendar (C.E.) year of this month."""
        return self.fiscal_year - BE_OFFSET - (1 if self.month >= 10 else 0)

    @property
    def year_be(self):
        return be_year(self.year_ce)

    @property
    def order(self):
        """Return 1 for ตุลาคม up to 12 for กันยายน."""
        return FISCAL_ORDER.index(self.month) + 1

    @property
    def name(self):
        return month_name(self.month)

    @property
    def label(self):
        """Return the month as officers write it, e.g. "ตุลาคม 2561"."""
        return f"{self.name} {self.year_be}"

    @property
    def first_day(self):
        return datetime.date(self.year_ce, self.month, 1)

    @property
    def previous(self):
        """Return the month before; ตุลาคม's is the previous fiscal year's กันยายน."""
        if self.month == 10:
            return FiscalMonth(self.fiscal_year - 1, 9)
        return FiscalMonth(self.fiscal_year, 12 if self.month == 1 else self.month - 1)

    @property
    def next(self):
        if self.month == 9:
            return FiscalMonth(self.fiscal_year + 1, 10)
        return FiscalMonth(self.fiscal_year, 1 if self.month == 12 else self.month + 1)

    @property
    def deadline(self):
        """Return the last moment districts may confirm: the deadline day of the next month,
        23:59:59.999999 in Asia/Bangkok."""
        # From the calendar, not from self.next: กันยายน of the last supported fiscal year
        # has a deadline although the month after it is out of range.
        year, month = (self.year_ce + 1, 1) if self.month == 12 else (self.year_ce, self.month + 1)
        day = datetime.date(year, month, settings.OTOP_DEADLINE_DAY)
        return datetime.datetime.combine(day, datetime.time.max, tzinfo=BANGKOK)

    def has_started(self, on=None):
        """Tell whether the month has begun (a future month cannot be entered)."""
        return self.first_day <= (on or today())

    def days_to_deadline(self, at=None):
        """Return whole days left until the deadline (negative once it has passed)."""
        at = at or now()
        return (self.deadline.date() - at.astimezone(BANGKOK).date()).days

    def __str__(self):
        return self.label

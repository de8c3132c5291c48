"""What the property tests of bad input share: the month they write to, its snapshot, the
strategies of nasty text and amounts with what each should save as, and the count of the
examples run.

Every example runs inside a savepoint that is rolled back, so each starts from the same
month: three rows of district 5701 in November 2569 (FY 2570, month 11), one entered, one
district-confirmed and one province-confirmed, plus rows of another district and another
month whose ids a forged page may carry.
"""

import contextlib
import datetime
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.test import Client
from hypothesis import strategies as st

from confirmations.models import AuditEntry
from confirmations.services import confirm_district, confirm_province
from otopdoc.fiscal import BANGKOK, FiscalMonth
from reports.models import MonthTotal
from sales.models import (
    DistrictMonth,
    Estimate,
    EstimateMonth,
    ExportDetail,
    MonthlySale,
    Producer,
)
from sales.services import save_month

# 20 November 2569 (2026), 10:00 in Bangkok: November of FY 2570 is open for writing.
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=BANGKOK)
MONTH = FiscalMonth(2570, 11)
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
COUNTS = {}


def count(form):
    COUNTS[form] = COUNTS.get(form, 0) + 1


def write_counts():
    """Print the examples run per form and write them to test-artifacts/fuzz-counts.txt."""
    lines = [f"{form}: {n}" for form, n in sorted(COUNTS.items())]
    lines.append(f"total: {sum(n for form, n in COUNTS.items() if 'saved' not in form)}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fuzz-counts.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\nfuzz counts:", "; ".join(lines))


@contextlib.contextmanager
def rolled_back():
    """Run an example in a savepoint and undo everything it wrote."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def client_of(user):
    """Return a test client signed in as `user` that returns a 500 instead of raising."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def base_month(geography, officers):
    """Write the month every example starts from; return its rows and the foreign ids."""
    mueang, wiang_chai = geography["mueang_cr"], geography["wiang_chai"]
    owner = officers["owner"]
    rows = [
        {"id": None, "name": n, "product_type": t, "producer_type": "group", "domestic": d}
        | {"export": e}
        for n, t, d, e in (
            ("กลุ่มหนึ่ง", "food", Decimal("100.00"), Decimal("0.00")),
            ("กลุ่มสอง", "textile", Decimal("2000.50"), Decimal("10.00")),
            ("กลุ่มสาม", "food", Decimal("5.00"), Decimal("0.00")),
        )
    ]
    save_month(mueang, MONTH, owner, 0, rows, [])
    saved = {s.producer.name: s for s in MonthlySale.objects.for_month(mueang, MONTH)}
    two, three = saved["กลุ่มสอง"], saved["กลุ่มสาม"]
    shown = {s.pk: s.version for s in saved.values()}
    confirm_district(mueang, MONTH, owner, shown, {two.pk, three.pk})
    shown = {s.pk: s.version for s in MonthlySale.objects.for_month(mueang, MONTH)}
    confirm_province(mueang, MONTH, officers["province"], shown, {three.pk})
    neighbour_row = {**rows[0], "name": "กลุ่มข้างเคียง"}
    save_month(wiang_chai, MONTH, officers["neighbour"], 0, [neighbour_row], [])
    save_month(mueang, MONTH.previous, owner, 0, [{**rows[0], "name": "กลุ่มเดือนก่อน"}], [])
    foreign = [
        MonthlySale.objects.get(district=wiang_chai).pk,
        MonthlySale.objects.get(month=MONTH.previous.month).pk,
    ]
    return {
        "ids": [s.pk for s in MonthlySale.objects.for_month(mueang, MONTH).order_by("pk")],
        "foreign": foreign,
    }


def snapshot():
    """Return everything a bad submission might have written, comparable with ==."""

    def rows(queryset, *fields):
        return sorted(queryset.values_list(*fields), key=repr)

    return {
        "sales": rows(
            MonthlySale.objects.all(),
            "id",
            "producer_id",
            "district_id",
            "product_type",
            "fiscal_year",
            "month",
            "domestic",
            "export",
            "version",
            "district_confirmed_at",
            "province_confirmed_at",
            "returned_at",
            "returned_reason",
        ),
        "producers": rows(Producer.objects.all(), "id", "name", "district_id", "producer_type"),
        "audit": AuditEntry.objects.count(),
        "months": rows(
            DistrictMonth.objects.all(), "district_id", "fiscal_year", "month", "revision"
        ),
        "totals": rows(
            MonthTotal.objects.all(),
            *(f.attname for f in MonthTotal._meta.concrete_fields if f.attname != "id"),
        ),
        "estimates": rows(
            Estimate.objects.all(), "id", "district_id", "certifier_name", "certifier_position"
        ),
        "estimate_months": rows(
            EstimateMonth.objects.all(), "estimate_id", "month", "domestic", "export"
        ),
        "exports": rows(
            ExportDetail.objects.all(),
            "id",
            "province_id",
            "fiscal_year",
            "month",
            "producer_id",
            "product",
            "value",
            "country",
            "agency",
            "channel",
        ),
    }


def changed_tables(before, after):
    return sorted(name for name in before if before[name] != after[name])


# --- what counts as clean text ------------------------------------------------------------


def has_control(text):
    """Tell whether text holds a character that must never be saved (independent oracle)."""
    return any(
        (unicodedata.category(c) == "Cc" and c not in "\t\n\r") or c in "\ufffe\uffff" for c in text
    )


def folded(text):
    """The name an officer meant: runs of whitespace as one space, none at the ends."""
    return " ".join(text.split())


# --- strategies ----------------------------------------------------------------------------

# "unknown": the test does not predict whether the form accepts the value, only what a
# saved value must then look like.
UNKNOWN, INVALID = object(), object()

nasty_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
) | st.sampled_from(
    [
        "\x00",
        "กลุ่ม\x00อาหาร",
        "กลุ่ม\x01",
        "\x1b[31mแดง",
        "\u202eกลุ่มกลับด้าน",
        "مجموعة الطعام",
        "กลุ่ม 🍜🌶️",
        "\ufeffกลุ่ม",
        "\u200b",
        "e\u0301",
        "\x85",
        "\uffff",
        "<script>alert(1)</script>",
        "'; DROP TABLE sales_monthlysale; --",
        "ก" * 201,
        " ",
    ]
)

good_names = st.sampled_from(
    ["กลุ่มหนึ่ง", "กลุ่มสอง", "กลุ่มสาม", "กลุ่มใหม่", "กลุ่ม  ทอผ้า ", "กลุ่ม 🍜", "مجموعة", "OTOP Ltd."]
)


@st.composite
def names(draw, clean=False, limit=200):
    """A name and what it saves as: a good one folded, else UNKNOWN or INVALID.

    `clean` draws only good names, so that whole pages can be valid and saved; `limit` is the
    field's length (200 for names, 1,000 for a send-back reason).
    """
    text = draw(good_names if clean else good_names | nasty_text)
    return text, name_expectation(text, limit)


# The longest text each free-text field takes (the forms' max_length).
TEXT_LIMITS = {"name": 200, "product": 200, "agency": 200, "reason": 1000}


def name_expectation(text, limit=200):
    if text in ("กลุ่มหนึ่ง", "กลุ่มสอง", "กลุ่มสาม", "กลุ่มใหม่", "กลุ่ม  ทอผ้า ", "กลุ่ม 🍜"):
        return folded(text)
    if not folded(text) or has_control(text.strip()) or len(text.strip()) > limit:
        return INVALID
    return UNKNOWN


# A name with a control character somewhere (C0, DEL, C1, or a non-character).
controlled = st.tuples(
    st.sampled_from(["กลุ่ม", "", "a"]),
    st.characters(categories=["Cc"]) | st.sampled_from(["\x00", "\ufffe", "\uffff"]),
    st.sampled_from(["อาหาร", "", "b"]),
).map("".join)


@st.composite
def bad_cells(draw, field):
    """One cell that spoils a good page (or, rarely, does not): (text, expected)."""
    if field in TEXT_LIMITS:
        text = draw(controlled | nasty_text)
        return text, name_expectation(text, TEXT_LIMITS[field])
    return draw(st.sampled_from(BAD_AMOUNTS)), INVALID


THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@st.composite
def good_amounts(draw):
    """A valid amount as officers type it (grouped, Thai digits, spaces) and its Decimal."""
    satang = draw(st.integers(0, 99_999_999_999_999))
    value = Decimal(satang).scaleb(-2)
    style = draw(st.sampled_from(["plain", "grouped", "thai", "spaced", "whole"]))
    if style == "whole":
        value = value.to_integral_value()
        return str(value), value
    text = f"{value:,}" if style in ("grouped", "thai") else str(value)
    if style == "thai":
        text = text.translate(THAI)
    if style == "spaced":
        text = f"  {text} "
    return text, value


BAD_AMOUNTS = [
    "1e400",
    "-1e400",
    "1e5",
    "-0.01",
    "-5",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "9" * 40,
    "1e-30",
    "1,2,3",
    "12,34",
    "1 000",
    "1.234",
    "0x10",
    "1_000",
    "١٢٣",
    "1\x00",
    "\x00",
    "1,000,000,000,000.00",
    "999999999999.995",
    "--1",
    "+-1",
    ".",
    ",",
    "บาท",
]
ODD_GOOD = {"-0": Decimal("0"), "+7": Decimal("7"), "12.500": Decimal("12.5"), ".5": Decimal("0.5")}


@st.composite
def amounts(draw, clean=False):
    """Return (text, expected) for an amount cell: a Decimal, INVALID, UNKNOWN, or None (blank)."""
    kinds = ["good", "good", "odd", "blank"] if clean else ["good", "good", "bad", "odd"]
    kind = draw(st.sampled_from(kinds + ([] if clean else ["blank", "random"])))
    if kind == "good":
        return draw(good_amounts())
    if kind == "bad":
        return draw(st.sampled_from(BAD_AMOUNTS)), INVALID
    if kind == "odd":
        text = draw(st.sampled_from(sorted(ODD_GOOD)))
        return text, ODD_GOOD[text]
    if kind == "blank":
        return draw(st.sampled_from(["", "   "])), None
    return draw(nasty_text), UNKNOWN


def amount_matches(saved, expected):
    """Tell whether a saved amount is what was posted (Decimal exact), or plausible if unknown."""
    if expected is UNKNOWN:
        return saved.is_finite() and saved >= 0 and saved == saved.quantize(Decimal("0.01"))
    if expected is None:
        return saved == 0
    return expected is not INVALID and saved == expected


garbage_ints = st.sampled_from(
    [
        "",
        "-1",
        "0",
        "abc",
        "1.5",
        "9" * 40,
        "99999999999999999999",
        "๓",
        " 1",
        "1e3",
        "\x00",
        "None",
    ]
)

choice_text = st.sampled_from(
    ["food", "textile", "drink", "herb", "", "FOOD", "อาหาร", "x", "\x00"]
)
producer_type_text = st.sampled_from(["group", "single", "sme", "", "GROUP", "บุคคล", "\x00"])

junk_fields = st.dictionaries(
    st.text(min_size=1, max_size=12) | st.sampled_from(["csrfmiddlewaretoken", "id", "rows-"]),
    st.text(max_size=20),
    max_size=3,
)

STATUSES = {200, 302, 400}
MONEY_RE = re.compile(r"^\d+\.\d{2}$")

"""The estimate form (แบบประมาณการรายได้): twelve months of expected sales of a district."""

from decimal import Decimal

from django import forms
from django.db import IntegrityError, transaction

from otopdoc.fiscal import fiscal_months
from otopdoc.templatetags.thai import be
from sales.fields import AmountField, PlainTextField
from sales.models import Estimate, EstimateMonth

COLUMNS = ("domestic", "export")
COLUMN_LABELS = {"domestic": "ภายในประเทศ (บาท)", "export": "ส่งออกต่างประเทศ (บาท)"}


class EstimateConflict(Exception):
    """Someone saved the estimate after this officer opened it."""


def version_of(estimate):
    """Return the token a page carries to tell whether the estimate changed meanwhile."""
    return estimate.updated_at.isoformat() if estimate is not None else ""


class EstimateForm(forms.Form):
    """Domestic and export amounts of each month of a fiscal year, and who certifies them.

    The amount fields are named ``domestic_<month>`` and ``export_<month>`` by calendar
    month (10 is ตุลาคม); a blank amount is 0.
    """

    certifier_name = PlainTextField(
        label="ชื่อผู้รับรอง (พัฒนาการอำเภอ)",
        max_length=200,
        required=False,
        error_messages={"max_length": "ชื่อยาวได้ไม่เกิน %(limit_value)d ตัวอักษร"},
    )
    certifier_position = PlainTextField(
        label="ตำแหน่ง",
        max_length=200,
        required=False,
        error_messages={"max_length": "ตำแหน่งยาวได้ไม่เกิน %(limit_value)d ตัวอักษร"},
    )

    def __init__(self, *args, fiscal_year, estimate=None, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fiscal_year = fiscal_year
        self.estimate = estimate
        self.months = fiscal_months(fiscal_year)
        saved = {m.month: m for m in months}
        if estimate is not None:
            self.initial.setdefault("certifier_name", estimate.certifier_name)
            self.initial.setdefault("certifier_position", estimate.certifier_position)
        for fm in self.months:
            for column in COLUMNS:
                name = f"{column}_{fm.month}"
                self.fields[name] = AmountField(
                    label=f"{fm.label} {COLUMN_LABELS[column]}",
                    widget=forms.TextInput(
                        attrs={
                            "class": "form-control text-end amount",
                            "data-column": column,
                            "aria-label": f"{fm.label} {COLUMN_LABELS[column]}",
                        }
                    ),
                )
                if fm.month in saved:
                    self.initial.setdefault(name, getattr(saved[fm.month], column))
        self.fields["certifier_name"].widget.attrs.update({"class": "form-control"})
        self.fields["certifier_position"].widget.attrs.update(
            {"class": "form-control", "placeholder": "เช่น พัฒนาการอำเภอ"}
        )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"

    def rows(self):
        """Return each month with its two bound fields and its total (None if unknown)."""
        rows = []
        for fm in self.months:
            amounts = [self._amount(f"{column}_{fm.month}") for column in COLUMNS]
            rows.append(
                {
                    "month": fm,
                    "domestic": self[f"domestic_{fm.month}"],
                    "export": self[f"export_{fm.month}"],
                    "domestic_amount": amounts[0],
                    "export_amount": amounts[1],
                    "total": None if None in amounts else sum(amounts, Decimal("0.00")),
                }
            )
        return rows

    def totals(self):
        """Return the sums of the domestic, export and total columns (None if unknown)."""
        rows = self.rows()
        sums = {}
        for key in ("domestic_amount", "export_amount", "total"):
            values = [row[key] for row in rows]
            sums[key] = None if None in values else sum(values, Decimal("0.00"))
        return sums

    def _amount(self, name):
        """Return a field's amount: cleaned once bound, else the saved one (blank is 0)."""
        if self.is_bound:
            return self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
        return self.initial.get(name) or Decimal("0.00")

    def save(self, district, user, seen_version=None):
        """Write the estimate and its twelve months, all or nothing.

        Steps:
        1. Lock the district's estimate of the year (if there is one).
        2. If the page carried a version and the estimate has changed since, raise
           EstimateConflict and write nothing.
        3. Create or update the estimate with the certifier and who saved it.
        4. Insert or update the twelve months in one statement.
        """
        try:
            with transaction.atomic():
                estimate = (
                    Estimate.objects.select_for_update()
                    .filter(district=district, fiscal_year=self.fiscal_year)
                    .first()
                )
                if seen_version is not None and seen_version != version_of(estimate):
                    raise EstimateConflict(_conflict_message(estimate))
                if estimate is None:
                    estimate = Estimate(district=district, fiscal_year=self.fiscal_year)
                estimate.certifier_name = self.cleaned_data["certifier_name"]
                estimate.certifier_position = self.cleaned_data["certifier_position"]
                estimate.updated_by = user
                estimate.save()
                EstimateMonth.objects.bulk_create(
                    [
                        EstimateMonth(
                            estimate=estimate,
                            month=fm.month,
                            domestic=self.cleaned_data[f"domestic_{fm.month}"],
                            export=self.cleaned_data[f"export_{fm.month}"],
                        )
                        for fm in self.months
                    ],
                    update_conflicts=True,
                    unique_fields=["estimate", "month"],
                    update_fields=["domestic", "export"],
                )
        except IntegrityError:
            # Two officers created the year's estimate at the same moment; the other won.
            raise EstimateConflict(_conflict_message(None)) from None
        self.estimate = estimate
        return estimate


def _conflict_message(estimate):
    who = ""
    if estimate is not None:
        saved_by = estimate.updated_by.get_username() if estimate.updated_by_id else ""
        who = f" โดย {saved_by}" if saved_by else ""
        who += f" เมื่อ {be(estimate.updated_at)}"
    return (
        f"มีผู้บันทึกแบบประมาณการฉบับนี้{who} ระหว่างที่ท่านแก้ไข"
        " ตัวเลขที่ท่านกรอกยังไม่ถูกบันทึก กรุณาตรวจสอบ แล้วกดบันทึกอีกครั้งหากต้องการบันทึกทับ"
    )

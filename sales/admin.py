"""Admin for geography, producers, monthly sales and the department's lock exceptions.

Every changelist names its foreign keys through list_select_related, so a page costs the
same few queries whatever its length. The sales table is large (about 1.4 million rows a
fiscal year): its filters have fixed choices and it skips the unfiltered count.
"""

from django import forms
from django.contrib import admin

from otopdoc import fiscal
from otopdoc.fiscal import FiscalMonth
from otopdoc.forms import exception_problems
from otopdoc.thaidates import ThaiDateTimeField
from sales.models import (
    Cluster,
    District,
    LockException,
    MonthlySale,
    Producer,
    Province,
    Subdistrict,
)


class FiscalYearFilter(admin.SimpleListFilter):
    """The last ten fiscal years, without a DISTINCT over the whole table."""

    title = "ปีงบประมาณ"
    parameter_name = "fiscal_year"

    def lookups(self, request, model_admin):
        current = fiscal.current_fiscal_year()
        return [(year, str(year)) for year in range(current, current - 10, -1)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(fiscal_year=self.value())
        return queryset


class MonthFilter(admin.SimpleListFilter):
    """The twelve months by Thai name, ตุลาคม first."""

    title = "เดือน"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        return [(month, fiscal.month_name(month)) for month in fiscal.FISCAL_ORDER]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(month=self.value())
        return queryset


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["region", "name_th"]
    search_fields = ["name_th"]


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "cluster"]
    list_filter = ["cluster"]
    list_select_related = ["cluster"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_filter = ["province"]
    list_select_related = ["province"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "district"]
    list_select_related = ["district"]
    search_fields = ["code", "name_th", "name_en"]
    raw_id_fields = ["district"]


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "province", "producer_type", "created_at"]
    list_filter = ["district__province", "producer_type"]
    list_select_related = ["district__province"]
    search_fields = ["name"]
    autocomplete_fields = ["district"]
    raw_id_fields = ["subdistrict"]

    @admin.display(description="จังหวัด", ordering="district__province")
    def province(self, producer):
        return producer.district.province


@admin.register(MonthlySale)
class MonthlySaleAdmin(admin.ModelAdmin):
    """Read mostly: rows come from the entry page; the admin corrects a rare mistake."""

    list_display = [
        "producer",
        "district",
        "product_type",
        "fiscal_year",
        "month_name",
        "domestic",
        "export",
        "total",
        "district_confirmed_at",
        "province_confirmed_at",
    ]
    list_filter = [FiscalYearFilter, MonthFilter, "product_type"]
    list_select_related = ["producer", "district"]
    search_fields = ["producer__name", "=district__code"]
    raw_id_fields = [
        "producer",
        "district",
        "district_confirmed_by",
        "province_confirmed_by",
        "updated_by",
    ]
    readonly_fields = [
        "total",
        "district_confirmed_at",
        "district_confirmed_by",
        "province_confirmed_at",
        "province_confirmed_by",
        "version",
        "created_at",
        "updated_at",
        "updated_by",
    ]
    show_full_result_count = False

    @admin.display(description="เดือน", ordering="month")
    def month_name(self, sale):
        return fiscal.month_name(sale.month)


class LockExceptionAdminForm(forms.ModelForm):
    """The exception screen's rules, for exceptions granted or changed in the admin."""

    open_until = ThaiDateTimeField(
        label="เปิดให้บันทึกถึง (วัน/เดือน/ปี พ.ศ. และเวลา 24 ชั่วโมง)",
        help_text="เช่น 12/05/2569 16:30 เวลาประเทศไทย",
    )

    class Meta:
        model = LockException
        fields = ["district", "province", "fiscal_year", "month", "open_until", "reason"]

    def clean(self):
        cleaned = super().clean()
        fiscal_month = None
        if cleaned.get("fiscal_year") and cleaned.get("month"):
            try:
                fiscal_month = FiscalMonth(cleaned["fiscal_year"], cleaned["month"])
            except ValueError:
                self.add_error(
                    "fiscal_year",
                    f"ปีงบประมาณต้องอยู่ระหว่าง {fiscal.MIN_FISCAL_YEAR} ถึง {fiscal.MAX_FISCAL_YEAR}",
                )
        problems = exception_problems(
            cleaned.get("district"),
            cleaned.get("province"),
            fiscal_month,
            cleaned.get("open_until"),
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return cleaned


@admin.register(LockException)
class LockExceptionAdmin(admin.ModelAdmin):
    form = LockExceptionAdminForm
    list_display = [
        "area",
        "fiscal_year",
        "month_name",
        "open_until",
        "reason",
        "granted_by",
        "granted_at",
        "withdrawn_at",
    ]
    list_filter = [FiscalYearFilter, MonthFilter]
    list_select_related = ["district__province", "province", "granted_by"]
    autocomplete_fields = ["district", "province"]
    readonly_fields = ["granted_by", "granted_at", "withdrawn_by", "withdrawn_at"]

    @admin.display(description="พื้นที่")
    def area(self, exc):
        if exc.district_id:
            return f"อำเภอ{exc.district.name_th} จังหวัด{exc.district.province.name_th}"
        return f"จังหวัด{exc.province.name_th} (ทุกอำเภอ)"

    @admin.display(description="เดือน", ordering="month")
    def month_name(self, exc):
        return fiscal.month_name(exc.month)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)

"""The audit trail in the admin: to read and search, never to add, change or delete.

Not even a superuser may change a record here; the model, its queryset and (on PostgreSQL)
a database trigger refuse it as well.
"""

from django.contrib import admin

from confirmations.models import AuditEntry
from otopdoc import fiscal
from sales.admin import FiscalYearFilter, MonthFilter


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "action",
        "sale_id",
        "district",
        "province",
        "fiscal_year",
        "month_name",
        "user",
        "reason",
    ]
    list_filter = ["action", FiscalYearFilter, MonthFilter, "district__province"]
    list_select_related = ["district__province", "user"]
    search_fields = ["=sale_id", "=district__code", "user__username", "reason"]
    fields = [
        "at",
        "action",
        "sale_id",
        "district",
        "fiscal_year",
        "month",
        "user",
        "old",
        "new",
        "reason",
    ]
    readonly_fields = fields
    # The table only grows: counting all of it on every page is not worth the time.
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="จังหวัด", ordering="district__province")
    def province(self, entry):
        return entry.district.province

    @admin.display(description="เดือน", ordering="month")
    def month_name(self, entry):
        return fiscal.month_name(entry.month)

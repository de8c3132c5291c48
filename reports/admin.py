from django.contrib import admin

from reports.models import Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["province", "fiscal_year", "base", "target", "source"]
    list_filter = ["fiscal_year"]
    list_select_related = ["province"]
    search_fields = ["province__name_th", "=province__code"]
    autocomplete_fields = ["province"]
    readonly_fields = ["target", "loaded_at"]

    @admin.display(description="เป้าหมาย (ฐาน + 23%)")
    def target(self, target):
        return target.target

from django.contrib import admin

from privacy.models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the record of who read personal data is not edited by anyone."""

    list_display = ["at", "user", "client", "channel", "what", "scope"]
    list_filter = ["channel"]
    search_fields = ["user__username", "client", "what", "scope"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

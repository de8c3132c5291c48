from django.contrib import admin, messages
from django.utils import timezone

from api.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """API clients are made by `manage.py create_api_client` (it prints the token once);
    the admin lists them and revokes them."""

    list_display = ["name", "user", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name"]
    readonly_fields = ["name", "user", "token_hash", "created_at"]
    fields = ["name", "user", "token_hash", "created_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="เพิกถอนโทเค็นของระบบที่เลือก")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"เพิกถอนแล้ว {count} ระบบ", messages.SUCCESS)

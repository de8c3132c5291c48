from django.contrib import admin, messages
from django.utils import timezone

from notifications.forms import ContactAdminForm
from notifications.models import Contact, Delivery, Event, State


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Admins set an officer's or an office's addresses; the form checks them as the page does."""

    form = ContactAdminForm
    list_display = ["__str__", "email", "line_id", "updated_at"]
    search_fields = ["user__username", "district__name_th", "province__name_th", "email"]
    autocomplete_fields = ["user", "district", "province"]
    list_select_related = ["user", "district", "province"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every e-mail and LINE delivery with its state; staff can send failed ones again."""

    list_display = [
        "id",
        "channel",
        "address",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
        "event",
    ]
    list_filter = ["state", "channel", "event__kind"]
    search_fields = ["address", "event__subject"]
    list_select_related = ["event"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]

    @admin.display(description="ข้อผิดพลาดล่าสุด")
    def short_error(self, delivery):
        return delivery.last_error[:120]

    @admin.action(description="ส่งอีกครั้ง (รายการที่ส่งไม่สำเร็จหรือรอส่ง)", permissions=["change"])
    def retry(self, request, queryset):
        count = queryset.filter(state__in=[State.FAILED, State.PENDING]).update(
            state=State.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"จะส่งอีกครั้ง {count} รายการ", messages.SUCCESS)

    def has_add_permission(self, request):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "subject", "district", "province"]
    list_filter = ["kind"]
    search_fields = ["subject", "key"]
    list_select_related = ["district", "province"]
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request):
        return False

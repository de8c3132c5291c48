from functools import cache

from notifications.models import Notification


def bell(request):
    """Put the signed-in user's unread count in every template, counted only if shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread():
        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"notifications_unread": unread}

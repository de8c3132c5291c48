from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "การแจ้งเตือน"

    def ready(self):
        # Listen to the events of the apps below (confirmations, sales) without them
        # importing this app.
        from notifications import receivers  # noqa: F401

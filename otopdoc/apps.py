from django.apps import AppConfig


class OtopdocConfig(AppConfig):
    name = "otopdoc"
    verbose_name = "เจ้าหน้าที่และระบบ"

    def ready(self):
        # Connects the sign-in signal that notes whether an officer has a second factor.
        from otopdoc import twofactor  # noqa: F401

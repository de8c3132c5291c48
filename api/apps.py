from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "API สำหรับระบบอื่น"

    def ready(self):
        # Registers the Bearer scheme with drf-spectacular, so the schema says how to sign in.
        from api import auth  # noqa: F401

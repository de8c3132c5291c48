from django.apps import AppConfig


class OtopdocConfig(AppConfig):
    name = "otopdoc"
    verbose_name = "เจ้าหน้าที่และระบบ"

from django.apps import AppConfig
from django.db.models.signals import post_save


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "รายงาน"

    def ready(self):
        from reports.versions import geography_changed
        from sales.models import Cluster, District, Province

        # The national pages' cache holds their names (reports.versions).
        for model in (Cluster, Province, District):
            post_save.connect(geography_changed, sender=model, dispatch_uid=f"versions-{model}")

from django.core.management.base import BaseCommand, CommandError

from sales.geography import CLUSTER_FIXTURE, GeographyError, load_geography


class Command(BaseCommand):
    help = (
        "Load the 18 province clusters, 76 provinces, 878 districts and their subdistricts "
        "from geothai and fixtures/province_clusters.csv. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clusters", default=CLUSTER_FIXTURE, help="cluster CSV")

    def handle(self, *args, clusters, **options):
        try:
            counts = load_geography(clusters)
        except (GeographyError, OSError, KeyError, ValueError) as exc:
            raise CommandError(f"Geography not loaded: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Geography: {clusters} clusters, {provinces} provinces, {districts} districts, "
                "{subdistricts} subdistricts.".format(**counts)
            )
        )

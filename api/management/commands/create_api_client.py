from django.core.management.base import BaseCommand, CommandError

from api.clients import create_api_client
from otopdoc.models import Role
from otopdoc.officers import OfficerError


class Command(BaseCommand):
    help = (
        "Create an API client scoped like an officer and print its token once, alone on the "
        "last line (only its hash is kept: copy it now)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the system that will connect, e.g. opdc-dashboard")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--area", help="district (4 digits) or province (2 digits) code")
        parser.add_argument(
            "--days", type=int, help="days until the token expires (default API_TOKEN_DAYS)"
        )

    def handle(self, *args, name, role, area=None, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        try:
            client, token = create_api_client(name, role, area, days)
        except OfficerError as error:
            raise CommandError(str(error)) from None
        officer = client.user.officer
        self.stdout.write(
            f"Created API client {client.name!r} ({officer.area_label}), "
            f"expires {client.expires_at:%Y-%m-%d}. Its token, shown only this once:"
        )
        self.stdout.write(token)

from django.core.management.base import BaseCommand, CommandError

from otopdoc.models import Role
from otopdoc.officers import OfficerError, create_officer


class Command(BaseCommand):
    help = (
        "Create an officer account: a user with one role and, for districts and provinces, "
        "its area. Non-interactive; creates nothing on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, help=" | ".join(Role.values))
        parser.add_argument("--area", help="4-digit district code or 2-digit province code")

    def handle(self, *args, username, password, role, area, **options):
        try:
            officer = create_officer(username, password, role, area)
        except OfficerError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {officer}."))

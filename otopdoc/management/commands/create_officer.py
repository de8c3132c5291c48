from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from notifications.contacts import set_contact
from otopdoc.models import Role
from otopdoc.officers import OfficerError, create_officer


class Command(BaseCommand):
    help = (
        "Create an officer account: a user with one role and, for districts and provinces, "
        "its area, and where it gets notifications. Non-interactive; creates nothing on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, help=" | ".join(Role.values))
        parser.add_argument("--area", help="4-digit district code or 2-digit province code")
        parser.add_argument("--email", default="", help="e-mail address for notifications")
        parser.add_argument(
            "--line-id", default="", help="LINE user ID (U + 32 hex) or group ID (C + 32 hex)"
        )

    def handle(self, *args, username, password, role, area, email, line_id, **options):
        try:
            with transaction.atomic():
                officer = create_officer(username, password, role, area)
                if email or line_id:
                    set_contact(officer.user, email=email, line_id=line_id)
        except OfficerError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {officer}."))

import csv

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from otopdoc.models import Officer, Role
from otopdoc.officers import random_password
from sales.models import District, Province


class Command(BaseCommand):
    help = (
        "Create one account per district and per province that has none, with a random "
        "password, and write them to a CSV to hand out. Existing accounts are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="CSV file to write the new accounts to")

    def handle(self, *args, out, **options):
        if not District.objects.exists():
            raise CommandError("No geography yet: run `python manage.py load_geography` first.")
        # The accounts exist only if their passwords reached the file: the CSV is written
        # inside the transaction, and a failure to write rolls the accounts back.
        try:
            with open(out, "x", encoding="utf-8-sig", newline="") as handle, transaction.atomic():
                rows = self._provision()
                writer = csv.writer(handle)
                writer.writerow(["username", "password", "role", "area_code", "area_name"])
                writer.writerows(rows)
        except FileExistsError:
            raise CommandError(f"{out} already exists; give a new file name.") from None
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}.") from exc
        self.stdout.write(self.style.SUCCESS(f"Created {len(rows)} accounts; written to {out}."))

    def _provision(self):
        """Create the missing accounts in bulk and return their CSV rows."""
        User = get_user_model()
        have_district = set(
            Officer.objects.filter(role=Role.DISTRICT).values_list("district_id", flat=True)
        )
        have_province = set(
            Officer.objects.filter(role=Role.PROVINCE).values_list("province_id", flat=True)
        )
        wanted = [
            (f"otop{d.code}", Role.DISTRICT, d.code, f"อำเภอ{d.name_th}", {"district_id": d.code})
            for d in District.objects.exclude(pk__in=have_district)
        ] + [
            (f"otop{p.code}", Role.PROVINCE, p.code, f"จังหวัด{p.name_th}", {"province_id": p.code})
            for p in Province.objects.exclude(pk__in=have_province)
        ]
        taken = set(
            User.objects.filter(username__in=[w[0] for w in wanted]).values_list(
                "username", flat=True
            )
        )
        if taken:
            raise CommandError(
                f"User names already used by other accounts: {', '.join(sorted(taken))}."
            )
        rows, users = [], []
        for username, _role, _code, _name, _area in wanted:
            password = random_password()
            user = User(username=username)
            user.set_password(password)
            users.append(user)
            rows.append(password)
        User.objects.bulk_create(users, batch_size=500)
        ids = dict(
            User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", "id")
        )
        Officer.objects.bulk_create(
            [Officer(user_id=ids[w[0]], role=w[1], **w[4]) for w in wanted], batch_size=500
        )
        return [
            [username, password, role, code, name]
            for (username, role, code, name, _area), password in zip(wanted, rows, strict=True)
        ]

import datetime
import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from notifications.worker import run_once
from otopdoc.fiscal import BANGKOK

log = logging.getLogger(__name__)


def moment(value):
    """Parse --now: an ISO time; without a zone it is Asia/Bangkok."""
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now {value!r} is not an ISO time, e.g. 2026-12-02T08:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BANGKOK)


class Command(BaseCommand):
    help = (
        "Queue the reminders and summaries due now, then send the due e-mail and LINE "
        "deliveries, retrying failures with backoff. Once, or --loop for systemd."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="run until SIGTERM or SIGINT")
        parser.add_argument(
            "--now",
            type=moment,
            help="act as if it were this moment (ISO time, Asia/Bangkok if no zone)",
        )
        parser.add_argument(
            "--interval",
            type=int,
            default=settings.NOTIFY_LOOP_SECONDS,
            help="seconds between rounds with --loop",
        )

    def handle(self, *args, loop=False, now=None, interval=60, **options):
        if loop and now is not None:
            raise CommandError("--now acts at one moment: use it without --loop.")
        if not loop:
            self.round(now or timezone.now())
            return
        stop = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.append(True))
        self.stdout.write(f"send_notifications: every {interval} s until SIGTERM")
        while not stop:
            close_old_connections()  # a connection older than DB_CONN_MAX_AGE, or broken
            try:
                self.round(timezone.now())
            except Exception:  # the database away for a moment: log, wait, try again
                log.exception("send_notifications: round failed")
            for _ in range(interval):
                if stop:
                    break
                time.sleep(1)
        self.stdout.write("send_notifications: stopped")

    def round(self, now):
        queued, sent, failed = run_once(now)
        at = now.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(f"{at}: queued {queued}, sent {sent}, failed {failed}")

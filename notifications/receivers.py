"""Turn the apps' events into queued notices, inside the transaction that caused them."""

from django.db.models import Count, Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from confirmations import signals
from notifications import events
from otopdoc.signals import lock_exception_withdrawn
from sales.models import LockException, MonthlySale


@receiver(signals.rows_sent_back)
def on_rows_sent_back(sender, district, fiscal_month, rows, reason, user=None, **kwargs):
    events.rows_sent_back(district, fiscal_month, rows, reason, by=user)


@receiver(signals.district_confirmed)
def on_district_confirmed(sender, district, fiscal_month, **kwargs):
    """Tell the province once this save left no row of the month unconfirmed."""
    counts = MonthlySale.objects.for_month(district, fiscal_month).aggregate(
        total=Count("id"), open=Count("id", filter=Q(district_confirmed_at__isnull=True))
    )
    if counts["total"] and not counts["open"]:
        events.district_finished(district, fiscal_month, counts["total"])


@receiver(lock_exception_withdrawn)
def on_lock_exception_withdrawn(sender, exception_id, **kwargs):
    exception = LockException.objects.select_related("district", "province").get(pk=exception_id)
    events.exception_withdrawn(exception)


@receiver(post_save, sender=LockException)
def on_lock_exception_saved(sender, instance, created, **kwargs):
    """A new exception is a grant; one saved with a withdrawal time is a withdrawal."""
    if created:
        events.exception_granted(instance)
    elif getattr(instance, "withdrawn_at", None):
        events.exception_withdrawn(instance)

"""The worker's one round: queue what the calendar makes due, then send what is due.

No broker: deliveries are rows. A worker claims one with a conditional UPDATE
(pending -> sending) in autocommit, so of two workers at once only one sees its UPDATE
change a row and sends; the other moves on. A claim left "sending" by a worker that died
is given back after CLAIM_TIMEOUT (the LINE retry key keeps a second push from showing
twice).
"""

import datetime
import logging

from django.conf import settings
from django.db.models import F

from notifications import schedule
from notifications.models import Delivery, State
from notifications.transports import TRANSPORTS

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = datetime.timedelta(minutes=15)
# The longest wait between two tries.
MAX_BACKOFF = datetime.timedelta(hours=6)


def run_once(now, limit=500):
    """Queue due reminders, then send due deliveries; return (queued, sent, failed)."""
    queued = schedule.plan(now)
    release_stale_claims(now)
    sent = failed = 0
    for pk in due_deliveries(now, limit):
        outcome = deliver(pk, now)
        sent += outcome == State.SENT
        failed += outcome in (State.PENDING, State.FAILED)
    return queued, sent, failed


def due_deliveries(now, limit):
    return list(
        Delivery.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def release_stale_claims(now):
    return Delivery.objects.filter(state=State.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT).update(
        state=State.PENDING
    )


def backoff(attempts):
    """Return the wait after the n-th failed try: NOTIFY_RETRY_SECONDS, doubling, capped."""
    seconds = settings.NOTIFY_RETRY_SECONDS * 2 ** (attempts - 1)
    return min(datetime.timedelta(seconds=seconds), MAX_BACKOFF)


def deliver(pk, now):
    """Claim one delivery and send it; return its new state, or None if another took it.

    Steps:
    1. Claim: UPDATE ... SET state=sending WHERE pk AND state=pending (one winner).
    2. Send through its channel's transport.
    3. Sent: keep when. Failed: keep the error; try again after the backoff, or give up
       (failed) after NOTIFY_MAX_ATTEMPTS tries or an error that retrying cannot fix.
    """
    claimed = Delivery.objects.filter(pk=pk, state=State.PENDING).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("event").get(pk=pk)
    try:
        TRANSPORTS[delivery.channel].send(delivery)
    except Exception as exc:  # a TransportError, or a fault of ours: kept, never raised
        give_up = (
            getattr(exc, "permanent", False) or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS
        )
        state = State.FAILED if give_up else State.PENDING
        log.warning("delivery %s try %s failed: %s", pk, delivery.attempts, exc)
        Delivery.objects.filter(pk=pk, state=State.SENDING).update(
            state=state,
            last_error=str(exc)[:2000],
            next_attempt_at=now + backoff(delivery.attempts),
        )
        return state
    Delivery.objects.filter(pk=pk, state=State.SENDING).update(state=State.SENT, sent_at=now)
    return State.SENT

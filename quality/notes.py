"""Explanations by the district and follow-up marks by the province or department (issue 15.2).

A note lives beside its row (quality.models.RowNote): it changes no figure, no
confirmation and no version, so a confirmation page open elsewhere stays valid, and a
send-back (which rewrites the row's confirmations) leaves it in place. Every change is
an entry in the row's audit trail, in the same transaction.
"""

from django.db import transaction
from django.utils import timezone

from confirmations.models import Action, AuditEntry
from quality.models import RowNote


def _note_for(sale):
    note, _ = RowNote.objects.select_for_update().get_or_create(
        sale=sale,
        defaults={
            "district_id": sale.district_id,
            "fiscal_year": sale.fiscal_year,
            "month": sale.month,
        },
    )
    return note


def _audit(sale, action, user, now, old, new):
    AuditEntry.of(sale, action, user, now, old, new).save()


@transaction.atomic
def explain(sale, user, text):
    """Set the district's explanation of a row; return False when nothing changed.

    Steps: lock the row's note (create it if new), write the text, who and when, and
    audit the old and new text.
    """
    text = " ".join((text or "").split())
    note = _note_for(sale)
    if note.explanation == text:
        return False
    now = timezone.now()
    old = note.explanation
    note.explanation, note.explained_at, note.explained_by = text, now, user
    note.save()
    _audit(sale, Action.EXPLAIN, user, now, {"explanation": old}, {"explanation": text})
    return True


@transaction.atomic
def mark_follow_up(sale, user, follow_up, text=""):
    """Mark a row for follow-up with a note, or take the mark off; False if nothing changed.

    Steps: lock the row's note (create it if new), set the mark, its note, who and when,
    and audit the old and new values.
    """
    text = " ".join((text or "").split()) if follow_up else ""
    note = _note_for(sale)
    if note.follow_up == follow_up and note.follow_up_note == text:
        return False
    now = timezone.now()
    old = {"follow_up": note.follow_up, "follow_up_note": note.follow_up_note}
    note.follow_up, note.follow_up_note = follow_up, text
    note.follow_up_at, note.follow_up_by = now, user
    note.save()
    _audit(sale, Action.FOLLOW_UP, user, now, old, {"follow_up": follow_up, "follow_up_note": text})
    return True

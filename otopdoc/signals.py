"""What the ground tells the apps above it (notifications listens), inside the transaction."""

from django.dispatch import Signal

# exception_id, user, at: the department withdrew a calendar exception before its time.
lock_exception_withdrawn = Signal()

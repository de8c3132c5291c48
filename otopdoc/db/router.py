"""Send the reports' reads to a PostgreSQL read replica, and everything else to the primary.

Django's routers see models, not views, so a view says that it only reads: the decorator
`reads_from_replica` marks its request in a context variable, and `ReplicaRouter` reads the
report data (the sales, confirmations and reports apps) of a marked request from the
"replica" alias. Everything else goes to "default": every write, every read of a request
that is not a GET or HEAD, every read inside a transaction, and the reads of sign-ins,
sessions, axes, officers and the calendar even in a report.

A replica may be a few seconds behind the primary, so only the reports, the completeness
pages and the nation's home page are marked; an officer's own entry, confirmation and home
pages always read the primary, where their save has just landed.

The router is on only when DATABASE_REPLICA_URL is set (otopdoc.settings); without it the
decorator marks the request and nothing reads the mark.
"""

import functools
from contextvars import ContextVar

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"
# The apps whose rows a report shows. Auth, sessions, axes and otopdoc (officers, their
# scope) stay on the primary: a lagging replica must not undo a sign-out or a new role.
REPORT_APPS = frozenset({"sales", "confirmations", "reports"})
SAFE_METHODS = frozenset({"GET", "HEAD"})

_replica_reads = ContextVar("replica_reads", default=False)


def reads_from_replica(view):
    """Let the view's report reads go to the replica when it answers a GET or HEAD."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _replica_reads.set(request.method in SAFE_METHODS)
        try:
            return view(request, *args, **kwargs)
        finally:
            _replica_reads.reset(token)

    return wrapped


class ReplicaRouter:
    """Route the report reads of a marked request to the replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        if (
            _replica_reads.get()
            and model._meta.app_label in REPORT_APPS
            # A read inside a transaction on the primary belongs to a write: it must see it.
            and not connections[PRIMARY].in_atomic_block
        ):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary, so rows of either may be related.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema by replication; never migrate it.
        return db == PRIMARY

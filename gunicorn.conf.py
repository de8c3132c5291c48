"""Gunicorn's settings in production: `gunicorn -c gunicorn.conf.py otopdoc.wsgi`.

`make serve` and the systemd unit in docs/deploy.md both use this file. The environment may
change the address (GUNICORN_BIND), the number of workers (WEB_CONCURRENCY) and the timeout
(GUNICORN_TIMEOUT); a command-line option wins over all of them.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Two workers per core plus one (gunicorn's advice), each with a few threads: a thread waiting
# for PostgreSQL leaves the core to another, and the deadline-day load test
# (benchmarks/load/) served 6.3 requests/s with 5 workers of 4 threads against 3.8 with 5
# sync workers on a 2-core machine. More would not serve more: its pages spend four to five
# times as much CPU in the worker as in PostgreSQL (server and database CPU per request,
# benchmarks/load/README.md), so 5 workers already keep both cores busy. Each thread keeps
# its own database connection (DB_CONN_MAX_AGE), so workers x threads x app servers must
# stay under PostgreSQL's max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)

# A national Excel export of a whole year takes seconds, not minutes; 120 s leaves room on a
# busy day before gunicorn kills a worker that is still writing the sheet.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5

# Load Django once in the master and fork the workers from it: less memory per worker, and a
# bad setting stops the start with Django's message instead of a crash loop of workers. New
# code then needs a restart (systemctl restart otop), not a reload (HUP).
preload_app = True

# Replace each worker after about a thousand requests, at different times, so a slow leak
# (openpyxl workbooks, query caches) never grows and the workers do not restart together.
max_requests = 1000
max_requests_jitter = 100

# To standard output and error: systemd's journal (or the container's log) keeps them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The combined log format, then the time the request took in microseconds (%(D)s).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'

# Behind nginx on the same machine: trust its X-Forwarded-* headers from 127.0.0.1 only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

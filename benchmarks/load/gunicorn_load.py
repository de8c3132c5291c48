"""Gunicorn's settings for the load test: the production gunicorn.conf.py, plus a CPU log.

benchmarks/load/serve.sh starts gunicorn with `-c benchmarks/load/gunicorn_load.py`. Every
production setting comes from gunicorn.conf.py unchanged; options on serve.sh's command line
still win. With LOAD_CPU_LOG set to a file, each request appends one line to it:

    <method> <path> <status> <CPU ms of the thread that served it> <ms of it in gc>

which run.py sums by kind of request. time.thread_time() counts the serving thread's own
CPU: the middleware, the view, the template and the database driver's Python side, not
PostgreSQL's work nor the time the thread waited for the GIL. The last figure is the
garbage collector's share of it (collections that started in that thread).
"""

import gc
import os
import threading
import time
from pathlib import Path

PRODUCTION = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
exec(compile(PRODUCTION.read_text(), str(PRODUCTION), "exec"))

CPU_LOG = os.environ.get("LOAD_CPU_LOG")
_log = {}
_gc = threading.local()


def _gc_clock(phase, info):
    if phase == "start":
        _gc.started = time.thread_time()
    elif hasattr(_gc, "started"):
        _gc.spent = getattr(_gc, "spent", 0.0) + time.thread_time() - _gc.started


def post_fork(server, worker):
    if CPU_LOG:
        # One append-only file shared by the workers: each line is one short write, which
        # O_APPEND keeps whole.
        _log["file"] = open(CPU_LOG, "a", buffering=1)  # noqa: SIM115 (the worker's lifetime)
        _log["lock"] = threading.Lock()
        gc.callbacks.append(_gc_clock)


def pre_request(worker, req):
    _gc.spent = 0.0
    req.cpu_started = time.thread_time()


def post_request(worker, req, environ, resp):
    if "file" not in _log or not hasattr(req, "cpu_started"):
        return
    cpu_ms = (time.thread_time() - req.cpu_started) * 1000
    status = resp.status_code if resp is not None else 0
    with _log["lock"]:
        gc_ms = getattr(_gc, "spent", 0.0) * 1000
        _log["file"].write(f"{req.method} {req.path} {status} {cpu_ms:.2f} {gc_ms:.2f}\n")

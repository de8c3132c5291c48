#!/bin/sh
# Start gunicorn for the load test in the foreground: the production gunicorn.conf.py and
# settings, over plain HTTP on 127.0.0.1 (no TLS here, so the secure-cookie and
# HTTPS-redirect settings are off).
# Usage: benchmarks/load/serve.sh   (Ctrl-C stops it)
# Environment: DATABASE_URL (default otop_load), PORT (8002), WORKERS (5),
# THREADS (4 threads a worker), PYTHON (.venv/bin/python).
set -eu
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/otop_load}
export DEBUG=0
export SECRET_KEY=${SECRET_KEY:-$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')}
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
# The load test signs in with passwords only: it measures the pages, not the second factor.
export OTOP_REQUIRE_2FA=0
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
"$PYTHON" manage.py collectstatic --noinput -v 0
PORT=${PORT:-8002}
# run.py finds the server's pid and each request's CPU time here (benchmarks/load/cpu.py).
RUN_DIR=${TMPDIR:-/tmp}
export LOAD_CPU_LOG="$RUN_DIR/otop-load-$PORT.cpu.log"
: >"$LOAD_CPU_LOG"
# The production gunicorn.conf.py (through gunicorn_load.py, which adds the CPU log), on
# another port and with a shorter access log line.
exec "$PYTHON" -m gunicorn -c benchmarks/load/gunicorn_load.py otopdoc.wsgi \
    --pid "$RUN_DIR/otop-load-$PORT.pid" \
    --bind "127.0.0.1:$PORT" \
    --workers "${WORKERS:-5}" \
    --threads "${THREADS:-4}" \
    --access-logformat '%(s)s %(m)s %(U)s %(L)ss'

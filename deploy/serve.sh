#!/bin/sh
# Start the production server (`make serve`): check the settings, migrate, collect the static
# files, then run gunicorn with gunicorn.conf.py.
#
# Settings come from the environment; `make serve` runs it through deploy/with-env.sh, which
# adds the ones of an untracked .env.production that the environment does not set.
set -eu
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
ENV_FILE=${ENV_FILE:-.env.production}

fail() {
    echo "make serve: $*" >&2
    exit 1
}

[ -n "${SECRET_KEY:-}" ] || fail "set SECRET_KEY (in the environment or in $ENV_FILE); generate one with: $PY -c 'import secrets; print(secrets.token_urlsafe(50))'"
case "${DATABASE_URL:-}" in
    postgres://* | postgresql://*) ;;
    *) fail "set DATABASE_URL to a PostgreSQL database, e.g. postgres://otop:PASSWORD@127.0.0.1:5432/otop" ;;
esac
case "${DEBUG:-0}" in
    0 | false | no | off | '') export DEBUG=0 ;;
    *) fail "DEBUG=$DEBUG: this is the production server; use make run to develop" ;;
esac

"$PY" manage.py check --deploy
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput
exec "$PY" -m gunicorn -c gunicorn.conf.py ${BIND:+--bind "$BIND"} otopdoc.wsgi

# The few verbs a newcomer needs. `make run` to try it, `make test` to check it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# npm ci writes this file: node_modules (axe-core for the accessibility test) is up to date.
NODE_STAMP := node_modules/.package-lock.json
HOST ?= 127.0.0.1:8000
# `make run` is development: DEBUG on, SQLite in the project unless DATABASE_URL says otherwise.
# It answers to the host it serves on (HOST=192.168.1.20:8000 lets a colleague's browser in;
# HOST=0.0.0.0:8000 answers to any name), as well as to 127.0.0.1 and localhost.
HOST_NAME = $(firstword $(subst :, ,$(HOST)))
RUN_ALLOWED_HOSTS = $(if $(filter 0.0.0.0,$(HOST_NAME)),*,127.0.0.1$(comma)localhost$(comma)$(HOST_NAME))
comma := ,
RUN_ENV = DEBUG=1 ALLOWED_HOSTS='$(RUN_ALLOWED_HOSTS)'
# `make serve` is production (docs/deploy.md): DEBUG off, PostgreSQL, gunicorn.conf.py. It reads
# SECRET_KEY and DATABASE_URL from the environment or an untracked .env.production, and refuses
# to start without them.
# `make backup` (same settings) dumps DATABASE_URL into BACKUP_DIR; `make restore-check`
# restores the latest dump into a scratch database and compares its row counts with the dump's.

.PHONY: run serve notify backup restore-check test install lint format migrations-check collectstatic clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(STAMP) $(NODE_STAMP)

run: $(STAMP)
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_geography
	$(RUN_ENV) $(PY) manage.py seed_demo --scale small --if-empty --host $(HOST)
	$(RUN_ENV) $(PY) manage.py runserver $(HOST)

serve: $(STAMP)
	PY=$(PY) BIND=$(HOST) deploy/with-env.sh deploy/serve.sh

# The notifications worker (docs/deploy.md section 10) with make serve's settings.
notify: $(STAMP)
	deploy/with-env.sh $(PY) manage.py send_notifications --loop

backup: $(STAMP)
	deploy/with-env.sh $(PY) deploy/pgbackup.py dump

restore-check: $(STAMP)
	deploy/with-env.sh $(PY) deploy/pgbackup.py check

test: $(STAMP) $(NODE_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(RUN_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrations-check: $(STAMP)
	$(RUN_ENV) $(PY) manage.py makemigrations --check --dry-run

collectstatic: $(STAMP)
	$(PY) manage.py collectstatic --noinput

clean:
	rm -rf $(VENV) node_modules staticfiles test-artifacts

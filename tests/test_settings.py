"""Settings read the environment and refuse values that make no sense."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import otopdoc.settings in a fresh interpreter with exactly these variables."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "-c", "import otopdoc.settings as s; print(s.DEBUG, s.TIME_ZONE)"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_starts_in_debug_without_a_secret_key():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "Asia/Bangkok"]


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_it_refuses_a_debug_that_is_not_a_boolean(value):
    result = load_settings(DEBUG=value, SECRET_KEY="x")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr and "not a boolean" in result.stderr


def test_it_refuses_a_calendar_day_that_is_not_a_number():
    result = load_settings(DEBUG="1", OTOP_CLOSE_DAY="sixth")
    assert result.returncode != 0
    assert "OTOP_CLOSE_DAY" in result.stderr


def test_it_refuses_a_calendar_out_of_order():
    result = load_settings(DEBUG="1", OTOP_CLOSE_DAY="12", OTOP_OPEN_DAY="10")
    assert result.returncode != 0
    assert "OTOP_DEADLINE_DAY < OTOP_CLOSE_DAY < OTOP_OPEN_DAY" in result.stderr


def test_it_refuses_a_database_url_it_cannot_read():
    result = load_settings(DEBUG="1", DATABASE_URL="nosuchdb://x")
    assert result.returncode != 0


def test_it_reads_allowed_hosts_as_a_list():
    result = subprocess.run(
        [sys.executable, "-c", "import otopdoc.settings as s; print(s.ALLOWED_HOSTS)"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DEBUG": "1", "ALLOWED_HOSTS": " a.go.th, ,b.go.th "},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "['a.go.th', 'b.go.th']"


def test_check_deploy_is_clean_under_production_settings():
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "otop.cdd.go.th",
        "DJANGO_SETTINGS_MODULE": "otopdoc.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
    )


def test_manage_py_without_a_secret_key_runs_in_development_mode():
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")


def test_manage_py_with_a_secret_key_keeps_debug_off():
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", SECRET_KEY="k"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("False")

"""`make run HOST=…` serves on that host and answers to its name (Django refuses other names)."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def dry_run(*args):
    result = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return next(line for line in result.stdout.splitlines() if "runserver" in line)


@pytest.mark.parametrize(
    ("host", "allowed", "address"),
    [
        (None, "ALLOWED_HOSTS='127.0.0.1,localhost,127.0.0.1'", "runserver 127.0.0.1:8000"),
        (
            "192.168.1.20:8000",
            "ALLOWED_HOSTS='127.0.0.1,localhost,192.168.1.20'",
            "runserver 192.168.1.20:8000",
        ),
        ("0.0.0.0:8080", "ALLOWED_HOSTS='*'", "runserver 0.0.0.0:8080"),
    ],
)
def test_make_run_answers_to_the_host_it_serves_on(host, allowed, address):
    line = dry_run(*([f"HOST={host}"] if host else []))
    assert allowed in line and line.endswith(address)

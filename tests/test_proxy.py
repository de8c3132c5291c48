"""Behind nginx (BEHIND_PROXY=1) the sign-in throttle counts the address nginx saw."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from otopdoc.proxy import client_ip
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
ROOT = Path(__file__).resolve().parent.parent


class Request:
    def __init__(self, **meta):
        self.META = {"REMOTE_ADDR": "127.0.0.1", **meta}


def test_it_takes_the_address_nginx_appended_not_what_the_client_wrote():
    request = Request(HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5")
    assert client_ip(request) == "203.0.113.5"


def test_without_the_header_it_takes_the_peer():
    assert client_ip(Request()) == "127.0.0.1"


@pytest.fixture
def behind_nginx(settings):
    settings.AXES_CLIENT_IP_CALLABLE = "otopdoc.proxy.client_ip"


def test_a_lockout_behind_nginx_holds_one_address_not_every_officer(client, officers, behind_nginx):
    for _ in range(5):
        client.post(
            LOGIN, {"username": "d5701", "password": "wrong"}, HTTP_X_FORWARDED_FOR="203.0.113.5"
        )
    locked = client.post(
        LOGIN, {"username": "d5701", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert locked.status_code == 429
    office = client.post(
        LOGIN, {"username": "d5701", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert office.status_code == 302


@pytest.mark.parametrize(("behind", "expected"), [("1", "otopdoc.proxy.client_ip"), ("0", "None")])
def test_behind_proxy_turns_it_on(behind, expected):
    script = "import otopdoc.settings as s; print(getattr(s, 'AXES_CLIENT_IP_CALLABLE', None))"
    env = {"PATH": os.environ["PATH"], "DEBUG": "1", "BEHIND_PROXY": behind}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == expected, result.stderr

"""Schemathesis against a live server: the API keeps its own contract under generated input.

Every operation of the served schema gets generated requests (valid and invalid), each
sent with a department token and with a district token. Each response must be no server
error and conform to the schema (status, content type, body), and a refused request
(any 4xx) must change nothing. The run is bounded: a few examples per operation,
derandomized so CI repeats it exactly.
"""

import datetime

import pytest
import schemathesis
from django.core.cache import cache
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.clients import create_api_client
from otopdoc.fiscal import BANGKOK
from tests.test_api_write import FM, fill
from tests.test_security_sweep import state

pytestmark = pytest.mark.once
NOW = datetime.datetime(2026, 11, 15, 10, 0, tzinfo=BANGKOK)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def generated_schema():
    """The schema /api/schema/ serves (test_api checks that it serves it), made from the code."""
    import json

    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(schema, default=str))


# The coverage phase tries every boundary of every parameter: minutes here. The examples
# and the fuzzing phases, bounded by max_examples below, keep the run near a minute.
schema = schemathesis.openapi.from_dict(
    generated_schema(),
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}),
)


@pytest.fixture
def tokens(officers, geography, monkeypatch):
    """A department and a district client over a month with rows in three districts."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    cache.clear()
    fill(geography["mueang_cr"], officers["owner"], 4)
    fill(geography["mueang_cm"], officers["outsider"], 2)
    assert FM.month == 11
    return {
        "department": create_api_client("fuzz-department", "department")[1],
        "district": create_api_client("fuzz-district", "district", "5701")[1],
    }


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract(case, live_server, transactional_db, tokens):
    for token in tokens.values():
        before = state()
        response = case.call_and_validate(
            base_url=live_server.url,
            headers={"Authorization": f"Bearer {token}"},
            checks=CHECKS,
        )
        if 400 <= response.status_code < 500:
            assert state() == before, f"a refused {case.method} {case.path} wrote something"

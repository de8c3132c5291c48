"""Shared fixtures: a small geography and an officer of every kind.

The areas: province 57 (เชียงราย) with districts 5701 and 5702, province 50 (เชียงใหม่)
with district 5001. The users: the owner district officer of 5701, a colleague in the same
district, an outsider in 5001, the province officer of 57, an outsider province officer of
50, and department staff.
"""

import os
import shutil
from pathlib import Path

import pytest

from otopdoc.officers import create_officer
from sales.models import Cluster, District, Producer, ProducerType, Province

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "correct-horse-battery"

# Playwright runs an event loop in the test thread; live_server tests then touch the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_present():
    return bool(shutil.which(CHROMIUM)) or os.path.exists(CHROMIUM)


def pytest_terminal_summary(terminalreporter):
    """Say in one line, after the results, that the browser tests did not run."""
    if not chromium_present():
        terminalreporter.write_line(
            f"Browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium).",
            yellow=True,
        )


def pytest_collection_modifyitems(config, items):
    """Skip browser tests with one clear line when Chromium is missing (fail in CI).

    With OTOP_SKIP_ONCE=1 (.ci/run's SQLite pass) the `once` tests are skipped too: they
    check pages, files and the API contract, not the database, and the PostgreSQL pass runs
    them.
    """
    if os.environ.get("OTOP_SKIP_ONCE") == "1":
        once = pytest.mark.skip(reason="run once, in the PostgreSQL pass (OTOP_SKIP_ONCE=1)")
        for item in items:
            if "once" in item.keywords:
                item.add_marker(once)
    if chromium_present():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: browser tests skipped")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with an empty cache: the national pages' versions restart with the
    rolled-back database, so a figure cached by an earlier test must not be served."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def screenshot_dir():
    """Folder for the browser tests' screenshots: test-artifacts/screenshots."""
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_geography():
    """Create the three districts of two provinces the tests share."""
    north1 = Cluster.objects.create(region=15, name_th="กลุ่มจังหวัดภาคเหนือตอนบน 1")
    north2 = Cluster.objects.create(region=16, name_th="กลุ่มจังหวัดภาคเหนือตอนบน 2")
    chiang_rai = Province.objects.create(
        code="57", name_th="เชียงราย", name_en="Chiang Rai", cluster=north2
    )
    chiang_mai = Province.objects.create(
        code="50", name_th="เชียงใหม่", name_en="Chiang Mai", cluster=north1
    )
    return {
        "chiang_rai": chiang_rai,
        "chiang_mai": chiang_mai,
        "mueang_cr": District.objects.create(
            code="5701", province=chiang_rai, name_th="เมืองเชียงราย", name_en="Mueang Chiang Rai"
        ),
        "wiang_chai": District.objects.create(
            code="5702", province=chiang_rai, name_th="เวียงชัย", name_en="Wiang Chai"
        ),
        "mueang_cm": District.objects.create(
            code="5001", province=chiang_mai, name_th="เมืองเชียงใหม่", name_en="Mueang Chiang Mai"
        ),
    }


def make_officers():
    """Create every kind of user, keyed by who they are to district 5701."""
    return {
        "owner": create_officer("d5701", PASSWORD, "district", "5701").user,
        "colleague": create_officer("d5701b", PASSWORD, "district", "5701").user,
        "neighbour": create_officer("d5702", PASSWORD, "district", "5702").user,
        "outsider": create_officer("d5001", PASSWORD, "district", "5001").user,
        "province": create_officer("p57", PASSWORD, "province", "57").user,
        "other_province": create_officer("p50", PASSWORD, "province", "50").user,
        "department": create_officer("cdd", PASSWORD, "department").user,
    }


@pytest.fixture
def geography(db):
    return make_geography()


@pytest.fixture
def officers(geography):
    """Every kind of user, keyed by who they are to district 5701."""
    return make_officers()


@pytest.fixture
def producer(geography):
    return Producer.objects.create(
        name="กลุ่มอาหารรสเลิศ",
        district=geography["mueang_cr"],
        producer_type=ProducerType.COMMUNITY_GROUP,
    )

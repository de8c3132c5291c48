"""The security sweep: every URL of the app, for every kind of stranger, refuses and writes nothing.

The URL names come from the resolver, so a page added later without a case in CASES fails
test_every_url_has_a_case_in_the_sweep and its own sweep case. Each case names the victim
area's URL (district 5701 of province 57, month พฤศจิกายน 2569 = FY 2570 month 11) and the
roles that must be refused:

    outsider        d5001, a district of another province
    neighbour       d5702, another district of the same province
    other_province  p50, the officer of another province
    own_district    d5701 on its province's or the department's pages
    province        p57 on a write meant for its districts, or a department page
    department      cdd on a write meant for a district or a province
    anonymous       not signed in: sent to sign in

Each (URL, role, method) is one test, so pytest's count of test_the_sweep_refuses is the
number of combinations tried (pytest tests/test_security_sweep.py -k sweep_refuses -q).
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.clients import create_api_client
from api.models import ApiClient
from confirmations import services as confirmations
from confirmations.models import AuditEntry
from notifications import events
from notifications.models import Contact, Delivery, Event, Kind, Notification
from otopdoc.fiscal import BANGKOK, FISCAL_ORDER, FiscalMonth
from otopdoc.models import Officer
from quality.models import ProducerEvent, RowNote
from reports.models import MonthTotal
from sales.models import (
    DistrictMonth,
    Estimate,
    EstimateMonth,
    ExportDetail,
    LockException,
    MonthlySale,
    Producer,
    SalesChannel,
)
from sales.services import month_revision, save_month
from tests.api_support import check_against_schema
from tests.conftest import PASSWORD, make_geography, make_officers

NOW = datetime.datetime(2026, 11, 15, 10, 0, tzinfo=BANGKOK)  # an open day of November 2569
FY, MONTH = 2570, 11
FISCAL_MONTH = FiscalMonth(FY, MONTH)

USERS = {
    "owner": "d5701",
    "outsider": "d5001",
    "neighbour": "d5702",
    "other_province": "p50",
    "own_district": "d5701",
    "province": "p57",
    "department": "cdd",
}
ROLES = [*USERS, "anonymous"]
ROLES.remove("owner")  # the owner is the victim, not a role of the sweep

# Strangers to district 5701 and province 57 (reads and writes).
STRANGERS = {"outsider", "neighbour", "other_province"}
# Those plus the district itself: pages of the province or the nation.
ABOVE_DISTRICT = STRANGERS | {"own_district"}
# Everybody but the department.
NOT_DEPARTMENT = ABOVE_DISTRICT | {"province"}

# Named patterns the sweep leaves out, with the reason.
EXCLUDED_NAMESPACES = {
    "api": "the JSON API signs in by token, not session: swept by API_CASES below "
    "(test_every_api_url_has_a_case_in_the_sweep, test_the_api_sweep_refuses)",
    "admin": "Django's admin: staff only, its own permissions (tests/test_admin.py, "
    "test_the_admin_refuses_every_officer below)",
}
EXCLUDED_NAMES = {
    "login": "the public sign-in page: CSRF and throttling tests below",
    "logout": "ends the caller's own session only: CSRF and logout tests below",
    "privacy-notice": "the public privacy notice, linked from sign-in; no data (test_privacy.py)",
}


@dataclass
class Case:
    """How to build a URL of the victim's area, what to post to it, and who is refused."""

    kwargs: object = lambda data: {}  # URL kwargs
    post: object = lambda data: {}  # form data, with the victim's row ids where a form has them
    get_refused: set = field(default_factory=set)
    post_refused: set | None = None  # who may not read may not write: get_refused by default
    # Methods the view itself refuses with 405 (after sign-in for most views).
    not_allowed: set = field(default_factory=set)

    def __post_init__(self):
        if self.post_refused is None:
            self.post_refused = self.get_refused
        if not self.get_refused and "GET" in self.not_allowed:
            self.get_refused = self.post_refused


def district_kwargs(data):
    return {"district": "5701", "fiscal_year": FY, "month": MONTH}


def province_kwargs(data):
    return {"province": "57", "fiscal_year": FY, "month": MONTH}


def entry_post(data):
    """The entry page's form, changing every row of 5701 and deleting one."""
    rows = data["sales"]["5701"]
    form = {
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": str(len(rows)),
        "month-revision": str(data["revision"]["5701"]),
    }
    for i, sale in enumerate(rows):
        form.update(
            {
                f"rows-{i}-id": str(sale.pk),
                f"rows-{i}-version": str(sale.version),
                f"rows-{i}-name": f"ปลอม {i}",
                f"rows-{i}-product_type": sale.product_type,
                f"rows-{i}-producer_type": "group",
                f"rows-{i}-domestic": "999999",
                f"rows-{i}-export": "0",
            }
        )
    form["rows-0-DELETE"] = "on"
    return form


def producer_kwargs(data):
    return {"district": "5701", "producer_id": data["sales"]["5701"][0].producer_id}


def ticks_post(data, code="5701"):
    rows = data["sales"][code]
    return {
        "batch": "1",
        "row": [f"{sale.pk}:{sale.version}" for sale in rows],
        "tick": [str(sale.pk) for sale in rows],
    }


def send_back_post(data, code="5701"):
    rows = data["sales"][code]
    return {
        "batch": "1",
        "row": [f"{sale.pk}:{sale.version}" for sale in rows],
        "chosen": [str(sale.pk) for sale in rows],
        "reason": "ยอดไม่ตรงกับเอกสาร",
    }


def estimate_post(data):
    form = {"certifier_name": "ปลอม", "certifier_position": "ปลอม", "version": ""}
    for month in FISCAL_ORDER:
        form[f"domestic_{month}"] = "1000"
        form[f"export_{month}"] = "0"
    return form


def exports_post(data, province="57"):
    """The export page's form: change and delete the victim province's lines."""
    lines = data["lines"][province]
    form = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        form.update(
            {
                f"lines-{i}-id": str(line.pk),
                f"lines-{i}-stamp": "",
                f"lines-{i}-producer": str(line.producer_id),
                f"lines-{i}-product": "ปลอม",
                f"lines-{i}-value": "1",
                f"lines-{i}-country": "JPN",
                f"lines-{i}-agency": "",
                f"lines-{i}-channel": line.channel,
            }
        )
    form["lines-0-DELETE"] = "on"
    return form


def grant_post(data):
    return {
        "district": "5701",
        "province": "",
        "fiscal_year": str(FY),
        "month": "10",
        "open_until_date": "30/11/2569",
        "open_until_time": "23:59",
        "reason": "ขอเปิดเอง",
    }


def import_post(data):
    return {"file": ("rt1.xlsx", b"PK\x03\x04 not a workbook")}


def password_post(data):
    return {
        "old_password": "whatever",
        "new_password1": "a-new-long-passphrase-9",
        "new_password2": "a-new-long-passphrase-9",
    }


def contact_post(data):
    return {"email": "thief@example.com", "line_id": "U" + "f" * 32, "kinds": ["reminder"]}


DISTRICT_WRITE = STRANGERS | {"province", "department"}
PROVINCE_WRITE = ABOVE_DISTRICT | {"department"}

CASES = {
    "home": Case(),  # sends each officer to their own home: anonymous only
    "district-home": Case(kwargs=lambda d: {"code": "5701"}, get_refused=STRANGERS),
    "province-home": Case(kwargs=lambda d: {"code": "57"}, get_refused=ABOVE_DISTRICT),
    "nation-home": Case(get_refused=NOT_DEPARTMENT),
    "privacy-access-log": Case(get_refused=NOT_DEPARTMENT, not_allowed={"POST"}),
    "lock-exceptions": Case(get_refused=NOT_DEPARTMENT, post=grant_post),
    "lock-exception-grant": Case(get_refused=NOT_DEPARTMENT, post=grant_post, not_allowed={"GET"}),
    "lock-exception-withdraw": Case(
        kwargs=lambda d: {"pk": d["exception"]}, get_refused=NOT_DEPARTMENT, not_allowed={"GET"}
    ),
    "sales-month": Case(
        kwargs=district_kwargs, post=entry_post, get_refused=STRANGERS, post_refused=DISTRICT_WRITE
    ),
    "sales-exports": Case(
        kwargs=province_kwargs,
        post=exports_post,
        get_refused=ABOVE_DISTRICT,
        post_refused=PROVINCE_WRITE,
    ),
    "sales-estimate": Case(
        kwargs=lambda d: {"district": "5701", "fiscal_year": FY},
        post=estimate_post,
        get_refused=STRANGERS,
        post_refused=DISTRICT_WRITE,
    ),
    "sales-import": Case(
        kwargs=district_kwargs,
        post=import_post,
        # Only the district's own officers may open the import page at all.
        get_refused=DISTRICT_WRITE,
        post_refused=DISTRICT_WRITE,
    ),
    "sales-import-confirm": Case(
        kwargs=district_kwargs, post_refused=DISTRICT_WRITE, not_allowed={"GET"}
    ),
    "sales-import-template": Case(kwargs=district_kwargs, get_refused=STRANGERS),
    "confirm-district": Case(
        kwargs=district_kwargs,
        post=ticks_post,
        get_refused=STRANGERS,
        post_refused=DISTRICT_WRITE,
    ),
    "confirm-province": Case(
        kwargs=district_kwargs,
        post=ticks_post,
        get_refused=ABOVE_DISTRICT,
        post_refused=PROVINCE_WRITE,
    ),
    "confirm-send-back": Case(
        kwargs=district_kwargs,
        post=send_back_post,
        post_refused=PROVINCE_WRITE,
        not_allowed={"GET"},
    ),
    "sale-history": Case(
        kwargs=lambda d: {"sale_id": d["sales"]["5701"][1].pk}, get_refused=STRANGERS
    ),
    "completeness-latest": Case(get_refused={"outsider", "neighbour", "own_district"}),
    # Provinces are sent to their own province's page (links travel in circulars).
    "completeness": Case(
        kwargs=lambda d: {"fiscal_year": FY, "month": MONTH},
        get_refused={"outsider", "neighbour", "own_district"},
    ),
    "completeness-province": Case(
        kwargs=lambda d: {"fiscal_year": FY, "month": MONTH, "province": "57"},
        get_refused=ABOVE_DISTRICT,
    ),
    "report-rt1": Case(kwargs=district_kwargs, get_refused=STRANGERS, not_allowed={"POST"}),
    "report-rt2": Case(kwargs=district_kwargs, get_refused=STRANGERS, not_allowed={"POST"}),
    "report-estimate": Case(
        kwargs=lambda d: {"district": "5701", "fiscal_year": FY},
        get_refused=STRANGERS,
        not_allowed={"POST"},
    ),
    "report-estimate-form": Case(
        kwargs=lambda d: {"district": "5701", "fiscal_year": FY},
        get_refused=STRANGERS,
        not_allowed={"POST"},
    ),
    "report-exports": Case(
        kwargs=province_kwargs, get_refused=ABOVE_DISTRICT, not_allowed={"POST"}
    ),
    "report-rt3": [
        Case(
            kwargs=lambda d: {"area": "5701", "fiscal_year": FY, "month": MONTH},
            get_refused=STRANGERS,
            not_allowed={"POST"},
        ),
        Case(
            kwargs=lambda d: {"area": "57", "fiscal_year": FY, "month": MONTH},
            get_refused=ABOVE_DISTRICT,
            not_allowed={"POST"},
        ),
        Case(
            kwargs=lambda d: {"area": "all", "fiscal_year": FY, "month": MONTH},
            get_refused=NOT_DEPARTMENT,
            not_allowed={"POST"},
        ),
    ],
    # The province's own districts may read its RT.4 (issue 10 point 9); others may not.
    "report-rt4": Case(
        kwargs=lambda d: {"province": "57", "fiscal_year": FY},
        get_refused={"outsider", "other_province"},
        not_allowed={"POST"},
    ),
    "report-rt4-nation": Case(
        kwargs=lambda d: {"fiscal_year": FY}, get_refused=NOT_DEPARTMENT, not_allowed={"POST"}
    ),
    # Districts have no KPI page; provinces see their own province, whatever the URL.
    "report-kpi-current": Case(
        get_refused={"outsider", "neighbour", "own_district"}, not_allowed={"POST"}
    ),
    "report-kpi": Case(
        kwargs=lambda d: {"fiscal_year": FY},
        get_refused={"outsider", "neighbour", "own_district"},
        not_allowed={"POST"},
    ),
    # An officer's own notifications and settings: no id of anybody's in the URL but the
    # notification's, which is the owner's (d5701) and a 404 to everyone else.
    "notifications": Case(),
    "notification-read": Case(
        kwargs=lambda d: {"pk": d["notification"].pk},
        post_refused=STRANGERS | {"province", "department"},
        not_allowed={"GET"},
    ),
    "notifications-read-all": Case(not_allowed={"GET"}),
    "notification-settings": Case(post=contact_post),
    "notification-offices": Case(get_refused=NOT_DEPARTMENT),
    "notification-office": [
        Case(kwargs=lambda d: {"code": "5701"}, post=contact_post, get_refused=NOT_DEPARTMENT),
        Case(kwargs=lambda d: {"code": "57"}, post=contact_post, get_refused=NOT_DEPARTMENT),
    ],
    # Trust in the figures (quality): outliers, notes on a row, the producer registry.
    "report-outliers": [
        Case(
            kwargs=lambda d: {"area": "57", "fiscal_year": FY, "month": MONTH},
            get_refused=ABOVE_DISTRICT,
            not_allowed={"POST"},
        ),
        Case(
            kwargs=lambda d: {"area": "all", "fiscal_year": FY, "month": MONTH},
            get_refused=NOT_DEPARTMENT,
            not_allowed={"POST"},
        ),
    ],
    "report-follow-up": [
        Case(kwargs=lambda d: {"area": "57"}, get_refused=ABOVE_DISTRICT, not_allowed={"POST"}),
        Case(kwargs=lambda d: {"area": "all"}, get_refused=NOT_DEPARTMENT, not_allowed={"POST"}),
    ],
    # The row is not province-confirmed: the department may not see it either.
    "row-note": Case(
        kwargs=lambda d: {"sale_id": d["sales"]["5701"][1].pk},
        get_refused=STRANGERS | {"department"},
        not_allowed={"POST"},
    ),
    "row-note-explain": Case(
        kwargs=lambda d: {"sale_id": d["sales"]["5701"][1].pk},
        post=lambda d: {"explanation": "ปลอม"},
        post_refused=DISTRICT_WRITE,
        not_allowed={"GET"},
    ),
    "row-note-follow-up": Case(
        kwargs=lambda d: {"sale_id": d["sales"]["5701"][1].pk},
        post=lambda d: {"follow_up": "on", "note": "ปลอม"},
        post_refused=STRANGERS | {"own_district", "department"},
        not_allowed={"GET"},
    ),
    "producer-list": Case(
        kwargs=lambda d: {"district": "5701"}, get_refused=STRANGERS, not_allowed={"POST"}
    ),
    "producer-detail": Case(kwargs=producer_kwargs, get_refused=STRANGERS, not_allowed={"POST"}),
    "producer-rename": Case(
        kwargs=producer_kwargs,
        post=lambda d: {"name": "ปลอม"},
        post_refused=DISTRICT_WRITE,
        not_allowed={"GET"},
    ),
    "producer-merge": Case(
        kwargs=producer_kwargs,
        post=lambda d: {"other": d["sales"]["5701"][1].producer_id},
        post_refused=DISTRICT_WRITE,
        not_allowed={"GET"},
    ),
    "producer-active": Case(
        kwargs=producer_kwargs, post=lambda d: {}, post_refused=DISTRICT_WRITE, not_allowed={"GET"}
    ),
    # The officer's own password: no area in it, so only anonymous is swept here.
    "password_change": Case(post=password_post),
    "password_change_done": Case(),
    # The second factor of the caller's own sign-in: no area, so strangers are anonymous.
    "two-factor": Case(post=lambda d: {"token": "000000"}),
    "two-factor-setup": Case(post=lambda d: {"token": "000000"}),
    "two-factor-codes": Case(),
    "two-factor-lost": Case(post=lambda d: {"token": "00000000"}),
}


def url_names():
    """Return every named URL pattern as "namespace:name", from the resolver."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def swept_names():
    return sorted(
        name
        for name in url_names()
        if name.split(":")[0] not in EXCLUDED_NAMESPACES and name not in EXCLUDED_NAMES
    )


def cases_of(name):
    case = CASES.get(name)
    if case is None:
        return [None]
    return case if isinstance(case, list) else [case]


def combinations():
    """Yield (name, variant, case, role, method) for every refusal the sweep expects."""
    for name in swept_names():
        for variant, case in enumerate(cases_of(name)):
            if case is None:
                yield pytest.param(name, variant, None, "any", "GET", id=f"{name}-NO-CASE")
                continue
            for method in ("GET", "POST"):
                refused = case.get_refused if method == "GET" else case.post_refused
                for role in sorted(refused | {"anonymous"}):
                    label = f"{name}{'-' + str(variant) if variant else ''}-{role}-{method}"
                    yield pytest.param(name, variant, case, role, method, id=label)


# --- data --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def add_month(district, user, count):
    """Save `count` rows of a district's month the way the entry page does."""
    save_month(
        district,
        FISCAL_MONTH,
        user,
        month_revision(district, FISCAL_MONTH),
        rows=[
            {
                "id": None,
                "name": f"กลุ่ม {district.code}-{i}",
                "product_type": "food",
                "producer_type": "group",
                "domestic": Decimal("1000.00") + i,
                "export": Decimal("50.00"),
            }
            for i in range(count)
        ],
        deleted_ids=[],
    )
    return list(MonthlySale.objects.for_month(district, FISCAL_MONTH).order_by("pk"))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Build the areas' data once for the module, inside a transaction rolled back at its end.

    Each test then runs in a savepoint of that transaction (the `db` fixture), so a request
    that wrote anything would be undone before the next test, and state() would see it.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with mock.patch.object(timezone, "now", lambda: NOW):
                yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def data(world, db):
    return world


def build_world():
    """Rows, confirmations, estimates, export lines and an exception in every area."""
    geography = make_geography()
    by_user = {user.username: user for user in make_officers().values()}
    sales = {}
    for code, username in (("5701", "d5701"), ("5702", "d5702"), ("5001", "d5001")):
        district = geography[{"5701": "mueang_cr", "5702": "wiang_chai", "5001": "mueang_cm"}[code]]
        rows = add_month(district, by_user[username], 3)
        confirmations.confirm_district(
            district,
            FISCAL_MONTH,
            by_user[username],
            {r.pk: r.version for r in rows},
            {r.pk for r in rows[:2]},
        )
        sales[code] = list(MonthlySale.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk"))
    # The province of 5001 has confirmed one of its rows.
    confirmations.confirm_province(
        geography["mueang_cm"],
        FISCAL_MONTH,
        by_user["p50"],
        {r.pk: r.version for r in sales["5001"]},
        {sales["5001"][0].pk},
    )
    sales = {
        code: list(MonthlySale.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk"))
        for code, rows in sales.items()
    }
    lines = {}
    for code, district in (("57", "mueang_cr"), ("50", "mueang_cm")):
        producer = Producer.objects.filter(district=geography[district]).first()
        lines[code] = [
            ExportDetail.objects.create(
                province_id=code,
                fiscal_year=FY,
                month=MONTH,
                producer=producer,
                product=f"สินค้า {i}",
                value=Decimal("50.00"),
                country="JPN",
                channel=SalesChannel.choices[0][0],
                updated_by=by_user[f"p{code}"],
            )
            for i in range(2)
        ]
    for code, username in (("5701", "d5701"), ("5001", "d5001")):
        estimate = Estimate.objects.create(
            district_id=code, fiscal_year=FY, certifier_name="นายจริง", updated_by=by_user[username]
        )
        EstimateMonth.objects.create(
            estimate=estimate, month=MONTH, domestic=Decimal("10.00"), export=Decimal("1.00")
        )
    exception = LockException.objects.create(
        district=geography["mueang_cm"],
        fiscal_year=FY,
        month=10,
        open_until=NOW + datetime.timedelta(days=2),
        reason="ส่งยอดล่าช้า",
        granted_by=by_user["cdd"],
    )
    notification = events.emit(
        Kind.SENT_BACK,
        "sweep",
        "รายการถูกส่งกลับ",
        "ทดสอบ",
        "/sales/5701/2570/11/",
        district=geography["mueang_cr"],
    )
    return {
        "notification": notification.notifications.get(user=by_user["d5701"]),
        "users": by_user,
        "sales": sales,
        "lines": lines,
        "exception": exception.pk,
        "revision": {code: month_revision(d, FISCAL_MONTH) for code, d in _districts(geography)},
    }


def _districts(geography):
    return [
        ("5701", geography["mueang_cr"]),
        ("5702", geography["wiang_chai"]),
        ("5001", geography["mueang_cm"]),
    ]


GUARDED = [
    MonthlySale,
    Producer,
    AuditEntry,
    DistrictMonth,
    MonthTotal,
    LockException,
    Estimate,
    EstimateMonth,
    ExportDetail,
    Officer,
    RowNote,
    ProducerEvent,
    ApiClient,
    get_user_model(),
    Event,
    Notification,
    Delivery,
    Contact,
]


def state():
    """Return each guarded model's row count and a checksum of all its values."""
    snapshot = {}
    for model in GUARDED:
        values = list(model.objects.order_by("pk").values_list())
        digest = hashlib.sha256(repr(values).encode()).hexdigest()
        snapshot[model._meta.label] = (len(values), digest)
    return snapshot


def test_the_state_helper_sees_a_change_of_one_amount(data):
    before = state()
    MonthlySale.objects.filter(pk=data["sales"]["5701"][0].pk).update(domestic=Decimal("1.01"))
    assert state() != before


# --- the sweep ---------------------------------------------------------------------------


def test_every_url_has_a_case_in_the_sweep():
    missing = [name for name in swept_names() if name not in CASES]
    assert not missing, f"URLs without a case in the security sweep: {missing}"
    stale = sorted(set(CASES) - set(swept_names()))
    assert not stale, f"sweep cases for URLs that no longer exist: {stale}"


@pytest.mark.parametrize(("name", "variant", "case", "role", "method"), list(combinations()))
def test_the_sweep_refuses(client, data, name, variant, case, role, method):
    assert case is not None, f"{name} has no case in tests/test_security_sweep.py CASES"
    url = reverse(name, kwargs=case.kwargs(data) or None)
    if role != "anonymous":
        client.force_login(data["users"][USERS[role]])
    before = state()
    response = client.get(url) if method == "GET" else client.post(url, case.post(data))
    assert state() == before, f"{method} {url} as {role} changed data"

    if role == "anonymous":
        if response.status_code == 405:
            assert method in case.not_allowed
        else:
            assert response.status_code == 302, response.status_code
            assert response["Location"].startswith("/accounts/login/?next=")
        return
    allowed = {403, 404} | ({405} if method in case.not_allowed else set())
    assert response.status_code in allowed, (
        f"{method} {url} as {role}: {response.status_code}, expected one of {sorted(allowed)}"
    )


def test_the_sweep_tries_every_url_for_every_role(data):
    """Check the sweep's size: at least one refusal per URL and role it names."""
    tried = list(combinations())
    names = swept_names()
    assert len(tried) >= 2 * len(names)  # every URL, GET and POST, anonymous at least
    refusing = {(p.values[0], p.values[3]) for p in tried if p.values[3] != "anonymous"}
    print(f"\nsecurity sweep: {len(names)} URL names, {len(tried)} URL x role x method tried")
    # home, password and second-factor pages: anonymous only
    assert len(refusing) >= len(names) - 7


def with_foreign_entry_row(data):
    """The owner's own entry page, its first row's id swapped for a row of 5001."""
    form = entry_post(data)
    form.pop("rows-0-DELETE")
    form["rows-0-id"] = str(data["sales"]["5001"][0].pk)
    return form


def with_foreign_ticks(data):
    """The page's own rows and ticks, plus a row of 5001 shown and ticked."""
    form = ticks_post(data, "5701")
    foreign = data["sales"]["5001"][2]
    form["row"].append(f"{foreign.pk}:{foreign.version}")
    form["tick"].append(str(foreign.pk))
    return form


def with_foreign_send_back(data):
    form = send_back_post(data, "5701")
    foreign = data["sales"]["5001"][0]
    form["row"] = [f"{foreign.pk}:{foreign.version}"]
    form["chosen"] = [str(foreign.pk)]
    return form


FORGED = [
    # url name, kwargs, who posts (on their own page), form with another area's row ids
    ("sales-month", district_kwargs, "owner", with_foreign_entry_row),
    ("confirm-district", district_kwargs, "owner", with_foreign_ticks),
    ("confirm-province", district_kwargs, "province", with_foreign_ticks),
    ("confirm-send-back", district_kwargs, "province", with_foreign_send_back),
    ("sales-exports", province_kwargs, "province", lambda d: exports_post(d, province="50")),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "role", "form"), FORGED, ids=[name for name, *_ in FORGED]
)
def test_a_forged_row_id_of_another_area_writes_nothing(client, data, name, kwargs, role, form):
    client.force_login(data["users"][USERS[role]])
    before = state()
    response = client.post(reverse(name, kwargs=kwargs(data)), form(data))
    assert state() == before
    # The page again, saying a row is not this area's and nothing was saved.
    assert response.status_code == 200
    html = response.content.decode()
    assert "พบรายการที่ไม่ใช่ของ" in html and "ระบบจึงไม่บันทึกข้อมูลใด ๆ" in html


def test_the_owners_own_form_does_write(client, data):
    """Check the forged forms above differ from the owner's only by the foreign id."""
    client.force_login(data["users"]["d5701"])
    form = with_foreign_entry_row(data)
    form["rows-0-id"] = str(data["sales"]["5701"][0].pk)
    before = state()
    response = client.post(reverse("sales-month", kwargs=district_kwargs(data)), form)
    assert response.status_code == 302
    assert state() != before


def test_the_admin_refuses_every_officer(client, data):
    for username in USERS.values():
        client.force_login(data["users"][username])
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# --- CSRF --------------------------------------------------------------------------------

# Who may really write to each page: with them, only the missing token can refuse.
WRITERS = {
    "lock-exceptions": "department",
    "lock-exception-grant": "department",
    "lock-exception-withdraw": "department",
    "confirm-province": "province",
    "confirm-send-back": "province",
    "sales-exports": "province",
    "province-home": "province",
    "nation-home": "department",
    "completeness": "department",
    "completeness-latest": "department",
    "notification-offices": "department",
    "notification-office": "department",
}


def posting_urls():
    for name in swept_names():
        for variant, case in enumerate(cases_of(name)):
            if case is not None and "POST" not in case.not_allowed:
                yield pytest.param(name, case, id=f"{name}-{variant}" if variant else name)


@pytest.mark.parametrize(("name", "case"), list(posting_urls()))
def test_every_post_without_a_csrf_token_is_refused(data, name, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(data["users"][USERS[WRITERS.get(name, "owner")]])
    before = state()
    response = client.post(reverse(name, kwargs=case.kwargs(data) or None), case.post(data))
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    assert state() == before


def test_sign_in_and_sign_out_without_a_csrf_token_are_refused(data):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "d5701", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session

    client.force_login(data["users"]["d5701"])
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/district/5701/").status_code == 200  # still signed in


def test_the_csrf_check_lets_the_owners_form_through_with_its_token(data):
    """Check the refusals above come from the missing token: with it, the same POST saves."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(data["users"]["d5701"])
    url = reverse("sales-month", kwargs=district_kwargs(data))
    token = client.get(url).context["csrf_token"]
    form = with_foreign_entry_row(data)
    form["rows-0-id"] = str(data["sales"]["5701"][0].pk)
    response = client.post(url, {**form, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302


# --- the JSON API: the same strangers as API clients, by token -----------------------------

# The area of each role's API client: the same areas as the officers of USERS.
API_AREAS = {
    "outsider": ("district", "5001"),
    "neighbour": ("district", "5702"),
    "other_province": ("province", "50"),
    "own_district": ("district", "5701"),
    "province": ("province", "57"),
    "department": ("department", None),
}
API_MONTH = f"/api/v1/months/5701/{FY}/{MONTH}/"
# Routes outside the schema: the schema and its docs, and the 404 of any other path.
UNDOCUMENTED = {"api:schema", "api:docs", "api:not-found"}


@dataclass
class ApiCase:
    """A URL of the API with its query, and who is refused by GET and by PUT."""

    url: str
    params: dict = field(default_factory=dict)
    get_refused: set = field(default_factory=set)
    put_refused: set | None = None  # None: the route has no PUT (405 for everybody)
    public: bool = False  # the schema and its docs: no token needed, no data in them


def api_month_body(data):
    """The owner district's month, every amount changed and one row left out."""
    return {
        "revision": data["revision"]["5701"],
        "rows": [
            {
                "name": sale.producer.name,
                "product_type": sale.product_type,
                "producer_type": "group",
                "domestic": "999999",
                "export": "0",
            }
            for sale in data["sales"]["5701"][1:]
        ],
    }


API_CASES = {
    "api:clusters": [ApiCase("/api/v1/clusters/")],
    "api:provinces": [ApiCase("/api/v1/provinces/", {"cluster": "16"})],
    "api:districts": [ApiCase("/api/v1/districts/", {"province": "57"})],
    "api:sales": [
        ApiCase("/api/v1/sales/", {"district": "5701"}, get_refused=STRANGERS),
        ApiCase("/api/v1/sales/", {"province": "57"}, get_refused=ABOVE_DISTRICT),
    ],
    "api:month": [ApiCase(API_MONTH, get_refused=STRANGERS, put_refused=DISTRICT_WRITE)],
    "api:totals": [
        ApiCase(
            "/api/v1/totals/",
            {"fiscal_year": FY, "level": "district", "area": "5701"},
            get_refused=STRANGERS,
        ),
        ApiCase(
            "/api/v1/totals/",
            {"fiscal_year": FY, "level": "province", "area": "57"},
            get_refused=ABOVE_DISTRICT,
        ),
        ApiCase(
            "/api/v1/totals/", {"fiscal_year": FY, "level": "nation"}, get_refused=ABOVE_DISTRICT
        ),
    ],
    "api:kpi": [
        ApiCase(f"/api/v1/kpi/{FY}/", get_refused={"outsider", "neighbour", "own_district"})
    ],
    "api:completeness": [
        ApiCase(f"/api/v1/completeness/{FY}/{MONTH}/", {"district": "5701"}, get_refused=STRANGERS),
        ApiCase(
            f"/api/v1/completeness/{FY}/{MONTH}/", {"province": "57"}, get_refused=ABOVE_DISTRICT
        ),
    ],
    "api:schema": [ApiCase("/api/schema/", public=True)],
    # Any other path under /api/, and path values that fit no route: 404 to everybody.
    "api:not-found": [
        ApiCase(
            f"/api/v1/months/5701/{FY}/13x/",
            get_refused=set(API_AREAS),
            put_refused=set(API_AREAS),
        )
    ],
    "api:docs": [ApiCase("/api/docs/", public=True)],
}


def api_names():
    return sorted(name for name in url_names() if name.startswith("api:"))


def api_combinations():
    """Yield (name, variant, case, role, method) for every API refusal the sweep expects."""
    for name in api_names():
        for variant, case in enumerate(API_CASES.get(name, [None])):
            if case is None:
                yield pytest.param(name, 0, None, "any", "GET", id=f"{name}-NO-CASE")
                continue
            for method in ("GET", "PUT", "POST"):
                if method == "GET":
                    refused = case.get_refused
                elif method == "PUT" and case.put_refused is not None:
                    refused = case.put_refused
                else:
                    # No such method here: DRF answers 405 before any scope, so one
                    # signed-in stranger and the anonymous caller are enough.
                    refused = {"outsider"}
                roles = refused | ({"anonymous"} if not case.public else set())
                for role in sorted(roles):
                    label = f"{name}-{variant}-{role}-{method}"
                    yield pytest.param(name, variant, case, role, method, id=label)


@pytest.fixture(scope="module")
def api_tokens(world, django_db_blocker):
    """A token for an API client of each role's area, made inside the world's transaction."""
    with django_db_blocker.unblock():
        return {
            role: create_api_client(f"sweep-{role}", kind, area)[1]
            for role, (kind, area) in API_AREAS.items()
        }


def test_every_api_url_has_a_case_in_the_sweep():
    missing = [name for name in api_names() if name not in API_CASES]
    assert not missing, f"API URLs without a case in the security sweep: {missing}"
    assert not sorted(set(API_CASES) - set(api_names())), "cases for API URLs that are gone"


@pytest.mark.parametrize(("name", "variant", "case", "role", "method"), list(api_combinations()))
def test_the_api_sweep_refuses(data, api_tokens, name, variant, case, role, method):
    assert case is not None, f"{name} has no case in tests/test_security_sweep.py API_CASES"
    client = Client()
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {api_tokens[role]}"}
    query = "&".join(f"{key}={value}" for key, value in case.params.items())
    url = f"{case.url}?{query}" if query else case.url
    before = state()
    if method == "GET":
        response = client.get(url, headers=headers)
    else:
        send = client.put if method == "PUT" else client.post
        response = send(
            url,
            json.dumps(api_month_body(data)),
            content_type="application/json",
            headers=headers,
        )
    assert state() == before, f"{method} {url} as {role} changed data"
    documented = method == "GET" or (method == "PUT" and case.put_refused is not None)
    if name not in UNDOCUMENTED and documented:
        check_against_schema(response)  # a documented operation: its refusal is too
    if role == "anonymous":
        assert response.status_code == 401, (url, method, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
        return
    if case.public:
        assert response.status_code == 405, (url, method, response.status_code)
        return
    if method == "GET" or (method == "PUT" and case.put_refused is not None):
        allowed = {403, 404}
    else:
        allowed = {404, 405}  # no such method on this route, or no such route
    assert response.status_code in allowed, (
        f"{method} {url} as {role}: {response.status_code}, expected one of {sorted(allowed)}"
    )
    assert response["Content-Type"] == "application/problem+json"


def test_the_owners_api_client_does_write_and_read(data, api_tokens):
    """Check the refusals above come from the scope: the district's own client writes."""
    client = Client()
    headers = {"Authorization": f"Bearer {api_tokens['own_district']}"}
    for case in [c for cases in API_CASES.values() for c in cases if not c.public]:
        response = client.get(case.url, case.params, headers=headers)
        refused = case.get_refused & {"own_district"}
        assert response.status_code == (404 if refused else 200), (case.url, case.params)
    before = state()
    response = client.put(
        API_MONTH,
        json.dumps(api_month_body(data)),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.json()
    assert state() != before

"""The JSON API (issue 14): clients, scope, reads, the month write, problem details.

Every response here goes through tests.api_support.ApiCaller, which validates it against
the schema generated from the code.
"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from api.models import ApiClient, hash_token
from api.throttling import ClientRateThrottle
from confirmations import services as confirmations
from confirmations.models import AuditEntry
from otopdoc.fiscal import BANGKOK, FiscalMonth
from reports.models import MonthTotal, Target
from sales.models import DistrictMonth, MonthlySale
from sales.services import month_revision, save_month
from tests.api_support import ApiCaller, make_client

NOW = datetime.datetime(2026, 11, 15, 10, 0, tzinfo=BANGKOK)  # an open day of พ.ย. 2569
FY, MONTH = 2570, 11
FM = FiscalMonth(FY, MONTH)
MONTH_URL = f"/api/v1/months/5701/{FY}/{MONTH}/"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture(autouse=True)
def fresh_throttle():
    """Start every test with no request counted (client ids repeat between tests)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clients(officers):
    """An API client of every kind, keyed as the officers are."""
    return {
        "district": make_client("district-5701", "district", "5701")[1],
        "neighbour": make_client("district-5702", "district", "5702")[1],
        "province": make_client("province-57", "province", "57")[1],
        "other_province": make_client("province-50", "province", "50")[1],
        "department": make_client("cdd", "department")[1],
    }


def add_rows(district, user, count, start=0, fiscal_month=FM):
    save_month(
        district,
        fiscal_month,
        user,
        month_revision(district, fiscal_month),
        rows=[
            {
                "id": None,
                "name": f"กลุ่ม {district.code}-{i}",
                "product_type": "food",
                "producer_type": "group",
                "domestic": Decimal("1000.50") + i,
                "export": Decimal("20.00"),
            }
            for i in range(start, start + count)
        ],
        deleted_ids=[],
    )
    return list(MonthlySale.objects.for_month(district, fiscal_month).order_by("pk"))


def confirm(district, officers, rows, province_too=()):
    confirmations.confirm_district(
        district, FM, officers["owner"], {r.pk: r.version for r in rows}, {r.pk for r in rows}
    )
    if province_too:
        fresh = MonthlySale.objects.filter(pk__in=[r.pk for r in province_too])
        confirmations.confirm_province(
            district,
            FM,
            officers["province"],
            {r.pk: r.version for r in fresh},
            {r.pk for r in fresh},
        )


# --- clients and tokens ------------------------------------------------------------------


def test_the_command_prints_the_token_alone_on_its_last_line_and_keeps_only_its_hash(
    geography,
):
    out = StringIO()
    call_command("create_api_client", "opdc", "--role", "province", "--area", "57", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert token.startswith("otop_") and " " not in token and len(token) > 40
    client = ApiClient.objects.get(name="opdc")
    assert client.token_hash == hash_token(token) and token not in client.token_hash
    assert client.user.officer.province_id == "57"
    assert not client.user.has_usable_password()
    assert client.expires_at - NOW == datetime.timedelta(days=365)
    response = ApiCaller(token).get("/api/v1/completeness/2570/11/")
    assert response.status_code == 200


def test_the_command_refuses_a_bad_area_and_a_taken_name(geography):
    with pytest.raises(CommandError, match="No district"):
        call_command("create_api_client", "x", "--role", "district", "--area", "9999")
    call_command("create_api_client", "x", "--role", "department", stdout=StringIO())
    with pytest.raises(CommandError, match="taken"):
        call_command("create_api_client", "x", "--role", "department")
    assert ApiClient.objects.count() == 1


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer otop_wrong", "Token abc", "Bearer a b"],
    ids=["none", "empty", "unknown", "other-scheme", "two-words"],
)
def test_a_request_without_a_good_token_gets_401_problem(clients, header):
    caller = ApiCaller()
    response = caller.client.get(
        "/api/v1/sales/", headers={"Authorization": header} if header else {}
    )
    from tests.api_support import check_against_schema

    check_against_schema(response)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and "โทเค็น" in body["detail"]


def test_a_revoked_or_expired_token_gets_401(geography):
    client, caller = make_client("old", "department")
    assert caller.get("/api/v1/clusters/").status_code == 200
    ApiClient.objects.filter(pk=client.pk).update(revoked_at=NOW)
    assert caller.get("/api/v1/clusters/").status_code == 401
    ApiClient.objects.filter(pk=client.pk).update(
        revoked_at=None, expires_at=NOW - datetime.timedelta(seconds=1)
    )
    assert caller.get("/api/v1/clusters/").status_code == 401
    ApiClient.objects.filter(pk=client.pk).update(expires_at=NOW + datetime.timedelta(days=1))
    assert caller.get("/api/v1/clusters/").status_code == 200


def test_the_admin_revokes_a_client(admin_client, geography):
    client, caller = make_client("revoke-me", "department")
    response = admin_client.post(
        reverse("admin:api_apiclient_changelist"),
        {"action": "revoke", "_selected_action": [client.pk]},
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.revoked_at == NOW
    assert caller.get("/api/v1/clusters/").status_code == 401


def test_the_client_cannot_sign_in_to_the_pages(client, geography):
    api_client, _ = make_client("robot", "department")
    response = client.post(
        "/accounts/login/", {"username": api_client.user.username, "password": "anything-at-all"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_each_client_is_throttled_on_its_own(clients, monkeypatch):
    monkeypatch.setattr(ClientRateThrottle, "rate", "3/minute", raising=False)
    codes = [clients["district"].get("/api/v1/clusters/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = clients["district"].get("/api/v1/clusters/")
    assert response["Content-Type"] == "application/problem+json"
    assert "Retry-After" in response and "บ่อยเกิน" in response.json()["detail"]
    assert clients["province"].get("/api/v1/clusters/").status_code == 200


# --- reads -------------------------------------------------------------------------------


def test_geography_lists_clusters_provinces_and_districts_with_dopa_codes(clients):
    caller = clients["district"]
    clusters = caller.get("/api/v1/clusters/").json()["results"]
    assert [c["region"] for c in clusters] == [15, 16]
    provinces = caller.get("/api/v1/provinces/", {"cluster": 16}).json()["results"]
    assert provinces == [
        {"code": "57", "name_th": "เชียงราย", "name_en": "Chiang Rai", "cluster": 16}
    ]
    districts = caller.get("/api/v1/districts/", {"province": "57"}).json()["results"]
    assert [d["code"] for d in districts] == ["5701", "5702"]
    assert districts[0]["name_en"] == "Mueang Chiang Rai"


def test_a_list_is_paged_by_cursor(clients):
    first = clients["department"].get("/api/v1/districts/", {"page_size": 2}).json()
    assert [d["code"] for d in first["results"]] == ["5001", "5701"]
    second = clients["department"].get(first["next"]).json()
    assert [d["code"] for d in second["results"]] == ["5702"] and second["next"] is None


def test_rows_are_scoped_like_the_pages(clients, geography, officers):
    rows = add_rows(geography["mueang_cr"], officers["owner"], 3)
    add_rows(geography["wiang_chai"], officers["neighbour"], 2)
    add_rows(geography["mueang_cm"], officers["outsider"], 1)
    confirm(geography["mueang_cr"], officers, rows, province_too=rows[:1])

    def codes(caller, **params):
        response = caller.get("/api/v1/sales/", params)
        assert response.status_code == 200, response.json()
        return sorted(row["district"] for row in response.json()["results"])

    assert codes(clients["district"]) == ["5701"] * 3
    response = clients["district"].get("/api/v1/sales/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert codes(clients["province"]) == ["5701"] * 3 + ["5702"] * 2
    # The department reads only what the province has confirmed.
    assert codes(clients["department"]) == ["5701"]
    assert codes(clients["province"], district="5702") == ["5702"] * 2
    first = clients["district"].get("/api/v1/sales/").json()["results"][0]
    assert first["producer"]["name"] == "กลุ่ม 5701-0"
    assert first["domestic"] == "1000.50" and first["total"] == "1020.50"
    assert first["producer_type"] == "group" == first["producer"]["producer_type"]
    assert first["province_confirmed_at"] is not None


def test_a_month_read_whole_shows_the_department_only_province_confirmed_rows(
    clients, geography, officers
):
    rows = add_rows(geography["mueang_cr"], officers["owner"], 3)
    confirm(geography["mueang_cr"], officers, rows, province_too=rows[:1])
    names = {
        who: [r["producer"]["name"] for r in clients[who].get(MONTH_URL).json()["rows"]]
        for who in ("district", "province", "department")
    }
    assert len(names["district"]) == len(names["province"]) == 3
    assert names["department"] == ["กลุ่ม 5701-0"]


@pytest.mark.parametrize(
    ("who", "params"),
    [
        ("district", {"district": "5702"}),
        ("district", {"province": "57"}),
        ("neighbour", {"district": "5701"}),
        ("other_province", {"district": "5701"}),
        ("other_province", {"province": "57"}),
        ("province", {"district": "9999"}),
    ],
)
def test_another_area_is_404(clients, who, params):
    response = clients[who].get("/api/v1/sales/", params)
    assert response.status_code == 404
    assert response.json()["detail"].startswith("ไม่พบ")


def test_the_fast_row_output_equals_the_declared_fields(geography, officers):
    """SaleSerializer writes rows by hand for speed: it must say what its fields say."""
    from api.serializers import SaleSerializer
    from api.views import last_change

    rows = add_rows(geography["mueang_cr"], officers["owner"], 3)
    confirm(geography["mueang_cr"], officers, rows, province_too=rows[:1])
    serializer = SaleSerializer()
    for row in MonthlySale.objects.select_related("producer").annotate(changed_at=last_change()):
        assert serializer.to_representation(row) == serializer.declared_representation(row)


def test_updated_since_gives_only_rows_changed_since(clients, geography, officers, monkeypatch):
    add_rows(geography["mueang_cr"], officers["owner"], 2)
    later = NOW + datetime.timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    add_rows(geography["mueang_cr"], officers["owner"], 1, start=5)
    caller = clients["district"]
    since = caller.get("/api/v1/sales/", {"updated_since": "2026-11-15T10:30:00+07:00"})
    assert [r["producer"]["name"] for r in since.json()["results"]] == ["กลุ่ม 5701-5"]
    # No zone: Asia/Bangkok.
    naive = caller.get("/api/v1/sales/", {"updated_since": "2026-11-15T10:30:00"})
    assert len(naive.json()["results"]) == 1
    assert len(caller.get("/api/v1/sales/", {"updated_since": "2026-11-15"}).json()["results"]) == 3


def test_updated_since_sees_a_confirmation_made_after_the_edit(
    clients, geography, officers, monkeypatch
):
    """A department loading incrementally must get rows the province confirms later."""
    rows = add_rows(geography["mueang_cr"], officers["owner"], 2)
    later = NOW + datetime.timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    confirm(geography["mueang_cr"], officers, rows, province_too=rows[:1])
    since = {"updated_since": (NOW + datetime.timedelta(days=1)).isoformat()}
    department = clients["department"].get("/api/v1/sales/", since).json()["results"]
    assert [r["producer"]["name"] for r in department] == ["กลุ่ม 5701-0"]
    assert department[0]["changed_at"] == later.isoformat()
    assert department[0]["updated_at"] == NOW.isoformat()
    district = clients["district"].get("/api/v1/sales/", since).json()["results"]
    assert len(district) == 2  # both confirmed by the district since


def test_bad_filters_get_400_with_the_field_and_a_thai_detail(clients):
    response = clients["district"].get(
        "/api/v1/sales/", {"month": "13", "updated_since": "yesterday", "product_type": "x"}
    )
    assert response.status_code == 400
    body = response.json()
    fields = {e["field"]: e["detail"] for e in body["errors"]}
    assert set(fields) == {"month", "updated_since", "product_type"}
    assert "12" in fields["month"] and "ISO 8601" in fields["updated_since"]
    assert "ไม่ถูกต้อง" in body["detail"]


def test_totals_come_from_the_running_totals_by_level(clients, geography, officers):
    rows = add_rows(geography["mueang_cr"], officers["owner"], 2)
    add_rows(geography["mueang_cm"], officers["outsider"], 1)
    confirm(geography["mueang_cr"], officers, rows, province_too=rows[:1])
    # Sums of MonthTotal, never of the rows: a changed running total shows through.
    dept = clients["department"]
    nation = dept.get("/api/v1/totals/", {"fiscal_year": FY}).json()["results"]
    assert nation == [
        {
            "level": "nation",
            "area": "TH",
            "area_name": "ประเทศไทย",
            "fiscal_year": FY,
            "month": MONTH,
            "product_type": "food",
            "confirmation": "province",
            "rows": 1,
            "domestic": "1000.50",
            "export": "20.00",
            "total": "1020.50",
        }
    ]
    MonthTotal.objects.filter(district_id="5701").update(province_domestic=Decimal("7.00"))
    nation = dept.get("/api/v1/totals/", {"fiscal_year": FY}).json()["results"]
    assert nation[0]["domestic"] == "7.00"

    province = clients["province"].get(
        "/api/v1/totals/", {"fiscal_year": FY, "level": "district", "confirmation": "all"}
    )
    assert [(r["area"], r["rows"]) for r in province.json()["results"]] == [("5701", 2)]
    clusters = dept.get("/api/v1/totals/", {"fiscal_year": FY, "level": "cluster"}).json()
    assert [(r["area"], r["area_name"]) for r in clusters["results"]] == [
        ("16", "กลุ่มจังหวัดภาคเหนือตอนบน 2")
    ]


@pytest.mark.parametrize(
    ("who", "params", "status"),
    [
        ("district", {"level": "nation"}, 404),
        ("district", {"level": "province"}, 404),
        ("district", {"level": "district", "area": "5702"}, 404),
        ("province", {"level": "cluster"}, 404),
        ("province", {"level": "province", "area": "50"}, 404),
        ("other_province", {"level": "district", "area": "5701"}, 404),
        ("department", {"level": "nation", "confirmation": "all"}, 403),
        ("department", {"level": "cluster", "area": "99"}, 404),
        ("department", {"level": "nation", "area": "1"}, 400),
        ("department", {"level": "nation", "cursor": "bad!"}, 400),
    ],
)
def test_totals_refuse_outside_the_scope(clients, who, params, status):
    response = clients[who].get("/api/v1/totals/", {"fiscal_year": FY, **params})
    assert response.status_code == status, response.json()


def test_totals_are_paged_by_a_keyset_cursor(clients, geography, officers):
    for district, user in (("mueang_cr", "owner"), ("wiang_chai", "neighbour")):
        rows = add_rows(geography[district], officers[user], 2)
        confirm(geography[district], officers, rows) if user == "owner" else None
    params = {"fiscal_year": FY, "level": "district", "confirmation": "all", "page_size": 1}
    first = clients["province"].get("/api/v1/totals/", params).json()
    assert [r["area"] for r in first["results"]] == ["5701"]
    second = clients["province"].get(first["next"]).json()
    assert [r["area"] for r in second["results"]] == ["5702"] and second["next"] is None


def test_kpi_of_a_year_reuses_the_kpi_table(clients, geography, officers):
    Target.objects.create(province_id="57", fiscal_year=FY, base=Decimal("1000"))
    rows = add_rows(geography["mueang_cr"], officers["owner"], 1)
    confirm(geography["mueang_cr"], officers, rows, province_too=rows)
    body = clients["department"].get(f"/api/v1/kpi/{FY}/").json()
    chiang_rai = next(p for p in body["provinces"] if p["province"] == "57")
    assert chiang_rai["base"] == "1000.00" and chiang_rai["target"] == "1230.00"
    assert chiang_rai["levels"] == ["1150.00", "1170.00", "1190.00", "1210.00", "1230.00"]
    # One month of the year against a whole year's base is no growth (issue 10 point 10).
    assert chiang_rai["actual"] == "1020.50" and chiang_rai["growth"] is None
    assert chiang_rai["score"] == 0 and chiang_rai["base_from"] == "loaded"
    assert body["through"] == {"fiscal_year": FY, "month": MONTH}
    assert body["total"]["base"] == "1000.00" and len(body["clusters"]) == 2
    own = clients["province"].get(f"/api/v1/kpi/{FY}/").json()
    assert [p["province"] for p in own["provinces"]] == ["57"]
    assert own["clusters"] == [] and own["total"] is None
    assert clients["district"].get(f"/api/v1/kpi/{FY}/").status_code == 404


def test_completeness_of_a_month_by_district(clients, geography, officers):
    rows = add_rows(geography["mueang_cr"], officers["owner"], 2)
    confirm(geography["mueang_cr"], officers, rows)
    add_rows(geography["wiang_chai"], officers["neighbour"], 1)
    body = clients["department"].get(f"/api/v1/completeness/{FY}/{MONTH}/").json()
    states = {d["district"]: d["state"] for d in body["districts"]}
    assert states == {"5701": "on_time", "5702": "pending", "5001": "nothing"}
    assert body["counts"]["on_time"] == 1 and body["counts"]["nothing"] == 1
    own = clients["province"].get(f"/api/v1/completeness/{FY}/{MONTH}/").json()
    assert [d["district"] for d in own["districts"]] == ["5701", "5702"]
    mine = clients["district"].get(f"/api/v1/completeness/{FY}/{MONTH}/").json()
    assert [d["district"] for d in mine["districts"]] == ["5701"]
    refused = clients["district"].get(f"/api/v1/completeness/{FY}/{MONTH}/", {"district": "5702"})
    assert refused.status_code == 404


# --- the month write ---------------------------------------------------------------------


def month_body(revision, rows):
    return {"revision": revision, "rows": rows}


def row(name, domestic="100.00", export="0", product_type="food", producer_type="group"):
    return {
        "name": name,
        "product_type": product_type,
        "producer_type": producer_type,
        "domestic": domestic,
        "export": export,
    }


def test_a_dry_run_checks_and_writes_nothing(clients, geography, officers):
    add_rows(geography["mueang_cr"], officers["owner"], 2)
    before = list(MonthlySale.objects.values_list("pk", "domestic", "version"))
    audit = AuditEntry.objects.count()
    body = month_body(1, [row("กลุ่ม 5701-0", "5.00"), row("ใหม่")])
    response = clients["district"].put(MONTH_URL, body, {"dry_run": "true"})
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "dry_run": True,
        "revision": 1,
        "created": 1,
        "changed": 1,
        "deleted": 1,
    }
    assert list(MonthlySale.objects.values_list("pk", "domestic", "version")) == before
    assert AuditEntry.objects.count() == audit
    assert DistrictMonth.objects.get(district_id="5701").revision == 1


def test_a_month_is_saved_through_the_pages_writer(clients, geography, officers):
    add_rows(geography["mueang_cr"], officers["owner"], 2)
    body = month_body(1, [row("กลุ่ม 5701-0", "5.00"), row("  ใหม่  มาก ", "1,234.50", "10")])
    response = clients["district"].put(MONTH_URL, body)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "dry_run": False,
        "revision": 2,
        "created": 1,
        "changed": 1,
        "deleted": 1,
    }
    saved = {
        (r.producer.name, r.domestic, r.export)
        for r in MonthlySale.objects.for_month(geography["mueang_cr"], FM).select_related(
            "producer"
        )
    }
    assert saved == {
        ("กลุ่ม 5701-0", Decimal("5.00"), Decimal("0.00")),
        ("ใหม่ มาก", Decimal("1234.50"), Decimal("10.00")),
    }
    client_user = ApiClient.objects.get(name="district-5701").user
    actions = AuditEntry.objects.filter(user=client_user).values_list("action", flat=True)
    assert sorted(actions) == ["change", "create", "delete"]
    total = MonthTotal.objects.get(district_id="5701", fiscal_year=FY, month=MONTH)
    assert (total.rows, total.domestic, total.export) == (2, Decimal("1239.50"), Decimal("10"))
    again = clients["district"].get(MONTH_URL).json()
    assert again["revision"] == 2 and len(again["rows"]) == 2


def test_a_stale_revision_is_409_and_writes_nothing(clients, geography, officers):
    add_rows(geography["mueang_cr"], officers["owner"], 1)
    before = list(MonthlySale.objects.values_list("pk", "domestic", "version"))
    response = clients["district"].put(MONTH_URL, month_body(0, [row("x")]))
    assert response.status_code == 409
    assert "โหลดหน้าใหม่" in response.json()["detail"]
    assert list(MonthlySale.objects.values_list("pk", "domestic", "version")) == before


def test_bad_values_get_400_with_the_path_of_each_and_the_pages_messages(clients):
    body = month_body(
        0,
        [
            row("ก", "-1"),
            row("ข", "1.234"),
            row("ก", "5"),
            row("ค", None, None),
            {"name": "", "product_type": "car", "producer_type": "group"},
        ],
    )
    response = clients["district"].put(MONTH_URL, body)
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"rows[4].name", "rows[4].product_type"}
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert "/rows/4/name" in pointers
    # The shape is right: now the page's own checks, with its own Thai messages.
    body["rows"].pop()
    response = clients["district"].put(MONTH_URL, body)
    assert response.status_code == 400
    errors = {e["field"]: e["detail"] for e in response.json()["errors"]}
    assert {"rows[0].domestic", "rows[1].domestic", "rows[3].domestic"} <= set(errors)
    assert "กรุณากรอกยอดจำหน่าย" in errors["rows[3].domestic"]
    # The duplicate, alone: the page's check across rows, on the row that repeats.
    body["rows"][0:2] = [row("ก", "1"), row("ข", "2")]
    body["rows"][3] = row("ค")
    response = clients["district"].put(MONTH_URL, body)
    assert response.status_code == 400
    errors = {e["field"]: e["detail"] for e in response.json()["errors"]}
    assert {field for field in errors if field != "rows"} == {"rows[2].name"}
    assert "ผู้ผลิตนี้มีรายการประเภท" in errors["rows[2].name"]
    assert not MonthlySale.objects.exists() and not DistrictMonth.objects.exists()


def test_a_province_confirmed_row_cannot_be_changed_or_left_out(clients, geography, officers):
    rows = add_rows(geography["mueang_cr"], officers["owner"], 1)
    confirm(geography["mueang_cr"], officers, rows, province_too=rows)
    revision = month_revision(geography["mueang_cr"], FM)
    for body in (month_body(revision, [row("กลุ่ม 5701-0", "1.00")]), month_body(revision, [])):
        response = clients["district"].put(MONTH_URL, body)
        assert response.status_code == 400
        assert "จังหวัดยืนยันแล้ว" in " ".join(e["detail"] for e in response.json()["errors"])
    unchanged = month_body(revision, [row("กลุ่ม 5701-0", "1000.50", "20.00"), row("ใหม่")])
    assert clients["district"].put(MONTH_URL, unchanged).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("province", 403), ("department", 403), ("neighbour", 404), ("other_province", 404)],
)
def test_only_the_districts_own_client_writes(clients, who, status):
    response = clients[who].put(MONTH_URL, month_body(0, [row("x")]))
    assert response.status_code == status
    assert not MonthlySale.objects.exists()


def test_a_write_in_the_lock_window_is_423(clients, monkeypatch):
    locked = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=BANGKOK)
    monkeypatch.setattr(timezone, "now", lambda: locked)
    response = clients["district"].put(
        f"/api/v1/months/5701/{FY}/12/", month_body(0, [row("x")]), {"dry_run": "true"}
    )
    assert response.status_code == 423
    assert "ปิดระบบ" in response.json()["detail"]
    assert not MonthlySale.objects.exists()


def test_a_body_that_is_not_json_is_a_problem(clients):
    response = clients["district"].client.put(
        MONTH_URL,
        "revision=0",
        content_type="text/plain",
        headers={"Authorization": f"Bearer {clients['district'].token}"},
    )
    from tests.api_support import check_against_schema

    check_against_schema(response)
    assert response.status_code == 415
    response = clients["district"].client.put(
        MONTH_URL,
        "{bad",
        content_type="application/json",
        headers={"Authorization": f"Bearer {clients['district'].token}"},
    )
    check_against_schema(response)
    assert response.status_code == 400


# --- the contract ------------------------------------------------------------------------


def test_the_schema_is_openapi_3_and_served_to_anyone(client, geography):
    response = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/months/{district}/{fiscal_year}/{month}/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    from openapi_spec_validator import validate

    validate(schema)


def test_the_docs_use_only_our_static_files_and_no_inline_script(client, geography):
    import re

    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(src.startswith("/") for src in sources), sources  # no CDN
    for src in sources:
        fetched = client.get(src)
        assert fetched.status_code == 200, src
        if "?" in src:  # the split view's configuration script
            assert b"SwaggerUIBundle" in fetched.content and b"/api/schema/" in fetched.content

"""Personal data (PDPA, issue 17 point 7): the notice, and a record of every read of names."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from otopdoc.fiscal import BANGKOK
from privacy.models import PersonalDataAccess
from privacy.records import record_personal_data_access
from sales.models import MonthlySale

NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)
LOG = "/privacy/access-log/"


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def test_the_sign_in_page_links_to_a_thai_privacy_notice(client, db):
    login = client.get("/accounts/login/").content.decode()
    assert 'href="/privacy/"' in login
    notice = client.get("/privacy/")
    assert notice.status_code == 200
    text = notice.content.decode()
    for words in ("ประกาศความเป็นส่วนตัว", "วัตถุประสงค์", "ระยะเวลาการเก็บ", "เจ้าของรายเดียว"):
        assert words in text


def test_every_excel_download_is_recorded_with_who_what_and_when(client, officers, producer):
    MonthlySale.objects.create(
        producer=producer,
        district=producer.district,
        product_type="food",
        fiscal_year=2570,
        month=10,
    )
    client.force_login(officers["province"])
    assert client.get("/reports/rt1/5701/2570/10/").status_code == 200  # a page: not a file
    assert not PersonalDataAccess.objects.exists()
    template = client.get("/sales/5701/2570/10/import/template.xlsx")
    report = client.get("/reports/rt1/5701/2570/10/?format=xlsx")
    assert template.status_code == report.status_code == 200
    records = list(PersonalDataAccess.objects.order_by("id"))
    assert [r.user for r in records] == [officers["province"]] * 2
    assert [r.channel for r in records] == ["excel", "excel"]
    assert "rt1-5701-2570-10.xlsx" in records[0].what
    assert records[1].scope == "/reports/rt1/5701/2570/10/?format=xlsx"
    assert records[0].at == NOW


def test_a_refused_download_is_not_recorded(client, officers):
    client.force_login(officers["outsider"])
    assert client.get("/sales/5701/2570/10/import/template.xlsx").status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_the_api_records_through_one_function_for_users_and_clients(officers):
    by_user = record_personal_data_access(officers["department"], "producer names", "5701/2570/10")
    by_client = record_personal_data_access("ระบบ DOC กลาง (token 3)", "producer names", "57")
    assert (by_user.user, by_user.client, by_user.channel) == (officers["department"], "", "api")
    assert (by_client.user, by_client.client) == (None, "ระบบ DOC กลาง (token 3)")
    with pytest.raises(ValueError):
        by_user.save()


def test_the_department_sees_the_record(client, officers):
    record_personal_data_access(officers["owner"], "ไฟล์ Excel rt1-5701-2570-10.xlsx", "/x/")
    client.force_login(officers["department"])
    page = client.get(LOG).content.decode()
    assert "d5701" in page and "rt1-5701-2570-10.xlsx" in page


@pytest.mark.parametrize("who", ["owner", "province", "outsider"])
def test_only_the_department_sees_the_record(client, officers, who):
    client.force_login(officers[who])
    assert client.get(LOG).status_code == 404


def test_strangers_are_sent_to_sign_in_and_posts_are_405(client, officers):
    assert client.get(LOG)["Location"].startswith("/accounts/login/")
    client.force_login(officers["department"])
    assert client.post(LOG).status_code == 405


def test_the_record_costs_the_same_queries_at_3_and_150_entries(
    client, officers, django_assert_num_queries
):
    client.force_login(officers["department"])

    def fill(count):
        for i in range(count):
            record_personal_data_access(officers["owner"], f"file {i}", "/x/")

    fill(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(LOG).status_code == 200
    fill(147)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(LOG).status_code == 200


def test_no_record_without_a_signed_in_user(rf, db):
    from django.http import HttpResponse

    from privacy.records import ExcelDownloadLogMiddleware

    request = rf.get("/x.xlsx")
    request.user = AnonymousUser()
    response = HttpResponse(
        b"x", content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    ExcelDownloadLogMiddleware(lambda r: response)(request)
    assert not PersonalDataAccess.objects.exists()

"""Sending: e-mail to a real SMTP server and LINE pushes to a stand-in, both on loopback.

The worker claims, sends, retries with backoff, gives up keeping the error, and never lets
a transport's failure reach a save or a page.
"""

import datetime
import threading

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from notifications import events, worker
from notifications.admin import DeliveryAdmin
from notifications.models import Channel, Contact, Delivery, Kind, State
from otopdoc.fiscal import BANGKOK
from tests import notify_support

# The stand-ins on loopback, as this module's fixtures.
smtp_server = notify_support.smtp_server
line_api = notify_support.line_api

NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=BANGKOK)  # no reminder due
LINE_USER = "U" + "a" * 32
LINE_GROUP = "C" + "b" * 32


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.NOTIFY_RETRY_SECONDS = 60
    settings.NOTIFY_MAX_ATTEMPTS = 4
    settings.SITE_URL = "https://otop.example"


def contact(user, email="", line_id="", kinds=None):
    return Contact.objects.create(
        user=user, email=email, line_id=line_id, kinds=kinds or list(Kind.values)
    )


def district_event(geography, key="t1"):
    return events.emit(
        Kind.REMINDER,
        key,
        "เตือน: ยืนยันข้อมูลเดือนพฤศจิกายน 2569",
        "อำเภอเมืองเชียงราย: ยังไม่มีการบันทึกข้อมูล",
        "/sales/5701/2570/11/",
        district=geography["mueang_cr"],
        at=NOW,
    )


def test_it_mails_each_officer_of_the_office_in_thai_with_the_link(
    officers, geography, smtp_server
):
    contact(officers["owner"], email="somchai@cdd.example")
    contact(officers["colleague"], email="somsri@cdd.example")
    contact(officers["outsider"], email="other@cdd.example")
    Contact.objects.create(district=geography["mueang_cr"], email="office5701@cdd.example")
    event = district_event(geography)

    assert worker.run_once(NOW)[1:] == (3, 0)

    mails = sorted(smtp_server.messages, key=lambda m: m["to"])
    assert [m["to"] for m in mails] == [
        ["office5701@cdd.example"],
        ["somchai@cdd.example"],
        ["somsri@cdd.example"],
    ]
    for mail in mails:
        assert mail["from"] == "otop@cdd.example"
        # A long Thai subject is folded into encoded words; the reader unfolds it.
        assert mail["subject"].strip() == "[OTOP] เตือน: ยืนยันข้อมูลเดือนพฤศจิกายน 2569"
        assert "อำเภอเมืองเชียงราย: ยังไม่มีการบันทึกข้อมูล" in mail["body"]
        assert "https://otop.example/sales/5701/2570/11/" in mail["body"]
    assert set(event.deliveries.values_list("state", flat=True)) == {State.SENT}
    # The in-app list has it for both officers of 5701, not for the outsider.
    assert set(event.notifications.values_list("user__username", flat=True)) == {
        "d5701",
        "d5701b",
    }


def test_it_sends_only_the_kinds_an_officer_wants_and_each_address_once(officers, geography):
    contact(officers["owner"], email="Same@cdd.example", kinds=[Kind.SENT_BACK])
    contact(officers["colleague"], email="same@cdd.example", line_id=LINE_USER)
    Contact.objects.create(district=geography["mueang_cr"], line_id=LINE_USER)
    event = district_event(geography)
    assert sorted(event.deliveries.values_list("channel", "address")) == [
        (Channel.EMAIL, "same@cdd.example"),
        (Channel.LINE, LINE_USER),
    ]
    # Both still see it in the app.
    assert event.notifications.count() == 2


def test_it_pushes_to_line_as_the_messaging_api_documents(officers, geography, line_api):
    contact(officers["owner"], line_id=LINE_USER)
    Contact.objects.create(district=geography["mueang_cr"], line_id=LINE_GROUP)
    district_event(geography)

    worker.run_once(NOW)

    assert sorted(p["to"] for p in line_api.pushed) == [LINE_GROUP, LINE_USER]
    text = line_api.pushed[0]["text"]
    assert text.startswith("เตือน: ยืนยันข้อมูลเดือนพฤศจิกายน 2569\n")
    assert "https://otop.example/sales/5701/2570/11/" in text
    keys = {str(k) for k in Delivery.objects.values_list("retry_key", flat=True)}
    assert {p["retry_key"] for p in line_api.pushed} == keys


def test_a_failed_push_is_retried_with_backoff_until_it_goes(officers, geography, line_api):
    contact(officers["owner"], line_id=LINE_USER)
    district_event(geography)
    line_api.plan = [500, 429]

    worker.run_once(NOW)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (State.PENDING, 1)
    assert "LINE 500" in delivery.last_error
    assert delivery.next_attempt_at == NOW + datetime.timedelta(seconds=60)

    worker.run_once(NOW + datetime.timedelta(seconds=59))  # not due yet
    assert Delivery.objects.get().attempts == 1

    worker.run_once(NOW + datetime.timedelta(seconds=60))
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (State.PENDING, 2)
    assert "LINE 429" in delivery.last_error
    # The wait doubles.
    assert delivery.next_attempt_at == NOW + datetime.timedelta(seconds=60 + 120)

    worker.run_once(NOW + datetime.timedelta(seconds=180))
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (State.SENT, 3)
    assert [status for status, _ in line_api.requests] == [500, 429, 200]
    assert len(line_api.pushed) == 1


def test_a_push_that_timed_out_after_line_took_it_is_not_shown_twice(officers, geography, line_api):
    contact(officers["owner"], line_id=LINE_USER)
    district_event(geography)
    line_api.plan = ["timeout"]

    worker.run_once(NOW)
    delivery = Delivery.objects.get()
    assert delivery.state == State.PENDING
    assert "Timeout" in delivery.last_error or "timed out" in delivery.last_error

    worker.run_once(NOW + datetime.timedelta(minutes=1))
    # The retry carries the same X-Line-Retry-Key; LINE answers 409: it was sent once.
    assert Delivery.objects.get().state == State.SENT
    assert [status for status, _ in line_api.requests] == [409]
    assert len(line_api.pushed) == 1


def test_it_gives_up_after_the_limit_and_keeps_the_error(officers, geography, line_api):
    contact(officers["owner"], line_id=LINE_USER)
    district_event(geography)
    line_api.plan = [500] * 10
    at = NOW
    for _ in range(6):
        worker.run_once(at)
        at += datetime.timedelta(hours=1)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (State.FAILED, 4)
    assert "LINE 500" in delivery.last_error and "planned 500" in delivery.last_error
    assert len(line_api.requests) == 4


def test_a_refusal_that_retrying_cannot_fix_gives_up_at_once(
    officers, geography, line_api, smtp_server, settings
):
    contact(officers["owner"], email="gone@cdd.example", line_id=LINE_USER)
    smtp_server.refuse.add("gone@cdd.example")
    settings.LINE_CHANNEL_ACCESS_TOKEN = "a-wrong-token"
    district_event(geography)

    worker.run_once(NOW)

    email, line = (Delivery.objects.get(channel=c) for c in (Channel.EMAIL, Channel.LINE))
    assert (email.state, email.attempts) == (State.FAILED, 1)
    assert "refused" in email.last_error
    assert (line.state, line.attempts) == (State.FAILED, 1)
    assert "LINE 401" in line.last_error
    assert smtp_server.messages == [] and line_api.pushed == []


def test_a_mail_server_that_is_down_is_recorded_and_retried(officers, geography, settings):
    contact(officers["owner"], email="somchai@cdd.example")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = (
        "127.0.0.1",
        notify_support.free_port(),
    )  # nothing listens
    district_event(geography)

    assert worker.run_once(NOW)[1:] == (0, 1)
    delivery = Delivery.objects.get()
    assert delivery.state == State.PENDING
    assert "ConnectionRefusedError" in delivery.last_error


def test_a_send_back_saves_and_shows_its_page_while_mail_and_line_fail(
    client, officers, geography, producer, settings, monkeypatch
):
    """The transports' failures stay in the worker: the province's save goes through."""
    from tests.test_notifications_events import entered_month

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    contact(officers["owner"], email="somchai@cdd.example", line_id=LINE_USER)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard port: refused
    settings.LINE_API_BASE_URL = "http://127.0.0.1:9"
    settings.LINE_CHANNEL_ACCESS_TOKEN = "token"
    rows = entered_month(officers, geography, producer, confirm=True)
    client.force_login(officers["province"])
    response = client.post(
        reverse("confirm-send-back", args=["5701", 2570, 11]),
        {
            "batch": "1",
            "row": [f"{r.pk}:{r.version}" for r in rows],
            "chosen": [str(rows[0].pk)],
            "reason": "ยอดไม่ตรงกับใบเสร็จ",
        },
    )
    assert response.status_code == 302
    assert Delivery.objects.filter(state=State.PENDING).count() == 2
    worker.run_once(NOW)
    assert Delivery.objects.filter(state=State.PENDING).exclude(last_error="").count() == 2


def test_staff_retry_a_failed_delivery_from_the_admin(officers, geography, line_api):
    contact(officers["owner"], line_id=LINE_USER)
    district_event(geography)
    line_api.plan = [400]
    worker.run_once(NOW)
    assert Delivery.objects.get().state == State.FAILED

    admin = DeliveryAdmin(Delivery, site)
    request = RequestFactory().post("/admin/")
    request.user = officers["department"]
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    admin.retry(request, Delivery.objects.all())
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (State.PENDING, 0)
    worker.run_once(delivery.next_attempt_at)
    assert Delivery.objects.get().state == State.SENT


def test_the_admin_lists_deliveries_with_their_state(admin_client, officers, geography):
    contact(officers["owner"], email="somchai@cdd.example")
    district_event(geography)
    Delivery.objects.update(last_error="SMTP: ConnectionRefusedError")
    response = admin_client.get(reverse("admin:notifications_delivery_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "somchai@cdd.example" in html and "รอส่ง" in html and "ConnectionRefusedError" in html
    response = admin_client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "retry", "_selected_action": [Delivery.objects.get().pk]},
    )
    assert response.status_code == 302


def test_the_command_runs_once_and_says_what_it_did(officers, geography, smtp_server, capsys):
    contact(officers["owner"], email="somchai@cdd.example")
    district_event(geography)
    call_command("send_notifications", "--now", "2026-11-20T09:00")
    out = capsys.readouterr().out
    assert "2026-11-20 09:00: queued" in out and "sent 1, failed 0" in out
    assert len(smtp_server.messages) == 1


def test_the_command_refuses_a_bad_now(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not an ISO time"):
        call_command("send_notifications", "--now", "tomorrow")


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(smtp_server, line_api):
    """Two workers, each its own database connection, start together on the same queue."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "real concurrent transactions: PostgreSQL (SQLite's test database is shared memory)"
        )
    from tests.conftest import make_geography, make_officers

    geography = make_geography()
    officers = make_officers()
    for i, user in enumerate([officers["owner"], officers["colleague"]]):
        contact(user, email=f"officer{i}@cdd.example", line_id=f"U{i:032x}")
    for n in range(10):
        district_event(geography, key=f"race-{n}")
    assert Delivery.objects.count() == 40

    start = threading.Barrier(2)
    results, errors = [], []

    def work():
        try:
            start.wait()
            results.append(worker.run_once(NOW))
        except Exception as exc:  # shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sum(sent for _, sent, _ in results) == 40
    assert len(smtp_server.messages) == 20
    assert len(line_api.pushed) == 20
    assert len({p["retry_key"] for p in line_api.pushed}) == 20
    assert set(Delivery.objects.values_list("state", "attempts")) == {(State.SENT, 1)}
    print(f"\n{connection.vendor}: workers sent {[sent for _, sent, _ in results]}")


@pytest.mark.parametrize(
    "name", ["notifications_delivery", "notifications_event", "notifications_contact"]
)
def test_the_admin_lists_cost_the_same_queries_for_more_rows(
    admin_client, officers, geography, django_assert_num_queries, name
):
    from django.test.utils import CaptureQueriesContext

    contact(officers["owner"], email="somchai@cdd.example")
    Contact.objects.create(district=geography["mueang_cr"], line_id=LINE_GROUP)
    url = reverse(f"admin:{name}_changelist")
    for i in range(2):
        district_event(geography, key=f"few-{i}")
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    contact(officers["colleague"], email="somsri@cdd.example")
    Contact.objects.create(province=geography["chiang_rai"], email="cr@cdd.example")
    for i in range(20):
        district_event(geography, key=f"many-{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert admin_client.get(url).status_code == 200


def test_the_loop_keeps_going_after_a_failed_round_and_stops_on_sigterm(db, monkeypatch, capsys):
    import os
    import signal

    from notifications.management.commands import send_notifications

    rounds = []

    def fake_round(now):
        rounds.append(now)
        if len(rounds) == 1:
            raise RuntimeError("database away for a moment")
        if len(rounds) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return 0, 0, 0

    monkeypatch.setattr(send_notifications, "run_once", fake_round)
    monkeypatch.setattr(send_notifications.time, "sleep", lambda seconds: None)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        call_command("send_notifications", "--loop", "--interval", "1")
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    assert len(rounds) == 3
    out = capsys.readouterr().out
    assert "every 1 s until SIGTERM" in out and out.rstrip().endswith("stopped")


def test_loop_and_now_do_not_go_together(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="without --loop"):
        call_command("send_notifications", "--loop", "--now", "2026-12-04T08:00")


def test_the_admin_refuses_a_contact_of_nobody_or_of_two_owners_in_thai(
    admin_client, officers, geography
):
    url = reverse("admin:notifications_contact_add")
    for owners in ({}, {"user": officers["owner"].pk, "district": "5701"}):
        response = admin_client.post(
            url, {"email": "x@cdd.example", "line_id": "", "kinds": "[]", **owners}
        )
        assert response.status_code == 200
        assert "อย่างใดอย่างหนึ่งเท่านั้น" in response.content.decode()
    response = admin_client.post(
        url, {"email": "bad@", "line_id": "@x", "kinds": "[]", "district": "5701"}
    )
    html = response.content.decode()
    assert "รูปแบบอีเมลไม่ถูกต้อง" in html and "LINE ID ไม่ถูกต้อง" in html
    assert not Contact.objects.exists()
    response = admin_client.post(
        url,
        {"email": "office@cdd.example", "line_id": "", "kinds": '["reminder"]', "district": "5701"},
    )
    assert response.status_code == 302
    assert Contact.objects.get().district_id == "5701"

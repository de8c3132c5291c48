"""The bell, the notification list, mark as read, and the settings pages' scope and input."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import events
from notifications.models import Contact, Kind, Notification
from otopdoc.fiscal import BANGKOK
from otopdoc.models import Officer

NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=BANGKOK)
LINE_USER = "U" + "d" * 32


def notify(geography, n=1, district="mueang_cr"):
    for i in range(n):
        events.emit(
            Kind.REMINDER,
            f"test:{district}:{i}",
            f"เตือนครั้งที่ {i}",
            "ข้อมูลยังไม่ครบ",
            "/sales/5701/2570/11/",
            district=geography[district],
            at=NOW + datetime.timedelta(minutes=i),
        )


def bell(html):
    start = html.index('id="nav-bell"')
    return html[start : html.index("</a>", start)]


def test_the_bell_shows_the_unread_count_and_the_list_marks_read(client, officers, geography):
    notify(geography, 3)
    client.force_login(officers["owner"])
    home = client.get(reverse("district-home", args=["5701"]), follow=True).content.decode()
    assert 'id="nav-bell-count">3<' in bell(home)
    assert "ยังไม่อ่าน 3 รายการ" in bell(home)

    page = client.get(reverse("notifications")).content.decode()
    assert page.index("เตือนครั้งที่ 2") < page.index("เตือนครั้งที่ 0")  # newest first
    first = Notification.objects.filter(user=officers["owner"]).order_by("pk").first()
    response = client.post(reverse("notification-read", args=[first.pk]), {"open": "1"})
    assert response["Location"] == "/sales/5701/2570/11/"
    assert 'id="nav-bell-count">2<' in bell(client.get(reverse("notifications")).content.decode())

    client.post(reverse("notifications-read-all"))
    html = client.get(reverse("notifications")).content.decode()
    assert "nav-bell-count" not in bell(html) and 'aria-label="การแจ้งเตือน"' in bell(html)
    # Reading is one's own: the colleague's notices are still unread.
    assert Notification.objects.filter(user=officers["colleague"], read_at=None).count() == 3


def test_another_officers_notification_is_a_404(client, officers, geography):
    notify(geography)
    theirs = Notification.objects.get(user=officers["owner"])
    client.force_login(officers["colleague"])
    assert client.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    client.force_login(officers["outsider"])
    assert "เตือนครั้งที่ 0" not in client.get(reverse("notifications")).content.decode()


def test_marking_read_takes_post_only(client, officers, geography):
    notify(geography)
    client.force_login(officers["owner"])
    mine = Notification.objects.get(user=officers["owner"])
    assert client.get(reverse("notification-read", args=[mine.pk])).status_code == 405
    assert client.get(reverse("notifications-read-all")).status_code == 405


def test_the_list_costs_the_same_queries_at_2_and_40_notices(client, officers, geography):
    client.force_login(officers["owner"])
    notify(geography, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications"))
    Notification.objects.all().delete()
    notify(geography, 40, district="mueang_cr")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications"))
    assert len(few.captured_queries) == len(many.captured_queries)


def test_an_officer_sets_their_own_email_line_id_and_kinds(client, officers):
    client.force_login(officers["owner"])
    page = client.get(reverse("notification-settings")).content.decode()
    assert "เตือนกำหนดยืนยันข้อมูลของอำเภอ" in page
    assert "อำเภอยืนยันข้อมูลครบแล้ว" not in page  # a province's kind
    response = client.post(
        reverse("notification-settings"),
        {"email": "somchai@cdd.example", "line_id": LINE_USER, "kinds": [Kind.SENT_BACK]},
    )
    assert response.status_code == 302
    contact = Contact.objects.get(user=officers["owner"])
    assert (contact.email, contact.line_id) == ("somchai@cdd.example", LINE_USER)
    # Kinds of other roles stay as they were (all, by default).
    assert contact.wants(Kind.SENT_BACK) and not contact.wants(Kind.REMINDER)
    assert contact.wants(Kind.WEEKLY)

    # A colleague of the same district sees and changes only their own.
    client.force_login(officers["colleague"])
    page = client.get(reverse("notification-settings")).content.decode()
    assert "somchai@cdd.example" not in page
    client.post(reverse("notification-settings"), {"email": "somsri@cdd.example"})
    assert Contact.objects.get(user=officers["owner"]).email == "somchai@cdd.example"
    assert Contact.objects.get(user=officers["colleague"]).email == "somsri@cdd.example"


@pytest.mark.parametrize(
    ("email", "line_id", "message"),
    [
        ("somchai@", "", "รูปแบบอีเมลไม่ถูกต้อง เช่น somchai@cdd.go.th"),
        ("สมชาย at cdd", "", "รูปแบบอีเมลไม่ถูกต้อง"),
        ("", "@somchai", "LINE ID ไม่ถูกต้อง"),
        ("", "U" + "a" * 31, "LINE ID ไม่ถูกต้อง"),
        ("", "X" + "a" * 32, "LINE ID ไม่ถูกต้อง"),
        ("", "U" + "A" * 32, "LINE ID ไม่ถูกต้อง"),
    ],
)
def test_a_bad_address_is_refused_by_its_field_in_thai_and_kept(
    client, officers, email, line_id, message
):
    Contact.objects.create(user=officers["owner"], email="old@cdd.example")
    client.force_login(officers["owner"])
    response = client.post(reverse("notification-settings"), {"email": email, "line_id": line_id})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "ยังไม่ได้บันทึก" in html
    field = "email" if email else "line_id"
    assert f'id="id_{field}"' in html and "is-invalid" in html
    assert f'value="{email or line_id}"' in html  # what was typed stays on the page
    assert Contact.objects.get(user=officers["owner"]).email == "old@cdd.example"


def test_the_department_sets_an_offices_shared_addresses(client, officers, geography):
    client.force_login(officers["department"])
    response = client.get(reverse("notification-offices"), {"code": "57"})
    assert response["Location"] == reverse("notification-office", args=["57"])
    page = client.get(reverse("notification-office", args=["57"])).content.decode()
    assert "จังหวัดเชียงราย" in page and "อำเภอยืนยันข้อมูลครบแล้ว" in page
    response = client.post(
        reverse("notification-office", args=["5701"]),
        {"email": "office@cdd.example", "line_id": "C" + "e" * 32, "kinds": [Kind.REMINDER]},
    )
    assert response.status_code == 302
    assert Contact.objects.get(district="5701").line_id == "C" + "e" * 32
    listing = client.get(reverse("notification-offices")).content.decode()
    assert "office@cdd.example" in listing

    bad = client.get(reverse("notification-offices"), {"code": "99"}).content.decode()
    assert "ไม่พบรหัสนี้" in bad
    assert client.get(reverse("notification-office", args=["9999"])).status_code == 404

    # The office's group now gets the district's reminders.
    notify(geography)
    event = Notification.objects.filter(user=officers["owner"]).get().event
    assert set(event.deliveries.values_list("address", flat=True)) == {
        "office@cdd.example",
        "C" + "e" * 32,
    }


@pytest.mark.parametrize("who", ["owner", "province", "other_province"])
def test_office_settings_are_the_departments_only(client, officers, who):
    client.force_login(officers[who])
    assert client.get(reverse("notification-offices")).status_code == 404
    url = reverse("notification-office", args=["57"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "x@cdd.example"}).status_code == 404
    assert not Contact.objects.exists()


def test_create_officer_takes_email_and_line_id(geography):
    call_command(
        "create_officer",
        "d5702x",
        "--password",
        "correct-horse-battery",
        "--role",
        "district",
        "--area",
        "5702",
        "--email",
        "wiang@cdd.example",
        "--line-id",
        LINE_USER,
    )
    contact = Contact.objects.get(user__username="d5702x")
    assert (contact.email, contact.line_id) == ("wiang@cdd.example", LINE_USER)


@pytest.mark.parametrize(
    ("option", "value"), [("--email", "not-an-address"), ("--line-id", "somchai")]
)
def test_create_officer_refuses_a_bad_address_and_creates_nothing(geography, option, value):
    with pytest.raises(CommandError, match="ไม่ถูกต้อง"):
        call_command(
            "create_officer",
            "d5702x",
            "--password",
            "correct-horse-battery",
            "--role",
            "district",
            "--area",
            "5702",
            option,
            value,
        )
    assert not Officer.objects.filter(user__username="d5702x").exists()

"""Hostile uploads are refused within bounds of size, rows, text and time (issue 17, point 1).

The files come from tests/hostile_files.py; benchmarks/hostile_uploads.py prints what each
refusal costs in time and memory.
"""

import datetime
import itertools
import secrets
import threading
import time
import urllib.request
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from otopdoc.fiscal import BANGKOK
from sales import bounded_xlsx
from sales.importing import XLSX_TYPE, read_rows, session_key
from sales.models import MonthlySale
from tests import hostile_files as hostile

IMPORT = "/sales/5701/2570/10/import/"
NOW = datetime.datetime(2026, 10, 15, 10, 0, tzinfo=BANGKOK)
INFLATED = "ไฟล์นี้เมื่อคลายออกมีขนาดใหญ่ผิดปกติ"

# The attack's kinds at a size past the bounds (smaller than the attack's, to build fast).
HOSTILE = {
    "inflated rows": lambda: hostile.inflated_rows(20),
    "one huge cell": lambda: hostile.huge_cell(20),
    "huge shared strings": lambda: hostile.huge_shared_strings(20),
    "huge attribute": lambda: hostile.huge_attribute(20),
    "whitespace bomb": lambda: hostile.whitespace_bomb(20),
}


@pytest.fixture(autouse=True)
def october(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def owner(client, officers):
    client.force_login(officers["owner"])
    return officers["owner"]


def upload(client, content):
    return client.post(IMPORT, {"file": SimpleUploadedFile("rt1.xlsx", content, XLSX_TYPE)})


def file_errors(response):
    """Return the messages shown by the file field."""
    return response.context["form"].errors.get("file", [])


def refused(response, client, text):
    """Check that the page refused the file by its field, keeping and writing nothing."""
    assert response.status_code == 200
    errors = file_errors(response)
    assert any(text in message for message in errors), errors
    assert text in response.content.decode()
    assert response.context["preview"] is None
    district = response.context["district"]
    assert session_key(district, response.context["fiscal_month"]) not in client.session
    assert not MonthlySale.objects.exists()


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_part_that_inflates_out_of_proportion_is_refused_before_parsing(
    client, owner, kind, monkeypatch
):
    def no_parsing(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr("openpyxl.load_workbook", no_parsing)
    response = upload(client, HOSTILE[kind]())
    refused(response, client, INFLATED)


def test_the_inflation_bounds_are_settings(client, owner, settings):
    settings.OTOP_IMPORT_MAX_PART_BYTES = 1000
    response = upload(client, hostile.many_rows(3))
    refused(response, client, INFLATED)


def test_a_row_numbered_in_the_trillions_is_refused_at_once(client, owner):
    response = upload(client, hostile.huge_row_number())
    refused(response, client, "ไฟล์มีข้อมูลที่แถวที่ 1,000,000,000,000 ซึ่งเลยแถวที่ 4,005")


def test_the_reader_never_fills_in_missing_rows(monkeypatch):
    """The rows between the header and a row in the trillions are never produced."""
    yielded = []
    real = bounded_xlsx.sheet_rows

    def counting(*args):
        for row in real(*args):
            yielded.append(row[0])
            yield row

    monkeypatch.setattr("sales.importing.sheet_rows", counting)
    rows = read_rows(SimpleUploadedFile("rt1.xlsx", hostile.empty_row_far_away()))
    assert [row["line"] for row in rows] == [6]
    assert len(yielded) <= 10


def test_a_cell_longer_than_its_field_is_refused(client, owner):
    response = upload(client, hostile.long_cell(201))
    refused(response, client, "แถวที่ 6 คอลัมน์ B (“ชื่อกลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP”) ยาว 201")


def test_a_cell_of_the_longest_name_is_read(client, owner):
    response = upload(client, hostile.long_cell(200))
    assert not file_errors(response)
    assert response.context["preview"].ok


def test_a_cell_of_300_000_characters_is_refused_without_reaching_the_preview(client, owner):
    response = upload(client, hostile.long_cell(300_000))
    refused(response, client, "ยาว 300,000 ตัวอักษร")
    assert len(response.content) < 200_000


def test_the_read_has_a_time_budget_that_holds_inside_a_thread(monkeypatch, settings):
    """The reader asks the clock on every row: a read that runs late stops in a thread too."""
    settings.OTOP_IMPORT_READ_SECONDS = 5
    ticks = itertools.count()
    monkeypatch.setattr(bounded_xlsx.time, "monotonic", lambda: next(ticks) * 0.01)
    content = hostile.many_rows(1500)  # 1,500 rows read in 15 "seconds" of this clock
    outcome = {}

    def read():
        try:
            read_rows(SimpleUploadedFile("rt1.xlsx", content))
        except Exception as error:  # noqa: BLE001 - the test looks at what it is
            outcome["error"] = error

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(timeout=60)
    error = outcome["error"]
    assert error.code == "too_slow"
    assert "ระบบอ่านไฟล์นี้ไม่เสร็จภายใน 5 วินาที" in error.messages[0]
    assert next(ticks) < 1000  # stopped near the budget, not at the end of the file


def test_a_time_budget_refusal_is_shown_by_the_file_field(client, owner, settings):
    settings.OTOP_IMPORT_READ_SECONDS = -1
    response = upload(client, hostile.many_rows(3))
    refused(response, client, "ระบบอ่านไฟล์นี้ไม่เสร็จภายใน -1 วินาที")


def test_the_preview_of_the_largest_file_stays_bounded(client, owner):
    """2,000 rows of the longest name and amounts, every row wrong: the page stays under 4 MB."""
    rows = "".join(
        hostile.data_row(6 + i, name=f"{i:04d}" + "ก" * 196, domestic="9" * 40) for i in range(2000)
    )
    content = hostile.build([hostile.SHEET_OPEN, hostile.header_row(), rows, hostile.SHEET_CLOSE])
    response = upload(client, content)
    assert response.context["preview"].count("error") == 2000
    assert len(response.content) < 4 * 1024 * 1024


# --- several hostile files at once, while another officer works ----------------------------


def _signed_in(user):
    """Return the Cookie header of a session signed in as `user`, and its CSRF token."""
    client = Client()
    client.force_login(user)
    token = secrets.token_hex(16)
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}", token


def _post_file(cookie, token, url, content):
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="rt1.xlsx"\r\nContent-Type: {XLSX_TYPE}\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": cookie,
        },
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read().decode()


def test_several_hostile_files_at_once_leave_other_officers_answered(live_server, officers):
    files = {kind: make() for kind, make in HOSTILE.items()}
    files["huge row number"] = hostile.huge_row_number()
    files["too many rows"] = hostile.many_rows(2500)
    expected = {kind: INFLATED for kind in HOSTILE}
    expected["huge row number"] = "เลยแถวที่ 4,005"
    expected["too many rows"] = "ไฟล์มีข้อมูลเกิน 2,000 แถว"

    pages = {}
    attackers = []
    for kind, content in files.items():
        cookie, token = _signed_in(officers["owner"])

        def attack(kind=kind, content=content, cookie=cookie, token=token):
            pages[kind] = _post_file(cookie, token, live_server.url + IMPORT, content)

        attackers.append(threading.Thread(target=attack))

    province = urllib.request.Request(
        live_server.url + "/province/57/", headers={"Cookie": _signed_in(officers["province"])[0]}
    )
    durations = []
    for thread in attackers:
        thread.start()
    while any(thread.is_alive() for thread in attackers) or not durations:
        started = time.perf_counter()
        with urllib.request.urlopen(province, timeout=30) as response:
            assert response.status == 200
            assert "จังหวัดเชียงราย" in response.read().decode()
        durations.append(time.perf_counter() - started)
    for thread in attackers:
        thread.join()

    for kind, text in expected.items():
        assert text in pages[kind], kind
    assert max(durations) < 2, durations
    assert not MonthlySale.objects.exists()

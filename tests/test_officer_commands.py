import csv

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from otopdoc.models import Officer, Role

User = get_user_model()


def test_it_creates_a_district_officer(geography, client):
    call_command("create_officer", "amphoe", password="s3cret-pass", role="district", area="5701")
    officer = Officer.objects.get(user__username="amphoe")
    assert officer.role == Role.DISTRICT
    assert officer.district_id == "5701"
    response = client.post(
        "/accounts/login/", {"username": "amphoe", "password": "s3cret-pass"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/district/5701/"


def test_it_creates_province_and_department_officers(geography):
    call_command("create_officer", "changwat", password="pw-123456", role="province", area="57")
    call_command("create_officer", "krom", password="pw-123456", role="department")
    assert Officer.objects.get(user__username="changwat").province_id == "57"
    assert Officer.objects.get(user__username="krom").is_department


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"role": "governor", "area": "57"}, "Unknown role"),
        ({"role": "district", "area": "9999"}, "No district has code"),
        ({"role": "district", "area": "57"}, "No district has code"),
        ({"role": "province", "area": "99"}, "No province has code"),
        ({"role": "district"}, "needs --area"),
        ({"role": "province"}, "needs --area"),
        ({"role": "department", "area": "57"}, "no area"),
    ],
)
def test_it_refuses_bad_arguments_and_creates_nothing(geography, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_officer", "newbie", password="pw-123456", **options)
    assert not User.objects.filter(username="newbie").exists()


def test_it_refuses_a_taken_user_name(geography):
    call_command("create_officer", "amphoe", password="pw-123456", role="district", area="5701")
    with pytest.raises(CommandError, match="already taken"):
        call_command("create_officer", "amphoe", password="pw-2", role="province", area="57")
    assert Officer.objects.filter(user__username="amphoe").get().role == Role.DISTRICT


def test_a_missing_password_is_refused_by_the_parser(geography):
    with pytest.raises(CommandError):
        call_command("create_officer", "amphoe", role="department")


def test_provision_creates_one_account_per_district_and_province_without_one(geography, tmp_path):
    call_command("create_officer", "mine", password="pw-123456", role="district", area="5701")
    out = tmp_path / "accounts.csv"
    call_command("provision_officers", out=str(out))
    with open(out, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    # 3 districts and 2 provinces, less 5701 which already has an officer.
    assert sorted(r["area_code"] for r in rows) == ["50", "5001", "57", "5702"]
    assert len({r["password"] for r in rows}) == 4
    first = rows[0]
    assert User.objects.get(username=first["username"]).check_password(first["password"])
    assert Officer.objects.get(user__username="otop5702").district_id == "5702"


def test_provision_twice_creates_nothing_more(geography, tmp_path):
    call_command("provision_officers", out=str(tmp_path / "a.csv"))
    count = Officer.objects.count()
    call_command("provision_officers", out=str(tmp_path / "b.csv"))
    assert Officer.objects.count() == count
    assert (tmp_path / "b.csv").read_text(encoding="utf-8-sig").count("\n") == 1


def test_provision_refuses_to_overwrite_a_file(geography, tmp_path):
    out = tmp_path / "a.csv"
    out.write_text("keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("provision_officers", out=str(out))
    assert out.read_text() == "keep me"
    assert not Officer.objects.exists()


def test_provision_refuses_a_user_name_taken_by_someone_else(geography, tmp_path):
    User.objects.create_user("otop5702", password="x")
    with pytest.raises(CommandError, match="otop5702"):
        call_command("provision_officers", out=str(tmp_path / "a.csv"))
    assert not Officer.objects.exists()


def test_provision_needs_the_geography(db, tmp_path):
    with pytest.raises(CommandError, match="load_geography"):
        call_command("provision_officers", out=str(tmp_path / "a.csv"))

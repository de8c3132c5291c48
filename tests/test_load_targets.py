"""`manage.py load_targets FILE.csv`: the provinces' KPI bases, whole file or nothing."""

import csv
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reports.models import Target
from reports.targets import SEED_TARGETS
from sales.geography import read_clusters
from sales.models import Cluster, Province

HEADER = "province_code,fiscal_year,base\n"


@pytest.fixture
def provinces(geography):
    """Provinces 57 and 50 of the shared geography, and 56 (พะเยา) beside them."""
    Province.objects.create(
        code="56",
        name_th="พะเยา",
        name_en="Phayao",
        cluster=Cluster.objects.get(region=16),
    )


def write(tmp_path, text, name="targets.csv", bom=False, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def load(path, *args):
    out = StringIO()
    call_command("load_targets", str(path), *args, stdout=out)
    return out.getvalue()


def bases():
    return {(t.province_id, t.fiscal_year): t.base for t in Target.objects.all()}


def test_it_loads_a_file_with_a_bom(tmp_path, provinces):
    path = write(tmp_path, HEADER + "57,2568,3497195606\n50,2568,13042038419.50\n", bom=True)
    out = load(path)
    assert "2 created, 0 updated, 0 unchanged" in out
    assert "fiscal year 2568" in out
    assert bases() == {
        ("57", 2568): Decimal("3497195606.00"),
        ("50", 2568): Decimal("13042038419.50"),
    }
    assert Target.objects.get(province="57").source == "targets.csv"


def test_it_loads_a_file_without_a_bom_with_a_source(tmp_path, provinces):
    path = write(tmp_path, HEADER + '57,2568,"1,234,567.25"\n')
    load(path, "--source", "หนังสือกรม ที่ มท 0410/1")
    target = Target.objects.get()
    assert target.base == Decimal("1234567.25")
    assert target.source == "หนังสือกรม ที่ มท 0410/1"


def test_it_updates_changed_bases_and_leaves_the_rest(tmp_path, provinces):
    load(write(tmp_path, HEADER + "57,2568,100\n50,2568,200\n"))
    untouched = Target.objects.get(province="50").loaded_at
    out = load(write(tmp_path, HEADER + "57,2568,150\n50,2568,200\n56,2568,300\n"))
    assert "1 created, 1 updated, 1 unchanged" in out
    assert bases() == {
        ("57", 2568): Decimal("150.00"),
        ("50", 2568): Decimal("200.00"),
        ("56", 2568): Decimal("300.00"),
    }
    assert Target.objects.get(province="50").loaded_at == untouched


def test_running_it_twice_changes_nothing(tmp_path, provinces):
    path = write(tmp_path, HEADER + "57,2568,100\n")
    load(path)
    before = list(Target.objects.values())
    assert "0 created, 0 updated, 1 unchanged" in load(path)
    assert list(Target.objects.values()) == before


def test_it_writes_nothing_on_a_dry_run(tmp_path, provinces):
    load(write(tmp_path, HEADER + "57,2568,100\n"))
    before = list(Target.objects.values())
    out = load(write(tmp_path, HEADER + "57,2568,150\n50,2568,1\n"), "--dry-run")
    assert "Dry run, nothing written" in out
    assert "1 created, 1 updated, 0 unchanged" in out
    assert list(Target.objects.values()) == before


def test_it_loads_the_seed_sheet_and_checks_its_levels(tmp_path, db):
    for code, (region, name) in read_clusters().items():
        cluster, _ = Cluster.objects.get_or_create(region=region, name_th=name)
        Province.objects.create(code=code, name_th=code, name_en=code, cluster=cluster)
    out = load(SEED_TARGETS)
    assert "14 created" in out
    with open(SEED_TARGETS, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(t.province_id, t.base) for t in Target.objects.filter(fiscal_year=2562)} == {
        (row["province_code"], Decimal(row["base_fy2561"])) for row in rows
    }

    text = SEED_TARGETS.read_text(encoding="utf-8").replace("5700362703,5329607405", "1,5329607405")
    with pytest.raises(CommandError, match="target_23 is 1, but base \\+ 23 % is 5700362703"):
        load(write(tmp_path, text))


BAD_FILES = {
    "unknown province": ("99,2568,100\n", "line 3: no province has code '99'"),
    "empty province": (",2568,100\n", "line 3: no province_code"),
    "year not a number": ("50,พ.ศ.2568,100\n", "line 3: fiscal_year 'พ.ศ.2568' is not a B.E."),
    "year in C.E.": ("50,2025,100\n", "line 3: fiscal_year '2025' is not a B.E. fiscal year"),
    "year empty": ("50,,100\n", "line 3: fiscal_year '' is not a B.E. fiscal year"),
    "negative base": ("50,2568,-1\n", "line 3: base '-1' is negative"),
    "base not a number": ("50,2568,หนึ่งล้าน\n", "line 3: base 'หนึ่งล้าน' is not a number"),
    "base not finite": ("50,2568,NaN\n", "line 3: base 'NaN' is not a number"),
    "base of 3 decimals": ("50,2568,100.001\n", "line 3: base '100.001' has more than 2 decimals"),
    "base empty": ("50,2568,\n", "line 3: no base amount"),
    "base too large": ("50,2568,100000000000000\n", "line 3: base '100000000000000' is too large"),
    "too many fields": ("50,2568,100,7\n", "line 3: more fields than the header has columns"),
    "duplicate": (
        "57,2568,200\n",
        "line 3: province 57 and fiscal year 2568 are already on line 2",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_it_refuses_a_bad_row_and_loads_nothing(tmp_path, provinces, case):
    bad_row, message = BAD_FILES[case]
    load(write(tmp_path, HEADER + "56,2568,1\n", name="before.csv"))
    before = list(Target.objects.values())
    path = write(tmp_path, HEADER + "57,2568,100\n" + bad_row + "56,2568,999\n")
    with pytest.raises(CommandError) as error:
        load(path)
    assert "Nothing loaded: 1 problem(s)" in str(error.value)
    assert message in str(error.value)
    assert list(Target.objects.values()) == before


def test_it_lists_every_bad_row_with_its_line(tmp_path, provinces):
    path = write(
        tmp_path,
        HEADER + "57,2568,100\n99,2568,1\n50,2568,-5\n50,2568,1.5\n57,2568,7\n56,x,1\n",
    )
    with pytest.raises(CommandError) as error:
        load(path)
    message = str(error.value)
    assert "4 problem(s)" in message
    assert "line 3: no province has code '99'" in message
    assert "line 4: base '-5' is negative" in message
    assert "line 6: province 57 and fiscal year 2568 are already on line 2" in message
    assert "line 7: fiscal_year 'x' is not a B.E. fiscal year" in message
    assert "line 5" not in message
    assert not Target.objects.exists()


def test_it_counts_lines_of_a_quoted_field_over_two_lines(tmp_path, provinces):
    path = write(tmp_path, HEADER + '57,2568,"1\n00"\n99,2568,1\n')
    with pytest.raises(CommandError) as error:
        load(path)
    assert "line 3: base '1\\n00' is not a number" in str(error.value)
    assert "line 4: no province has code '99'" in str(error.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("province_code,base\n57,100\n", "line 1: missing column(s): fiscal_year"),
        ("province,fiscal_year,amount\n57,2568,1\n", "missing column(s): province_code, base"),
        ("", "line 1: missing column(s): province_code, fiscal_year, base"),
        (HEADER, "line 1: the file has a header but no rows"),
    ],
    ids=["no fiscal_year", "misnamed columns", "empty file", "header only"],
)
def test_it_refuses_a_file_without_its_columns_or_rows(tmp_path, provinces, text, message):
    with pytest.raises(CommandError, match="Nothing loaded") as error:
        load(write(tmp_path, text))
    assert message in str(error.value)
    assert not Target.objects.exists()


def test_it_refuses_a_file_that_is_not_utf8(tmp_path, provinces):
    path = write(tmp_path, HEADER + "57,2568,100 บาท\n", encoding="cp874")
    with pytest.raises(CommandError, match="not UTF-8"):
        load(path)
    assert not Target.objects.exists()


def test_it_refuses_a_missing_file(tmp_path, provinces):
    with pytest.raises(CommandError, match="Nothing loaded"):
        load(tmp_path / "nowhere.csv")

"""Bad input thrown at every form that writes (Hypothesis): never a 500, never half a write.

For each POST: the status is one of the allowed ones; when it is not the success redirect,
no table changed at all; when it is, the saved rows are exactly what was posted (Decimal
exact), the audit trail grew by one entry per row changed, and the running totals still
equal the rows. The strategies (tests/fuzz_support.py) mix good values with nasty text
(NUL, control characters, RTL, emoji), impossible amounts (1e400, NaN, "9"*40, Thai and
Arabic digits, "1,2,3"), forged and duplicated ids, stale versions and broken management
forms. The number of examples run per form is printed and written to
test-artifacts/fuzz-counts.txt.
"""

from decimal import Decimal

import pytest
from django import forms
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales.countries import COUNTRY_CHOICES
from sales.forms_estimate import version_of
from sales.forms_exports import stamp_of
from sales.models import (
    Estimate,
    EstimateMonth,
    ExportDetail,
    MonthlySale,
    Producer,
    ProducerType,
    ProductType,
)
from sales.services import month_revision
from tests.fuzz_support import (
    INVALID,
    MONTH,
    NOW,
    STATUSES,
    UNKNOWN,
    amount_matches,
    amounts,
    bad_cells,
    base_month,
    changed_tables,
    choice_text,
    client_of,
    count,
    folded,
    garbage_ints,
    has_control,
    junk_fields,
    names,
    producer_type_text,
    rolled_back,
    snapshot,
    write_counts,
)
from tests.test_totals_property import assert_totals_match


def fuzz(examples):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


ENTRY = "/sales/5701/2570/11/"
PRODUCT_TYPES = set(ProductType.values)
PRODUCER_TYPES = set(ProducerType.values)


@pytest.fixture(autouse=True)
def open_day(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture(scope="module", autouse=True)
def counts_at_the_end():
    yield
    write_counts()


@pytest.fixture
def base(geography, officers):
    return base_month(geography, officers)


def as_int(text):
    """Read an id as the form's IntegerField does (None when blank or not a number)."""
    try:
        return forms.IntegerField(required=False).clean(text)
    except forms.ValidationError:
        return None


def is_blank(values):
    return all(not str(v).strip() for v in values)


# --- the entry page -----------------------------------------------------------------------


@st.composite
def entry_posts(draw, ids, foreign):
    """Return (POST data, rows as drawn) for the entry page."""
    rows, clean = [], draw(st.booleans())
    for _ in range(draw(st.integers(0, 5))):
        kinds = ["new", "new", "own", "own"] + ([] if clean else ["foreign", "garbage"])
        id_kind = draw(st.sampled_from(kinds))
        row = {
            "id": {
                "new": "",
                "own": str(draw(st.sampled_from(ids))),
                "foreign": str(draw(st.sampled_from([*foreign, 10**6]))),
                "garbage": draw(garbage_ints),
            }[id_kind],
            "version": draw(
                st.just("current")
                if clean
                else st.sampled_from(["", "current", "old"]) | garbage_ints
            ),
            "name": draw(names(clean)),
            "product_type": draw(st.sampled_from(["food", "textile"]) if clean else choice_text),
            "producer_type": draw(st.just("group") if clean else producer_type_text),
            "domestic": draw(amounts(clean)),
            "export": draw(amounts(clean)),
            "DELETE": draw(st.sampled_from(["", "", "", "on"])),
        }
        if draw(st.integers(0, 9)) == 0:
            row = {"id": "", "version": "", "name": ("", ""), "product_type": ""} | {
                "producer_type": "",
                "domestic": ("", None),
                "export": ("", None),
                "DELETE": "",
            }
        rows.append(row)
    if clean:
        if rows and draw(st.integers(0, 2)):  # one bad cell in a good page
            row = draw(st.sampled_from(rows))
            field = draw(st.sampled_from(["name", "name", "domestic", "export"]))
            row[field] = draw(bad_cells(field))
        return rows, "exact", "0", "current", {}
    total = draw(st.sampled_from(["exact"] * 6 + ["less", "0", "999999999", "-1", "abc", "", None]))
    initial = draw(st.sampled_from(["0"] * 6 + ["99", "-3", "x", None]))
    revision = draw(st.sampled_from(["current"] * 6 + ["old", "9" * 40, "-1", "x", "", None]))
    return rows, total, initial, revision, draw(junk_fields)


def entry_data(drawn, versions, current_revision):
    rows, total, initial, revision, junk = drawn
    data = dict(junk)
    management = {
        "rows-TOTAL_FORMS": {"exact": str(len(rows)), "less": str(max(len(rows) - 1, 0))}.get(
            total, total
        ),
        "rows-INITIAL_FORMS": initial,
        "month-revision": {"current": str(current_revision), "old": str(current_revision - 1)}.get(
            revision, revision
        ),
    }
    data.update({k: v for k, v in management.items() if v is not None})
    for i, row in enumerate(rows):
        version = row["version"]
        if version in ("current", "old"):
            known = versions.get(as_int(row["id"]))
            version = "" if known is None else str(known - (version == "old"))
        texts = {
            "id": row["id"],
            "version": version,
            "name": row["name"][0],
            "product_type": row["product_type"],
            "producer_type": row["producer_type"],
            "domestic": row["domestic"][0],
            "export": row["export"][0],
            "DELETE": row["DELETE"],
        }
        data.update({f"rows-{i}-{key}": value for key, value in texts.items()})
    return data


def forms_counted(data, posted):
    """Return how many posted rows the formset reads, as Django reads TOTAL_FORMS."""
    total = as_int(data.get("rows-TOTAL_FORMS"))
    return max(0, min(total or 0, posted))


def check_entry_saved(data, rows, before_rows, after_rows, revision):
    """The month after a successful save is the posted page applied to the month before."""
    assert data["month-revision"] == str(revision), "saved from a stale or forged revision"
    expected = {pk: values for pk, values in before_rows.items()}
    new, kept_ids, deleted_ids = [], set(), set()
    for i, row in enumerate(rows[: forms_counted(data, len(rows))]):
        texts = [data[f"rows-{i}-{k}"] for k in ("id", "name", "product_type", "domestic")]
        texts += [data[f"rows-{i}-{k}"] for k in ("producer_type", "export")]
        row_id = as_int(row["id"])
        if row["DELETE"]:
            if row_id is not None:
                assert row_id in before_rows, f"forged id {row_id} deleted"
                deleted_ids.add(row_id)
            continue
        if is_blank(texts):
            continue
        assert row["id"].strip() == "" or row_id in before_rows, f"forged id {row['id']!r} saved"
        for cell in (row["name"][1], row["domestic"][1], row["export"][1]):
            assert cell is not INVALID, f"accepted an invalid value in row {i}: {row}"
        assert row["product_type"] in PRODUCT_TYPES and row["producer_type"] in PRODUCER_TYPES
        assert not (row["domestic"][1] is None and row["export"][1] is None)
        if row_id is None:
            new.append(row)
        else:
            assert row_id not in kept_ids, "one row id saved twice"
            kept_ids.add(row_id)
            expected[row_id] = row
    assert not kept_ids & deleted_ids, "a row both kept and deleted"
    for pk in deleted_ids:
        del expected[pk]

    assert set(after_rows) >= set(expected), "a kept row disappeared"
    created = {pk: values for pk, values in after_rows.items() if pk not in expected}
    assert len(created) == len(new)
    for pk, row in list(expected.items()):
        if isinstance(row, dict):  # posted: compare with what was typed
            assert_row_is(after_rows[pk], row)
        else:  # not on the page: untouched, but for its producer's type, which may follow
            kept = after_rows[pk]
            assert (kept[0], kept[1], kept[3], kept[4]) == (row[0], row[1], row[3], row[4])
    unmatched = list(created.values())
    for row in new:
        match = next((a for a in unmatched if matches(a, row)), None)
        assert match is not None, f"posted row {row} not saved as typed; saved {unmatched}"
        unmatched.remove(match)


def month_rows(district):
    return {
        s.pk: (s.producer.name, s.product_type, s.producer.producer_type, s.domestic, s.export)
        for s in MonthlySale.objects.for_month(district, MONTH).select_related("producer")
    }


def matches(saved, row):
    name, product_type, producer_type, domestic, export = saved
    text, expected_name = row["name"]
    wanted_name = folded(text) if expected_name is UNKNOWN else expected_name
    return (
        name == wanted_name
        and not has_control(name)
        and product_type == row["product_type"]
        and producer_type == row["producer_type"]
        and amount_matches(domestic, row["domestic"][1])
        and amount_matches(export, row["export"][1])
    )


def assert_row_is(saved, row):
    assert matches(saved, row), f"saved {saved}, posted {row}"


def test_it_survives_bad_input_to_the_entry_page(officers, base, geography):
    client = client_of(officers["owner"])
    district = geography["mueang_cr"]
    versions = dict(MonthlySale.objects.values_list("pk", "version"))
    revision = month_revision(district, MONTH)

    @fuzz(100)
    @given(drawn=entry_posts(base["ids"], base["foreign"]))
    def run(drawn):
        count("entry page")
        with rolled_back():
            data = entry_data(drawn, versions, revision)
            before, before_rows = snapshot(), month_rows(district)
            response = client.post(ENTRY, data)
            assert response.status_code in STATUSES, response.status_code
            after = snapshot()
            if response.status_code != 302:
                assert changed_tables(before, after) == []
                return
            count("entry page: saved")
            after_rows = month_rows(district)
            check_entry_saved(data, drawn[0], before_rows, after_rows, revision)
            changed = sum(1 for pk, v in before_rows.items() if after_rows.get(pk, v) != v)
            changed += len(set(after_rows) ^ set(before_rows))
            assert after["audit"] - before["audit"] >= changed
            assert after["months"] != before["months"]  # the revision moved on
            assert_totals_match()

    run()


# --- confirmation at both levels and the send-back ----------------------------------------


def shown_items(draw, ids, foreign, versions, clean):
    if clean or draw(st.booleans()):  # the page as it was shown, so that some saves succeed
        return [f"{pk}:{versions[pk]}" for pk in ids]
    kind = st.sampled_from(["own", "own", "own", "old", "foreign", "missing", "garbage", "dup"])
    items = []
    for _ in range(draw(st.integers(0, 4))):
        which = draw(kind)
        pk = draw(st.sampled_from(ids))
        if which == "own":
            items.append(f"{pk}:{versions[pk]}")
        elif which == "old":
            items.append(f"{pk}:{versions[pk] - 1}")
        elif which == "foreign":
            items.append(f"{draw(st.sampled_from(foreign))}:1")
        elif which == "missing":
            items.append(f"{10**6}:1")
        elif which == "dup" and items:
            items.append(items[-1])
        else:
            items.append(
                draw(
                    st.sampled_from(["1", "1:", ":1", "a:b", "1:2:3", "๑:๑", "9" * 19 + ":1"])
                    | st.text(max_size=8)
                )
            )
    return items


@st.composite
def confirm_posts(draw, ids, foreign, versions, send_back=False):
    clean = draw(st.booleans())
    batches = ["1"] if clean else ["1"] * 3 + ["0", "2", "-1", "abc", "10001", "9" * 40, ""]
    data = {
        "batch": draw(st.sampled_from(batches)),
        "row": shown_items(draw, ids, foreign, versions, clean),
    }
    ticks = st.lists(
        st.sampled_from([str(pk) for pk in ids + ([] if clean else foreign)])
        | st.sampled_from(["x", "-1", "9" * 30, "๑"]).filter(lambda _: not clean),
        min_size=1 if clean and send_back else 0,
        max_size=4,
    )
    data["chosen" if send_back else "tick"] = draw(ticks)
    if send_back:
        spoilt = draw(st.integers(0, 2)) == 0
        data["reason"] = draw(bad_cells("reason") if spoilt else names(clean, limit=1000))
    if not clean:
        data.update(draw(junk_fields))
    return data


def shown_of(data, versions):
    """Return {id: version} the post showed, or None when it is not a well-formed page."""
    shown = {}
    for item in data["row"]:
        pk, colon, version = item.partition(":")
        if not (colon and pk.isascii() and pk.isdigit() and version.isascii()):
            return None
        if not version.isdigit() or int(pk) in shown or len(pk) > 18:
            return None
        shown[int(pk)] = int(version)
    return shown


def check_confirmation(level, data, before, after, versions, ids):
    """After a successful save: shown rows carry the ticks, every other row is untouched."""
    assert data["batch"] == "1" or not data["row"]
    shown = shown_of(data, versions)
    assert shown is not None, f"accepted a forged page: {data['row']}"
    assert all(pk in ids and versions[pk] == v for pk, v in shown.items()), "forged or stale"
    ticked = {int(t) for t in data["tick"]}
    assert ticked <= set(shown)
    field = f"{level}_confirmed_at"
    for sale in MonthlySale.objects.filter(pk__in=shown):
        assert (getattr(sale, field) is not None) == (sale.pk in ticked) or (
            level == "district" and sale.province_confirmed_at is not None
        )
    untouched = [r for r in after["sales"] if r[0] not in shown]
    assert untouched == [r for r in before["sales"] if r[0] not in shown]


@pytest.mark.parametrize("level", ["district", "province"])
def test_it_survives_bad_input_to_the_confirmation_pages(level, officers, base):
    client = client_of(officers["owner" if level == "district" else "province"])
    url = f"/confirm/{level}/5701/2570/11/"
    versions = dict(MonthlySale.objects.values_list("pk", "version"))

    @fuzz(50)
    @given(data=confirm_posts(base["ids"], base["foreign"], versions))
    def run(data):
        count(f"{level} confirmation")
        with rolled_back():
            before = snapshot()
            response = client.post(url, data)
            assert response.status_code in STATUSES, response.status_code
            after = snapshot()
            if response.status_code != 302:
                assert changed_tables(before, after) == []
                return
            count(f"{level} confirmation: saved")
            check_confirmation(level, data, before, after, versions, base["ids"])
            assert_totals_match()

    run()


def test_it_survives_bad_input_to_the_send_back(officers, base):
    client = client_of(officers["province"])
    versions = dict(MonthlySale.objects.values_list("pk", "version"))

    @fuzz(50)
    @given(data=confirm_posts(base["ids"], base["foreign"], versions, send_back=True))
    def run(data):
        count("send-back")
        text, expected = data["reason"]
        posted = {**data, "reason": text}
        with rolled_back():
            before = snapshot()
            response = client.post("/confirm/province/5701/2570/11/send-back/", posted)
            assert response.status_code in STATUSES, response.status_code
            after = snapshot()
            if response.status_code != 302:
                assert changed_tables(before, after) == []
                return
            count("send-back: saved")
            assert expected is not INVALID, f"accepted the reason {text!r}"
            shown = shown_of(data, versions)
            chosen = {int(c) for c in data["chosen"]}
            assert shown is not None and chosen and chosen <= set(shown)
            # Only the chosen rows are written, so only they must be current rows of the page.
            assert all(pk in base["ids"] and versions[pk] == shown[pk] for pk in chosen)
            for sale in MonthlySale.objects.filter(pk__in=chosen):
                assert sale.returned_reason == folded(text)
                assert not has_control(sale.returned_reason)
                assert sale.district_confirmed_at is None and sale.province_confirmed_at is None
            untouched = [r for r in after["sales"] if r[0] not in chosen]
            assert untouched == [r for r in before["sales"] if r[0] not in chosen]
            assert after["audit"] == before["audit"] + len(chosen)
            assert_totals_match()

    run()


# --- the estimate -------------------------------------------------------------------------

MONTHS = (10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)


@st.composite
def estimate_posts(draw):
    cells, clean = {}, draw(st.booleans())
    for month in MONTHS:
        for column in ("domestic", "export"):
            if draw(st.integers(0, 7)):
                cells[f"{column}_{month}"] = draw(amounts(clean))
    if clean and cells and draw(st.booleans()):  # one bad cell in a good page
        cells[draw(st.sampled_from(sorted(cells)))] = draw(bad_cells("amount"))
    certifier = {name: draw(names(clean)) for name in ("certifier_name", "certifier_position")}
    if clean and draw(st.booleans()):
        name = draw(st.sampled_from(sorted(certifier)))
        certifier[name] = draw(bad_cells("name"))
    # Unlike a producer's name, the certifier may be left blank: text that strips to nothing
    # is saved as "" (Django strips before it validates, so no control character is left).
    certifier = {
        name: (text, "" if not text.strip() else expected)
        for name, (text, expected) in certifier.items()
    }
    version = draw(st.sampled_from(["current"] * 4 + ["", "old", "x", "9" * 40, None]))
    return cells, certifier, version, draw(junk_fields)


def test_it_survives_bad_input_to_the_estimate(officers, geography):
    client = client_of(officers["owner"])
    estimate = Estimate.objects.create(
        district=geography["mueang_cr"], fiscal_year=2570, certifier_name="นายเดิม"
    )
    EstimateMonth.objects.create(estimate=estimate, month=10, domestic=Decimal("5.00"))
    # As the page carries it: read back from the database (in UTC).
    current = version_of(Estimate.objects.get(pk=estimate.pk))

    @fuzz(60)
    @given(drawn=estimate_posts())
    def run(drawn):
        count("estimate")
        cells, certifier, version, junk = drawn
        data = {**junk, **{k: v[0] for k, v in cells.items()}}
        data.update({k: v[0] for k, v in certifier.items()})
        token = {"current": current, "old": "2026-01-01T00:00:00+00:00"}.get(version, version)
        if token is not None:
            data["version"] = token
        with rolled_back():
            before = snapshot()
            response = client.post("/sales/5701/2570/estimate/", data)
            assert response.status_code in STATUSES, response.status_code
            after = snapshot()
            if response.status_code != 302:
                assert changed_tables(before, after) == []
                return
            count("estimate: saved")
            assert token in (None, current), f"saved over a stale version {token!r}"
            saved = Estimate.objects.get(district="5701", fiscal_year=2570)
            for name, (text, expected) in certifier.items():
                assert expected is not INVALID, f"accepted {name} {text!r}"
                assert getattr(saved, name) == text.strip() and not has_control(text.strip())
            months = {m.month: m for m in saved.months.all()}
            assert sorted(months) == sorted(MONTHS)
            for month in MONTHS:
                for column in ("domestic", "export"):
                    expected = cells.get(f"{column}_{month}", ("", None))[1]
                    value = getattr(months[month], column)
                    assert amount_matches(value, expected), (month, column, value, expected)
            assert changed_tables(before, after) in (
                ["estimate_months"],
                ["estimate_months", "estimates"],
                ["estimates"],
                [],
            )

    run()


# --- the export detail --------------------------------------------------------------------

COUNTRIES = {code for code, _ in COUNTRY_CHOICES}


@st.composite
def export_posts(draw, own_lines, producers):
    lines, clean = [], draw(st.booleans())
    for _ in range(draw(st.integers(0, 4))):
        kinds = ["new", "new", "own"] + ([] if clean else ["foreign", "garbage"])
        id_kind = draw(st.sampled_from(kinds))
        line_id = {
            "new": "",
            "own": str(draw(st.sampled_from(own_lines))),
            "foreign": str(draw(st.sampled_from(producers["foreign_lines"]))),
            "garbage": draw(garbage_ints),
        }[id_kind]
        lines.append(
            {
                "id": line_id,
                "stamp": draw(st.sampled_from(["current", "current", "", "2020-01-01"])),
                "producer": draw(
                    st.sampled_from(producers["own"] + producers["foreign"]) | garbage_ints
                ),
                "product": draw(names(clean)),
                "value": draw(amounts(clean)),
                "country": draw(st.sampled_from(["JP", "CN", "US", "TH", "", "jp", "XX", "\x00"])),
                "agency": draw(st.just(("", "")) | names(clean)),
                "channel": draw(st.sampled_from(["own", "agent", "website", "", "x"])),
                "DELETE": draw(st.sampled_from(["", "", "", "on"])),
            }
        )
    if clean:
        if lines and draw(st.integers(0, 2)):  # one bad cell in a good page
            line = draw(st.sampled_from(lines))
            field = draw(st.sampled_from(["product", "agency", "value"]))
            line[field] = draw(bad_cells(field))
        return lines, "exact", {}
    total = draw(st.sampled_from(["exact"] * 6 + ["0", "501", "-2", "z", None]))
    return lines, total, draw(junk_fields)


def test_it_survives_bad_input_to_the_export_detail(officers, geography):
    client = client_of(officers["province"])
    province = geography["chiang_rai"]
    ours = [
        Producer.objects.create(name=f"ผู้ส่งออก {i}", district=geography[d], producer_type="sme")
        for i, d in enumerate(["mueang_cr", "wiang_chai"])
    ]
    theirs = Producer.objects.create(
        name="ผู้ส่งออกเชียงใหม่", district=geography["mueang_cm"], producer_type="sme"
    )
    line = dict(product="ผ้าทอ", value=Decimal("100.00"), country="JP", channel="own")
    own = ExportDetail.objects.create(
        province=province, fiscal_year=2570, month=11, producer=ours[0], **line
    )
    foreign = [
        ExportDetail.objects.create(
            province=geography["chiang_mai"], fiscal_year=2570, month=11, producer=theirs, **line
        ).pk,
        ExportDetail.objects.create(
            province=province, fiscal_year=2570, month=10, producer=ours[1], **line
        ).pk,
    ]
    producers = {
        "own": [str(p.pk) for p in ours],
        "foreign": [str(theirs.pk)],
        "foreign_lines": foreign,
    }
    stamps = {own.pk: stamp_of(own)}

    @fuzz(60)
    @given(drawn=export_posts([own.pk], producers))
    def run(drawn):
        count("export detail")
        lines, total, junk = drawn
        data = dict(junk)
        n = {"exact": str(len(lines))}.get(total, total)
        if n is not None:
            data["lines-TOTAL_FORMS"] = n
        data["lines-INITIAL_FORMS"] = "0"
        for i, drawn_line in enumerate(lines):
            stamp = drawn_line["stamp"]
            if stamp == "current":
                stamp = stamps.get(as_int(drawn_line["id"]), "")
            texts = {
                **drawn_line,
                "stamp": stamp,
                "product": drawn_line["product"][0],
                "value": drawn_line["value"][0],
                "agency": drawn_line["agency"][0],
            }
            data.update({f"lines-{i}-{k}": v for k, v in texts.items()})
        with rolled_back():
            before = snapshot()
            response = client.post("/sales/exports/57/2570/11/", data)
            assert response.status_code in STATUSES, response.status_code
            after = snapshot()
            if response.status_code != 302:
                assert changed_tables(before, after) == []
                return
            count("export detail: saved")
            check_exports_saved(data, lines, own, producers)
            assert changed_tables(before, after) in (["exports"], [])

    run()


def check_exports_saved(data, lines, own, producers):
    counted = max(0, min(as_int(data.get("lines-TOTAL_FORMS")) or 0, len(lines)))
    expected_new, kept, deleted = [], {}, set()
    for i, line in enumerate(lines[:counted]):
        line_id = as_int(line["id"])
        assert line["id"].strip() == "" or line_id == own.pk, f"forged line {line['id']!r}"
        if line["DELETE"]:
            if line_id is not None:
                deleted.add(line_id)
            continue
        fields = ("producer", "product", "value", "country", "agency", "channel")
        if line_id is None and is_blank([data[f"lines-{i}-{k}"] for k in fields]):
            continue  # a new line left blank is skipped
        for cell in (line["product"][1], line["value"][1], line["agency"][1]):
            assert cell is not INVALID, f"accepted an invalid value: {line}"
        assert line["producer"] in producers["own"], f"accepted producer {line['producer']!r}"
        assert line["country"] in COUNTRIES and line["channel"] in {"own", "agent", "website"}
        (kept.__setitem__(line_id, line) if line_id is not None else expected_new.append(line))
    saved = {
        d.pk: d for d in ExportDetail.objects.filter(province="57", fiscal_year=2570, month=11)
    }
    assert (own.pk in saved) == (own.pk not in deleted)
    for pk, detail in saved.items():
        line = kept.get(pk) if pk == own.pk else None
        if pk == own.pk and line is None:
            assert (detail.product, detail.value) == ("ผ้าทอ", Decimal("100.00"))
            continue
        if pk != own.pk:
            line = next((x for x in expected_new if line_matches(detail, x)), None)
            assert line is not None, f"saved a line not posted: {detail.__dict__}"
            expected_new.remove(line)
        assert line_matches(detail, line), (detail.__dict__, line)
    assert expected_new == [], f"posted lines not saved: {expected_new}"


def line_matches(detail, line):
    product, agency = line["product"], line["agency"]
    value = line["value"][1]
    return (
        str(detail.producer_id) == line["producer"]
        and detail.product == (folded(product[0]) if product[1] is UNKNOWN else product[1])
        and detail.agency == folded(agency[0])
        and not has_control(detail.product + detail.agency)
        and detail.country == line["country"]
        and detail.channel == line["channel"]
        and amount_matches(detail.value, value)
        and detail.value > 0
    )

"""Outliers by a producer's own history (issue 15 point 1): hand-made histories."""

from decimal import Decimal

import pytest

from confirmations.views import _change
from otopdoc.fiscal import FiscalMonth
from quality import outliers
from quality.models import Baseline
from reports.totals import rebuild
from sales.models import MonthlySale, Producer, ProducerType

MONTH = FiscalMonth(2570, 11)
FESTIVAL_HISTORY = [
    "30000", "42000", "25000", "55000", "38000", "47000",
    "33000", "60000", "29000", "41000", "52000", "5000",
]  # fmt: skip


def history(producer, figures, month=MONTH, product_type="food", district=None):
    """Give a producer one row a month before `month`, oldest figure first."""
    months = outliers.window(month)[: len(figures)]
    for fiscal_month, figure in zip(reversed(months), figures, strict=True):
        MonthlySale.objects.create(
            producer=producer,
            district=district or producer.district,
            product_type=product_type,
            fiscal_year=fiscal_month.fiscal_year,
            month=fiscal_month.month,
            domestic=Decimal(figure),
        )


def this_month(producer, figure, product_type="food", **extra):
    return MonthlySale.objects.create(
        producer=producer,
        district=producer.district,
        product_type=product_type,
        fiscal_year=MONTH.fiscal_year,
        month=MONTH.month,
        domestic=Decimal(figure),
        **extra,
    )


def flag_of(row):
    row.refresh_from_db()
    rebuild()
    return outliers.flags_for([row], row.district, MONTH).get(row.pk)


def test_it_flags_a_typo_of_a_thousand_times(producer):
    history(producer, ["38000", "41000", "36500", "39000", "40000", "37000", "38500", "42000"])
    flag = flag_of(this_month(producer, "38000000"))
    assert flag.rule == outliers.ZSCORE and flag.direction == outliers.UP
    assert flag.expected == Decimal("38750")
    assert flag.deviation == Decimal("38000000") - Decimal("38750")
    assert flag.score > 1000


def test_it_passes_an_honest_festival_spike_the_old_rule_marked(producer):
    history(producer, FESTIVAL_HISTORY)
    row = this_month(producer, "60000")
    assert flag_of(row) is None
    # The old mark compared with last month only, a quiet one: ten times, marked.
    assert _change(Decimal("60000"), Decimal("5000")) == "up"


def test_it_flags_a_fall_to_a_hundredth_of_the_usual(producer):
    history(producer, ["38000", "41000", "36500", "39000", "40000", "37000", "38500", "42000"])
    flag = flag_of(this_month(producer, "380"))
    assert flag.rule == outliers.ZSCORE and flag.direction == outliers.DOWN


def test_a_short_history_falls_back_to_ten_times_last_month(producer, geography):
    history(producer, ["1000", "1200", "1100"])
    assert flag_of(this_month(producer, "10999")) is None  # under ten times: not marked
    other = Producer.objects.create(
        name="กลุ่มผ้าทอ", district=producer.district, producer_type=ProducerType.COMMUNITY_GROUP
    )
    history(other, ["1000", "1200", "1100"])
    flag = flag_of(this_month(other, "11000"))
    assert flag.rule == outliers.JUMP_RULE and flag.direction == outliers.UP
    assert flag.expected == Decimal("1100")


def test_a_row_without_history_is_not_flagged(producer):
    assert flag_of(this_month(producer, "99999999")) is None


def test_the_threshold_is_a_setting(producer, settings):
    history(producer, FESTIVAL_HISTORY)
    row = this_month(producer, "120000")
    assert flag_of(row) is not None  # z about 5.4 at the default 3.5
    settings.OTOP_OUTLIER_Z = "6"
    assert flag_of(row) is None


def test_a_flat_history_uses_the_ten_times_rule_on_its_figure(producer):
    history(producer, ["5000"] * 8)
    assert flag_of(this_month(producer, "6000")) is None
    assert flag_of(MonthlySale.objects.get(fiscal_year=2570, month=11)) is None
    MonthlySale.objects.filter(fiscal_year=2570, month=11).update(domestic=Decimal("50000"))
    flag = flag_of(MonthlySale.objects.get(fiscal_year=2570, month=11))
    assert flag.rule == outliers.JUMP_RULE


def test_a_changed_history_recomputes_the_district_baselines(producer):
    history(producer, ["38000", "41000", "36500", "39000", "40000", "37000", "38500", "42000"])
    row = this_month(producer, "90000")
    assert flag_of(row) is not None
    # Someone corrects the history: the producer really sells about 90,000.
    MonthlySale.objects.exclude(pk=row.pk).update(domestic=Decimal("90000"))
    assert flag_of(row) is None
    assert Baseline.objects.get(producer_id=producer.pk).median == Decimal("90000")


@pytest.fixture
def nation(geography):
    """Three producers in two provinces: a typo, a smaller typo, an honest spike."""
    made = {}
    for key, district, figure in (
        ("typo", geography["mueang_cr"], "38000000"),
        ("small", geography["mueang_cm"], "3800000"),
        ("honest", geography["wiang_chai"], "60000"),
    ):
        producer = Producer.objects.create(
            name=f"กลุ่ม {key}", district=district, producer_type=ProducerType.COMMUNITY_GROUP
        )
        history(producer, FESTIVAL_HISTORY)
        made[key] = this_month(producer, figure)
    rebuild()
    return made


def test_the_list_orders_by_deviation_in_baht_and_filters(nation, geography):
    found = outliers.flagged_rows(MONTH)
    assert [pid for pid, _ in found] == [nation["typo"].pk, nation["small"].pk]
    chiang_rai = outliers.flagged_rows(MONTH, province=geography["chiang_rai"])
    assert [pid for pid, _ in chiang_rai] == [nation["typo"].pk]
    cluster = outliers.flagged_rows(MONTH, cluster=geography["chiang_mai"].cluster)
    assert [pid for pid, _ in cluster] == [nation["small"].pk]
    assert outliers.flagged_rows(MONTH, product_type="textile") == []
    # The department counts only what the province confirmed.
    assert outliers.flagged_rows(MONTH, province_confirmed_only=True) == []

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from otopdoc.models import Officer, Role
from reports.models import Target, level
from sales.models import MonthlySale, Producer, ProducerType, ProductType


def sale(producer, **fields):
    values = {
        "producer": producer,
        "district": producer.district,
        "product_type": ProductType.FOOD,
        "fiscal_year": 2562,
        "month": 10,
        "domestic": Decimal("500000.00"),
        "export": Decimal("12.34"),
    }
    return MonthlySale.objects.create(**(values | fields))


def test_the_total_is_domestic_plus_export_to_the_satang(producer):
    row = sale(producer)
    row.refresh_from_db()
    assert row.total == Decimal("500012.34")
    assert isinstance(row.total, Decimal)


def test_a_producer_has_one_row_per_type_and_month(producer):
    sale(producer)
    sale(producer, product_type=ProductType.HERB)
    sale(producer, month=11)
    with pytest.raises(IntegrityError), transaction.atomic():
        sale(producer)


def test_the_database_refuses_negative_amounts(producer):
    with pytest.raises(IntegrityError), transaction.atomic():
        sale(producer, domestic=Decimal("-1.00"))


def test_the_database_refuses_a_province_confirmation_without_a_district_one(producer):
    with pytest.raises(IntegrityError), transaction.atomic():
        sale(producer, province_confirmed_at=timezone.now())


def test_a_producer_name_is_unique_in_its_district(producer, geography):
    Producer.objects.create(
        name=producer.name, district=geography["wiang_chai"], producer_type=ProducerType.SME
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Producer.objects.create(
            name=producer.name, district=producer.district, producer_type=ProducerType.SME
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"role": Role.DISTRICT},
        {"role": Role.DISTRICT, "district_id": "5701", "province_id": "57"},
        {"role": Role.PROVINCE, "district_id": "5701"},
        {"role": Role.DEPARTMENT, "province_id": "57"},
    ],
)
def test_an_officers_area_must_match_its_role(geography, fields):
    user = get_user_model().objects.create_user("someone")
    with pytest.raises(IntegrityError), transaction.atomic():
        Officer.objects.create(user=user, **fields)


def test_an_officer_names_its_office_in_thai(officers):
    assert officers["owner"].officer.area_label == "อำเภอเมืองเชียงราย จังหวัดเชียงราย"
    assert officers["province"].officer.area_label == "จังหวัดเชียงราย"
    assert officers["department"].officer.area_label == "กรมการพัฒนาชุมชน"


def test_levels_round_half_up_to_the_baht(geography):
    # The seed's เชียงราย row: base 3,497,195,606 gives 4,301,550,595 at +23 %.
    target = Target.objects.create(
        province=geography["chiang_rai"], fiscal_year=2562, base=Decimal("3497195606")
    )
    assert target.target == Decimal("4301550595")
    assert target.score_levels == [
        Decimal("4021774947"),
        Decimal("4091718859"),
        Decimal("4161662771"),
        Decimal("4231606683"),
        Decimal("4301550595"),
    ]
    assert level(Decimal("1.50"), 0) == Decimal("2")
    assert level(Decimal("2.50"), 0) == Decimal("3")

"""What the API reads and writes, field by field (the schema is generated from these)."""

from django.utils import timezone
from rest_framework import serializers

from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from sales.forms import MAX_ROWS
from sales.models import ProducerType, ProductType

FISCAL_YEAR = {"min_value": MIN_FISCAL_YEAR, "max_value": MAX_FISCAL_YEAR}
THAI_INT = {
    "invalid": "ต้องเป็นจำนวนเต็ม",
    "min_value": "ต้องไม่น้อยกว่า {min_value}",
    "max_value": "ต้องไม่มากกว่า {max_value}",
    "max_string_length": "ตัวเลขยาวเกินไป",
    "required": "ต้องระบุค่านี้",
    "null": "ต้องระบุค่านี้",
}
THAI_CHOICE = {"invalid_choice": "ไม่มีค่า {input} ในรายการที่เลือกได้", "required": "ต้องระบุค่านี้"}
THAI_CHAR = {
    "invalid": "ต้องเป็นข้อความ",
    "required": "ต้องระบุค่านี้",
    "null": "ต้องระบุค่านี้",
    "blank": "ต้องไม่เว้นว่าง",
    "max_length": "ยาวเกิน {max_length} ตัวอักษร",
}


def amount(**kwargs):
    """Baht to the satang, sent as a string so no client reads it through a float."""
    return serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, **kwargs)


def fiscal_year_field(**kwargs):
    return serializers.IntegerField(
        **FISCAL_YEAR, error_messages=THAI_INT, help_text="ปีงบประมาณ พ.ศ. (B.E.)", **kwargs
    )


def month_field(**kwargs):
    return serializers.IntegerField(
        min_value=1,
        max_value=12,
        error_messages=THAI_INT,
        help_text="เดือนตามปฏิทิน 1-12 (10 = ตุลาคม)",
        **kwargs,
    )


# --- geography ---------------------------------------------------------------------------


class ClusterSerializer(serializers.Serializer):
    region = serializers.IntegerField(help_text="เขตตรวจราชการ")
    name_th = serializers.CharField()


class ProvinceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="DOPA code, 2 digits")
    name_th = serializers.CharField()
    name_en = serializers.CharField()
    cluster = serializers.IntegerField(source="cluster.region", help_text="cluster region")


class DistrictSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="DOPA code, 4 digits")
    province = serializers.CharField(source="province_id")
    name_th = serializers.CharField()
    name_en = serializers.CharField()


class ProvinceFilter(serializers.Serializer):
    cluster = serializers.IntegerField(
        required=False, min_value=1, max_value=99, error_messages=THAI_INT
    )


class DistrictFilter(serializers.Serializer):
    province = serializers.RegexField(
        r"^\d{2}$", required=False, error_messages={"invalid": "รหัสจังหวัดเป็นตัวเลข 2 หลัก"}
    )


# --- monthly rows ------------------------------------------------------------------------


class ProducerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    producer_type = serializers.ChoiceField(
        choices=ProducerType.choices, help_text="the producer's type today"
    )


class SaleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    district = serializers.CharField(source="district_id")
    fiscal_year = serializers.IntegerField()
    month = serializers.IntegerField()
    producer = ProducerSerializer()
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    producer_type = serializers.ChoiceField(
        choices=ProducerType.choices,
        help_text="the producer's type in this month's row, as entered and confirmed",
    )
    domestic = amount()
    export = amount()
    total = amount()
    district_confirmed_at = serializers.DateTimeField(allow_null=True)
    province_confirmed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField(help_text="the last edit of the row's values")
    changed_at = serializers.DateTimeField(
        help_text="the last change: an edit, a confirmation or a send-back (updated_since "
        "compares with this)"
    )

    def to_representation(self, row):
        """Write the row's fields directly: the declared fields' own walk costs 70 ms a
        thousand rows, a fifth of the national month's read. Same output (tested)."""
        producer = row.producer
        return {
            "id": row.pk,
            "district": row.district_id,
            "fiscal_year": row.fiscal_year,
            "month": row.month,
            "producer": {
                "id": producer.pk,
                "name": producer.name,
                "producer_type": producer.producer_type,
            },
            "product_type": row.product_type,
            "producer_type": row.producer_type,
            "domestic": f"{row.domestic:.2f}",
            "export": f"{row.export:.2f}",
            "total": f"{row.total:.2f}",
            "district_confirmed_at": _moment(row.district_confirmed_at),
            "province_confirmed_at": _moment(row.province_confirmed_at),
            "version": row.version,
            "updated_at": _moment(row.updated_at),
            "changed_at": _moment(row.changed_at),
        }

    def declared_representation(self, row):
        """The output of the declared fields, which to_representation must equal."""
        return super().to_representation(row)


def _moment(value):
    """ISO 8601 in the current zone (Asia/Bangkok), as DRF's DateTimeField writes it."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class SaleFilter(serializers.Serializer):
    fiscal_year = fiscal_year_field(required=False)
    month = month_field(required=False)
    district = serializers.RegexField(
        r"^\d{4}$", required=False, error_messages={"invalid": "รหัสอำเภอเป็นตัวเลข 4 หลัก"}
    )
    province = serializers.RegexField(
        r"^\d{2}$", required=False, error_messages={"invalid": "รหัสจังหวัดเป็นตัวเลข 2 หลัก"}
    )
    product_type = serializers.ChoiceField(
        choices=ProductType.choices, required=False, error_messages=THAI_CHOICE
    )
    updated_since = serializers.DateTimeField(
        required=False,
        error_messages={"invalid": "วันเวลาต้องอยู่ในรูปแบบ ISO 8601 เช่น 2026-11-01T00:00:00+07:00"},
        help_text="only rows changed at or after this time (ISO 8601; no zone = Asia/Bangkok)",
    )


class MonthSerializer(serializers.Serializer):
    district = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    month = serializers.IntegerField()
    revision = serializers.IntegerField(help_text="send it back with the month to save it")
    rows = SaleSerializer(many=True)


class RowInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, error_messages=THAI_CHAR)
    product_type = serializers.ChoiceField(choices=ProductType.choices, error_messages=THAI_CHOICE)
    producer_type = serializers.ChoiceField(
        choices=ProducerType.choices, error_messages=THAI_CHOICE
    )
    domestic = serializers.CharField(
        allow_null=True,
        required=False,
        max_length=40,
        error_messages=THAI_CHAR,
        help_text='baht as a string, e.g. "1234.50"; null or absent: blank on the page',
    )
    export = serializers.CharField(
        allow_null=True, required=False, max_length=40, error_messages=THAI_CHAR
    )


class MonthInSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        error_messages=THAI_INT,
        help_text="the month's revision when it was read (GET); 409 if it moved on",
    )
    rows = RowInSerializer(
        many=True,
        max_length=MAX_ROWS,
        allow_empty=True,
        error_messages={
            "not_a_list": "rows ต้องเป็นรายการ",
            "max_length": f"ส่งได้ไม่เกิน {MAX_ROWS} แถวต่อเดือน",
        },
    )


class MonthWriteQuery(serializers.Serializer):
    dry_run = serializers.BooleanField(
        required=False,
        default=False,
        error_messages={"invalid": "dry_run ต้องเป็น true หรือ false"},
        help_text="true: check only, save nothing",
    )


class MonthSavedSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    revision = serializers.IntegerField(help_text="the month's revision now")
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    deleted = serializers.IntegerField()


# --- totals, KPI, completeness -----------------------------------------------------------

LEVELS = ["nation", "cluster", "province", "district"]
CONFIRMATIONS = ["all", "district", "province"]


class TotalFilter(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=LEVELS, default="nation", error_messages=THAI_CHOICE, help_text="area level"
    )
    area = serializers.RegexField(
        r"^\d{1,4}$",
        required=False,
        error_messages={"invalid": "รหัสพื้นที่เป็นตัวเลข 1-4 หลัก"},
        help_text="only this cluster (region), province or district (code)",
    )
    fiscal_year = fiscal_year_field()
    month = month_field(required=False)
    product_type = serializers.ChoiceField(
        choices=ProductType.choices, required=False, error_messages=THAI_CHOICE
    )
    confirmation = serializers.ChoiceField(
        choices=CONFIRMATIONS,
        default="province",
        error_messages=THAI_CHOICE,
        help_text="rows counted: all, district-confirmed or province-confirmed (department: "
        "province only)",
    )
    cursor = serializers.CharField(required=False, help_text="from `next` of the last page")
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=5000, error_messages=THAI_INT
    )


class TotalSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=LEVELS)
    area = serializers.CharField(help_text="TH, cluster region, province or district code")
    area_name = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    month = serializers.IntegerField()
    product_type = serializers.ChoiceField(choices=ProductType.choices)
    confirmation = serializers.ChoiceField(choices=CONFIRMATIONS)
    rows = serializers.IntegerField()
    domestic = amount()
    export = amount()
    total = amount()


class TotalPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    results = TotalSerializer(many=True)


class FiguresSerializer(serializers.Serializer):
    base = amount()
    target = amount()
    levels = serializers.ListField(child=amount(), help_text="base + 15, 17, 19, 21, 23 %")
    actual = amount()
    growth = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, read_only=True
    )


class KpiProvinceSerializer(FiguresSerializer):
    number = serializers.IntegerField()
    province = serializers.CharField(source="province.code")
    province_name = serializers.CharField(source="province.name_th")
    cluster = serializers.IntegerField(source="province.cluster.region")
    score = serializers.IntegerField(allow_null=True)
    base_from = serializers.ChoiceField(choices=["loaded", "previous"])
    cumulative = serializers.ListField(
        child=serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True),
        help_text="confirmed sales from ตุลาคม up to each month (null after the last)",
    )


class KpiClusterSerializer(FiguresSerializer):
    region = serializers.IntegerField()
    name_th = serializers.CharField()


class FiscalMonthSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    month = serializers.IntegerField()


class KpiSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    through = FiscalMonthSerializer(allow_null=True)
    provinces = KpiProvinceSerializer(many=True, source="rows")
    clusters = KpiClusterSerializer(many=True)
    total = FiguresSerializer(allow_null=True)


class CompletenessFilter(serializers.Serializer):
    province = serializers.RegexField(
        r"^\d{2}$", required=False, error_messages={"invalid": "รหัสจังหวัดเป็นตัวเลข 2 หลัก"}
    )
    district = serializers.RegexField(
        r"^\d{4}$", required=False, error_messages={"invalid": "รหัสอำเภอเป็นตัวเลข 4 หลัก"}
    )


class ProgressSerializer(serializers.Serializer):
    district = serializers.CharField()
    province = serializers.CharField()
    state = serializers.ChoiceField(choices=["on_time", "late", "overdue", "pending", "nothing"])
    rows = serializers.IntegerField()
    district_rows = serializers.IntegerField()
    province_rows = serializers.IntegerField()
    district_confirmed_last = serializers.DateTimeField(allow_null=True)


class CompletenessSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    month = serializers.IntegerField()
    deadline = serializers.DateTimeField()
    counts = serializers.DictField(child=serializers.IntegerField())
    districts = ProgressSerializer(many=True)

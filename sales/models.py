"""Geography, producers and their monthly sales.

Provinces, districts and subdistricts carry their DOPA codes as primary keys, so a URL
or a CSV row names an area the way officers already do ("5701" is เมืองเชียงราย).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

# The largest amount a row accepts: 999,999,999,999.99 baht (SPEC section 6).
MAX_AMOUNT = Decimal("999999999999.99")
AMOUNT_DIGITS = 14


class Cluster(models.Model):
    """A province cluster (กลุ่มจังหวัด), numbered by its inspection region."""

    region = models.PositiveSmallIntegerField("เขตตรวจราชการ", unique=True)
    name_th = models.CharField("ชื่อกลุ่มจังหวัด", max_length=100, unique=True)

    class Meta:
        ordering = ["region"]
        verbose_name = "กลุ่มจังหวัด"
        verbose_name_plural = "กลุ่มจังหวัด"

    def __str__(self):
        return self.name_th


class Province(models.Model):
    code = models.CharField("รหัสจังหวัด", max_length=2, primary_key=True)
    name_th = models.CharField("ชื่อจังหวัด", max_length=100)
    name_en = models.CharField("ชื่อภาษาอังกฤษ", max_length=100)
    cluster = models.ForeignKey(
        Cluster, models.PROTECT, related_name="provinces", verbose_name="กลุ่มจังหวัด"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "จังหวัด"
        verbose_name_plural = "จังหวัด"

    def __str__(self):
        return self.name_th


class District(models.Model):
    code = models.CharField("รหัสอำเภอ", max_length=4, primary_key=True)
    province = models.ForeignKey(
        Province, models.PROTECT, related_name="districts", verbose_name="จังหวัด"
    )
    name_th = models.CharField("ชื่ออำเภอ", max_length=100)
    name_en = models.CharField("ชื่อภาษาอังกฤษ", max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = "อำเภอ"
        verbose_name_plural = "อำเภอ"

    def __str__(self):
        return self.name_th


class Subdistrict(models.Model):
    code = models.CharField("รหัสตำบล", max_length=6, primary_key=True)
    district = models.ForeignKey(
        District, models.PROTECT, related_name="subdistricts", verbose_name="อำเภอ"
    )
    name_th = models.CharField("ชื่อตำบล", max_length=100)
    name_en = models.CharField("ชื่อภาษาอังกฤษ", max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = "ตำบล"
        verbose_name_plural = "ตำบล"

    def __str__(self):
        return self.name_th


class ProductType(models.TextChoices):
    """The five OTOP product types (ประเภทผลิตภัณฑ์)."""

    FOOD = "food", "อาหาร"
    BEVERAGE = "beverage", "เครื่องดื่ม"
    TEXTILE = "textile", "ผ้า เครื่องแต่งกาย"
    HOUSEHOLD = "household", "ของใช้ ของตกแต่ง ของที่ระลึก"
    HERB = "herb", "สมุนไพรที่ไม่ใช่อาหาร"


class ProducerType(models.TextChoices):
    """The three producer types (ประเภทกลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP)."""

    COMMUNITY_GROUP = "group", "กลุ่มผู้ผลิตชุมชน"
    SINGLE_OWNER = "single", "ผู้ผลิตชุมชนที่เป็นเจ้าของรายเดียว"
    SME = "sme", "SMEs"


class Producer(models.Model):
    """An OTOP producer: a community group, a single owner or an SME of one district."""

    name = models.CharField("ชื่อกลุ่ม / ผู้ผลิต ผู้ประกอบการ", max_length=200)
    district = models.ForeignKey(
        District, models.PROTECT, related_name="producers", verbose_name="อำเภอ"
    )
    producer_type = models.CharField("ประเภทกลุ่ม", max_length=10, choices=ProducerType.choices)
    subdistrict = models.ForeignKey(
        Subdistrict,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="producers",
        verbose_name="ตำบล",
    )
    # An inactive producer keeps its history; new months stop offering it (quality.registry).
    active = models.BooleanField("ยังดำเนินการอยู่", default=True)
    created_at = models.DateTimeField("สร้างเมื่อ", auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "กลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP"
        verbose_name_plural = "กลุ่ม / ผู้ผลิต ผู้ประกอบการ OTOP"
        constraints = [
            # One name per district, so an officer never picks between two "กลุ่มอาหารรสเลิศ".
            models.UniqueConstraint(fields=["district", "name"], name="producer_unique_name"),
        ]

    def __str__(self):
        return self.name


def user_field(verbose_name):
    """Return an optional link to the officer who did something to a record."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


def amount_field(verbose_name):
    return models.DecimalField(
        verbose_name,
        max_digits=AMOUNT_DIGITS,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
    )


class MonthlySaleQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Give rows made without a producer type their producer's current type."""
        objs = list(objs)
        _fill_producer_types(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def fill_producer_types(self):
        """Give rows without a producer type their producer's current one, in one UPDATE.

        For rows inserted around Django (the demo's COPY) and by the migration that moved
        the type onto the rows.
        """
        current = Producer.objects.filter(pk=models.OuterRef("producer_id"))
        return self.filter(producer_type="").update(
            producer_type=models.Subquery(current.values("producer_type")[:1])
        )

    def for_month(self, district, fiscal_month):
        return self.filter(
            district=district, fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
        )

    def province_confirmed(self):
        """Rows the department may count: confirmed by the province."""
        return self.filter(province_confirmed_at__isnull=False)

    def district_confirmed(self):
        return self.filter(district_confirmed_at__isnull=False)


class MonthlySale(models.Model):
    """What one producer sold of one product type in one month (ยอดจำหน่าย).

    The district is the producer's, copied here so a month of a district, and every sum
    over districts, reads one indexed table without a join.
    """

    producer = models.ForeignKey(
        Producer, models.PROTECT, related_name="sales", verbose_name="ผู้ผลิต"
    )
    district = models.ForeignKey(
        District, models.PROTECT, related_name="sales", verbose_name="อำเภอ"
    )
    product_type = models.CharField("ประเภทผลิตภัณฑ์", max_length=10, choices=ProductType.choices)
    # The producer's type as the month was entered, kept on the row and not read from the
    # Producer: a type is part of what the district reports and confirms for the month,
    # so changing it is a change of this row only (audited, new version, district
    # confirmation cleared, refused once the province has confirmed), and a closed month
    # reports the type it was confirmed with. Producer.producer_type is the latest type,
    # offered when a new month is started.
    producer_type = models.CharField("ประเภทกลุ่ม", max_length=10, choices=ProducerType.choices)
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    month = models.PositiveSmallIntegerField(
        "เดือน", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    domestic = amount_field("ในประเทศ (บาท)")
    export = amount_field("ต่างประเทศ (บาท)")
    total = models.GeneratedField(
        verbose_name="รวมทั้งสิ้น (บาท)",
        expression=F("domestic") + F("export"),
        output_field=models.DecimalField(max_digits=AMOUNT_DIGITS + 1, decimal_places=2),
        db_persist=True,
    )
    district_confirmed_at = models.DateTimeField("ยืนยันระดับอำเภอเมื่อ", null=True, blank=True)
    district_confirmed_by = user_field("ยืนยันระดับอำเภอโดย")
    province_confirmed_at = models.DateTimeField("ยืนยันระดับจังหวัดเมื่อ", null=True, blank=True)
    province_confirmed_by = user_field("ยืนยันระดับจังหวัดโดย")
    # Set when the province sends the row back; shown to the district until it confirms again.
    returned_at = models.DateTimeField("ส่งกลับเมื่อ", null=True, blank=True)
    returned_by = user_field("ส่งกลับโดย")
    returned_reason = models.TextField("เหตุผลที่ส่งกลับ", blank=True)
    # Bumped by every write; a save that carries an older version was made on a stale page
    # and is refused, so two officers saving one month never overwrite each other silently.
    version = models.PositiveIntegerField("รุ่นของข้อมูล", default=1)
    created_at = models.DateTimeField("สร้างเมื่อ", auto_now_add=True)
    updated_at = models.DateTimeField("แก้ไขเมื่อ", auto_now=True)
    updated_by = user_field("แก้ไขโดย")

    objects = MonthlySaleQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "ยอดจำหน่ายรายเดือน"
        verbose_name_plural = "ยอดจำหน่ายรายเดือน"
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "product_type", "fiscal_year", "month"],
                name="sale_unique_producer_type_month",
            ),
            models.CheckConstraint(
                condition=Q(domestic__gte=0) & Q(export__gte=0), name="sale_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="sale_month_1_to_12"
            ),
            # The province confirms only what the district has confirmed.
            models.CheckConstraint(
                condition=Q(province_confirmed_at__isnull=True)
                | Q(district_confirmed_at__isnull=False),
                name="sale_province_after_district",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "fiscal_year", "month"], name="sale_district_month"),
            models.Index(fields=["fiscal_year", "month"], name="sale_month"),
        ]

    def __str__(self):
        return f"{self.producer} {self.get_product_type_display()} {self.month}/{self.fiscal_year}"

    def save(self, *args, **kwargs):
        if not self.producer_type and self.producer_id:
            self.producer_type = self.producer.producer_type
        super().save(*args, **kwargs)


def _fill_producer_types(rows):
    """Set each row's blank producer type from its producer (one query for those not loaded)."""
    blank = [row for row in rows if not row.producer_type and row.producer_id]
    unloaded = {row.producer_id for row in blank if not MonthlySale.producer.is_cached(row)}
    types = dict(
        Producer.objects.filter(pk__in=unloaded).values_list("pk", "producer_type")
        if unloaded
        else []
    )
    for row in blank:
        cached = MonthlySale.producer.is_cached(row)
        row.producer_type = row.producer.producer_type if cached else types[row.producer_id]


class DistrictMonth(models.Model):
    """One district's month as a whole: its revision and who saved it last.

    Every save of the entry page raises the revision in a conditional UPDATE that runs
    first in the transaction. That UPDATE takes the row's lock, so two officers saving the
    same district and month queue up; the second one carries the revision it loaded, finds
    it stale, and is refused with a message to reload: nothing is overwritten silently.
    """

    district = models.ForeignKey(
        District, models.PROTECT, related_name="months", verbose_name="อำเภอ"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    month = models.PositiveSmallIntegerField(
        "เดือน", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    revision = models.PositiveIntegerField("ครั้งที่บันทึก", default=0)
    first_saved_at = models.DateTimeField("บันทึกครั้งแรกเมื่อ", null=True, blank=True)
    saved_at = models.DateTimeField("บันทึกล่าสุดเมื่อ", null=True, blank=True)
    saved_by = user_field("บันทึกล่าสุดโดย")

    class Meta:
        verbose_name = "ข้อมูลรายเดือนของอำเภอ"
        verbose_name_plural = "ข้อมูลรายเดือนของอำเภอ"
        constraints = [
            models.UniqueConstraint(
                fields=["district", "fiscal_year", "month"], name="district_month_unique"
            ),
        ]

    def __str__(self):
        return f"{self.district} {self.month}/{self.fiscal_year}"


class LockException(models.Model):
    """The department re-opens a closed month for one district or one province until a time.

    A province's exception opens the month for the province and all of its districts.
    The close days (SPEC section 3) still hold: no exception opens the 6th to the 9th.
    """

    district = models.ForeignKey(
        District, models.CASCADE, null=True, blank=True, related_name="+", verbose_name="อำเภอ"
    )
    province = models.ForeignKey(
        Province, models.CASCADE, null=True, blank=True, related_name="+", verbose_name="จังหวัด"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    month = models.PositiveSmallIntegerField(
        "เดือน", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    open_until = models.DateTimeField("เปิดให้บันทึกถึง")
    reason = models.CharField("เหตุผล", max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="อนุมัติโดย"
    )
    granted_at = models.DateTimeField("อนุมัติเมื่อ", auto_now_add=True)
    # A withdrawal ends the exception early; the row stays, with who and when, as the record.
    withdrawn_at = models.DateTimeField("ยกเลิกเมื่อ", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ยกเลิกโดย",
    )

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = "การเปิดระบบเป็นกรณีพิเศษ"
        verbose_name_plural = "การเปิดระบบเป็นกรณีพิเศษ"
        constraints = [
            models.CheckConstraint(
                condition=Q(district__isnull=True, province__isnull=False)
                | Q(district__isnull=False, province__isnull=True),
                name="lock_exception_one_area",
            ),
        ]

    def __str__(self):
        return f"{self.district or self.province} {self.month}/{self.fiscal_year}"


class Estimate(models.Model):
    """A district's estimate of a fiscal year's sales (แบบประมาณการรายได้)."""

    district = models.ForeignKey(
        District, models.PROTECT, related_name="estimates", verbose_name="อำเภอ"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    certifier_name = models.CharField("ชื่อผู้รับรอง", max_length=200, blank=True)
    certifier_position = models.CharField("ตำแหน่ง", max_length=200, blank=True)
    updated_at = models.DateTimeField("แก้ไขเมื่อ", auto_now=True)
    updated_by = user_field("แก้ไขโดย")

    class Meta:
        verbose_name = "แบบประมาณการรายได้"
        verbose_name_plural = "แบบประมาณการรายได้"
        constraints = [
            models.UniqueConstraint(fields=["district", "fiscal_year"], name="estimate_unique"),
        ]

    def __str__(self):
        return f"{self.district} {self.fiscal_year}"


class EstimateMonth(models.Model):
    estimate = models.ForeignKey(
        Estimate, models.CASCADE, related_name="months", verbose_name="แบบประมาณการ"
    )
    month = models.PositiveSmallIntegerField(
        "เดือน", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    domestic = amount_field("ภายในประเทศ (บาท)")
    export = amount_field("ส่งออกต่างประเทศ (บาท)")

    class Meta:
        ordering = ["estimate", "month"]
        verbose_name = "ประมาณการรายเดือน"
        verbose_name_plural = "ประมาณการรายเดือน"
        constraints = [
            models.UniqueConstraint(fields=["estimate", "month"], name="estimate_month_unique"),
        ]

    def __str__(self):
        return f"{self.estimate} {self.month}"

    @property
    def total(self):
        return self.domestic + self.export


class SalesChannel(models.TextChoices):
    OWN = "own", "จำหน่ายด้วยตนเอง"
    AGENT = "agent", "ผ่านตัวแทน"
    WEBSITE = "website", "ผ่าน WEBSITE"


class ExportDetail(models.Model):
    """One line of a province's monthly export report (แบบรายงานข้อมูลการจำหน่ายฯ ที่ส่งออก)."""

    province = models.ForeignKey(
        Province, models.PROTECT, related_name="export_details", verbose_name="จังหวัด"
    )
    fiscal_year = models.PositiveSmallIntegerField("ปีงบประมาณ")
    month = models.PositiveSmallIntegerField(
        "เดือน", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    producer = models.ForeignKey(
        Producer, models.PROTECT, related_name="export_details", verbose_name="ผู้ผลิต"
    )
    product = models.CharField("ผลิตภัณฑ์", max_length=200)
    value = amount_field("มูลค่าการส่งออก (บาท)")
    country = models.CharField("ประเทศที่ส่งออก", max_length=3)
    agency = models.CharField("หน่วยงานสนับสนุน", max_length=200, blank=True)
    channel = models.CharField("ช่องทางการจำหน่าย", max_length=10, choices=SalesChannel.choices)
    updated_at = models.DateTimeField("แก้ไขเมื่อ", auto_now=True)
    updated_by = user_field("แก้ไขโดย")

    class Meta:
        ordering = ["id"]
        verbose_name = "รายการส่งออกต่างประเทศ"
        verbose_name_plural = "รายการส่งออกต่างประเทศ"
        indexes = [
            models.Index(fields=["province", "fiscal_year", "month"], name="export_province_month"),
        ]

    def __str__(self):
        return f"{self.producer} {self.product} {self.country}"

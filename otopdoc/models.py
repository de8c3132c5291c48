"""Officers: who a user is in the department, and which area they answer for."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    DISTRICT = "district", "สำนักงานพัฒนาชุมชนอำเภอ"
    PROVINCE = "province", "สำนักงานพัฒนาชุมชนจังหวัด"
    DEPARTMENT = "department", "กรมการพัฒนาชุมชน"


class Officer(models.Model):
    """The one role of a user: a district, a province, or the department (the nation).

    A district officer has a district and no province; a province officer a province and
    no district; department staff neither. The database refuses any other shape.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="officer", verbose_name="ผู้ใช้"
    )
    role = models.CharField("บทบาท", max_length=10, choices=Role.choices)
    district = models.ForeignKey(
        "sales.District",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name="อำเภอ",
    )
    province = models.ForeignKey(
        "sales.Province",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name="จังหวัด",
    )

    class Meta:
        verbose_name = "เจ้าหน้าที่"
        verbose_name_plural = "เจ้าหน้าที่"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role=Role.DISTRICT, district__isnull=False, province__isnull=True)
                    | Q(role=Role.PROVINCE, district__isnull=True, province__isnull=False)
                    | Q(role=Role.DEPARTMENT, district__isnull=True, province__isnull=True)
                ),
                name="officer_role_matches_area",
            ),
        ]

    def __str__(self):
        return f"{self.user.get_username()} ({self.area_label})"

    @property
    def is_district(self):
        return self.role == Role.DISTRICT

    @property
    def is_province(self):
        return self.role == Role.PROVINCE

    @property
    def is_department(self):
        return self.role == Role.DEPARTMENT

    @property
    def area_label(self):
        """Return the office as officers name it: "สพอ.เมืองเชียงราย จ.เชียงราย"."""
        if self.is_district:
            return f"อำเภอ{self.district.name_th} จังหวัด{self.district.province.name_th}"
        if self.is_province:
            return f"จังหวัด{self.province.name_th}"
        return "กรมการพัฒนาชุมชน"

    def can_see_district(self, district):
        if self.is_department:
            return True
        if self.is_province:
            return district.province_id == self.province_id
        return district.pk == self.district_id

    def can_see_province(self, province):
        if self.is_department:
            return True
        if self.is_province:
            return province.pk == self.province_id
        return False

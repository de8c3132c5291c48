"""The officer role edited on the user's own admin page, so a user and its area are one form."""

import copy

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models

from otopdoc.models import Officer, Role
from otopdoc.thaidates import ThaiDateTimeField, ThaiSplitDateTimeWidget

User = get_user_model()


class OfficerForm(forms.ModelForm):
    """Say in Thai which area a role needs, instead of the database's constraint name."""

    class Meta:
        model = Officer
        fields = ["role", "district", "province"]

    def __init__(self, *args, instance=None, **kwargs):
        # Validate a copy: the inline's heading shows the saved officer, which must keep
        # its valid shape while the page says what is wrong with the new one.
        super().__init__(*args, instance=copy.copy(instance), **kwargs)

    def clean(self):
        cleaned = super().clean()
        role, district, province = (cleaned.get(f) for f in ("role", "district", "province"))
        if role == Role.DISTRICT:
            if district is None:
                self.add_error("district", "เจ้าหน้าที่อำเภอต้องระบุอำเภอ")
            if province is not None:
                self.add_error("province", "เจ้าหน้าที่อำเภอไม่ต้องระบุจังหวัด (ใช้จังหวัดของอำเภอ)")
        elif role == Role.PROVINCE:
            if province is None:
                self.add_error("province", "เจ้าหน้าที่จังหวัดต้องระบุจังหวัด")
            if district is not None:
                self.add_error("district", "เจ้าหน้าที่จังหวัดไม่ต้องระบุอำเภอ")
        elif role == Role.DEPARTMENT:
            for field, value in (("district", district), ("province", province)):
                if value is not None:
                    self.add_error(field, "เจ้าหน้าที่กรมฯ ดูได้ทั้งประเทศ ไม่ต้องระบุพื้นที่")
        # A field named here is left out of the model's constraint check, so the officer
        # reads this message and not the constraint's name.
        return cleaned


class OfficerInline(admin.StackedInline):
    model = Officer
    form = OfficerForm
    can_delete = False
    autocomplete_fields = ["district", "province"]
    verbose_name_plural = "บทบาทและพื้นที่รับผิดชอบ"


admin.site.unregister(User)


@admin.register(User)
class OfficerUserAdmin(UserAdmin):
    inlines = [OfficerInline]
    # Sign-in and joining times typed as วัน/เดือน/ปี พ.ศ. and 24-hour time, like every date.
    formfield_overrides = {
        models.DateTimeField: {"form_class": ThaiDateTimeField, "widget": ThaiSplitDateTimeWidget}
    }
    list_display = ["username", "role", "area", "is_active", "is_staff", "last_login"]
    list_filter = ["officer__role", "is_active", "is_staff", "is_superuser"]
    list_select_related = ["officer__district__province", "officer__province"]

    @admin.display(description="บทบาท", ordering="officer__role")
    def role(self, user):
        officer = getattr(user, "officer", None)
        return officer.get_role_display() if officer else "-"

    @admin.display(description="พื้นที่")
    def area(self, user):
        officer = getattr(user, "officer", None)
        return officer.area_label if officer else "-"

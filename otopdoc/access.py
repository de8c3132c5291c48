"""Find an area through the signed-in officer's scope, first thing in every view.

Outsiders get 404, as if the area did not exist, so codes cannot be probed; officers who
may look but not change (a province or the department on a district's page) get 403 on a
write.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from otopdoc.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, FiscalMonth
from sales.models import District, Province


def officer_of(user):
    """Return the user's Officer, or refuse users without a role (403)."""
    officer = getattr(user, "officer", None)
    if officer is None:
        raise PermissionDenied("บัญชีนี้ยังไม่ได้กำหนดบทบาท")
    return officer


def district_for(user, code, *, write=False):
    """Return the district the officer may see, or raise 404 for an outsider.

    With write=True only the district's own officers pass; others who can see it get 403.
    """
    officer = officer_of(user)
    district = get_object_or_404(District.objects.select_related("province__cluster"), pk=code)
    if officer.district_id == district.pk:
        officer.district = district  # the menu names the officer's area: no second read
    if not officer.can_see_district(district):
        raise Http404("ไม่พบอำเภอนี้")
    if write and not (officer.is_district and officer.district_id == district.pk):
        raise PermissionDenied("เฉพาะสำนักงานพัฒนาชุมชนอำเภอนี้เท่านั้นที่แก้ไขข้อมูลได้")
    return district


def province_for(user, code, *, write=False):
    """Return the province the officer may see, or raise 404 for an outsider."""
    officer = officer_of(user)
    province = get_object_or_404(Province.objects.select_related("cluster"), pk=code)
    if officer.province_id == province.pk:
        officer.province = province  # the menu names the officer's area: no second read
    if not officer.can_see_province(province):
        raise Http404("ไม่พบจังหวัดนี้")
    if write and not (officer.is_province and officer.province_id == province.pk):
        raise PermissionDenied("เฉพาะสำนักงานพัฒนาชุมชนจังหวัดนี้เท่านั้นที่แก้ไขข้อมูลได้")
    return province


def department_only(user):
    officer = officer_of(user)
    if not officer.is_department:
        raise Http404("ไม่พบหน้านี้")
    return officer


def fiscal_month_or_404(fiscal_year, month):
    try:
        fiscal_month = FiscalMonth(int(fiscal_year), int(month))
    except ValueError:
        raise Http404("ไม่มีเดือนนี้") from None
    if not MIN_FISCAL_YEAR <= fiscal_month.fiscal_year <= MAX_FISCAL_YEAR:
        raise Http404("ไม่มีปีงบประมาณนี้")
    return fiscal_month

"""Which rows a report counts, by who is reading it (SPEC section 2, issue 5 point 3).

The department counts only rows the province has confirmed: that is what it reports to
government. Districts and provinces see every row of their area, and may narrow a report
to confirmed rows with ?rows=district or ?rows=province.
"""

from dataclasses import dataclass

from django.http import Http404


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    # The MonthTotal field prefix: "" for every row, "district_" or "province_".
    prefix: str


ALL = Level("all", "ทุกรายการที่บันทึก (รวมที่ยังไม่ยืนยัน)", "")
DISTRICT = Level("district", "เฉพาะรายการที่อำเภอยืนยันแล้ว", "district_")
PROVINCE = Level("province", "เฉพาะรายการที่จังหวัดยืนยันแล้ว", "province_")
LEVELS = {level.key: level for level in (ALL, DISTRICT, PROVINCE)}


def counted_level(request, officer):
    """Return the Level a report counts for this officer and ?rows= (404 on a bad value)."""
    if officer.is_department:
        return PROVINCE
    key = request.GET.get("rows", ALL.key)
    if key not in LEVELS:
        raise Http404("ไม่มีตัวเลือกนี้")
    return LEVELS[key]


def row_filter(level):
    """Return queryset filter kwargs selecting MonthlySale rows counted at a level."""
    if level is PROVINCE:
        return {"province_confirmed_at__isnull": False}
    if level is DISTRICT:
        return {"district_confirmed_at__isnull": False}
    return {}

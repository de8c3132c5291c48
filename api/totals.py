"""Totals by area x month x product type from the running totals (reports.MonthTotal).

One grouped query per page over MonthTotal, never over the monthly rows, paged by a
keyset cursor on the group's key (area, fiscal year, month, product type).
"""

import base64
import json

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, Sum, Value
from django.http import Http404
from rest_framework.utils.urls import replace_query_param

from api.problems import Invalid
from otopdoc.access import district_for, officer_of, province_for
from reports.models import MonthTotal
from sales.models import Cluster

DEFAULT_PAGE = 1000
NATION = ("TH", "ประเทศไทย")
# level: (area key, area name) in MonthTotal's terms
AREAS = {
    "cluster": ("province__cluster__region", "province__cluster__name_th"),
    "province": ("province_id", "province__name_th"),
    "district": ("district_id", "district__name_th"),
}
# confirmation level: MonthTotal's columns of rows, domestic and export
COLUMNS = {
    "all": ("rows", "domestic", "export"),
    "district": ("district_rows", "district_domestic", "district_export"),
    "province": ("province_rows", "province_domestic", "province_export"),
}


def total_rows(request, filters):
    """Return one page of totals the client may read: {"next": url or None, "results": [...]}.

    Steps:
    1. Scope: the area level and area the client may read (404 outside it; 403 for the
       department asking for anything but province-confirmed sums).
    2. Group MonthTotal by the level's area, year, month and product type, after the cursor.
    3. Return the page and the link to the next one.
    """
    totals = _scoped(request.user, filters)
    level, confirmation = filters["level"], filters["confirmation"]
    totals = totals.filter(fiscal_year=filters["fiscal_year"])
    for name in ("month", "product_type"):
        if name in filters:
            totals = totals.filter(**{name: filters[name]})
    key, name = AREAS.get(level, (None, None))
    rows_col, domestic_col, export_col = COLUMNS[confirmation]
    if key:
        totals = totals.annotate(area_key=F(key), area_label=F(name))
    else:
        totals = totals.annotate(area_key=Value(NATION[0]), area_label=Value(NATION[1]))
    order = ["area_key", "fiscal_year", "month", "product_type"]
    after = _decode(filters.get("cursor"))
    if after is not None:
        totals = totals.filter(_after(order, after, level))
    size = filters.get("page_size", DEFAULT_PAGE)
    grouped = (
        totals.values(*order, "area_label")
        .annotate(n_rows=Sum(rows_col), n_domestic=Sum(domestic_col), n_export=Sum(export_col))
        .filter(n_rows__gt=0)  # no group of nothing: only rows counted at this level
        .order_by(*order)[: size + 1]
    )
    page = list(grouped)
    more = len(page) > size
    page = page[:size]
    results = [
        {
            "level": level,
            "area": str(row["area_key"]),
            "area_name": row["area_label"],
            "fiscal_year": row["fiscal_year"],
            "month": row["month"],
            "product_type": row["product_type"],
            "confirmation": confirmation,
            "rows": row["n_rows"] or 0,
            "domestic": row["n_domestic"] or 0,
            "export": row["n_export"] or 0,
            "total": (row["n_domestic"] or 0) + (row["n_export"] or 0),
        }
        for row in page
    ]
    next_url = None
    if more:
        last = page[-1]
        cursor = _encode([last[field] for field in order])
        next_url = replace_query_param(request.build_absolute_uri(), "cursor", cursor)
    return {"next": next_url, "results": results}


def _scoped(user, filters):
    """Return MonthTotal narrowed to what the client may read at the asked level and area."""
    officer = officer_of(user)
    level, area = filters["level"], filters.get("area")
    totals = MonthTotal.objects.all()
    if officer.is_department and filters["confirmation"] != "province":
        raise PermissionDenied("กรมการพัฒนาชุมชนอ่านได้เฉพาะยอดที่จังหวัดยืนยันแล้ว (confirmation=province)")
    if level == "nation":
        if area is not None:
            raise Invalid([("area", "ระดับประเทศไม่ต้องระบุ area")])
    elif level == "cluster" and area is not None:
        if not officer.is_department or not Cluster.objects.filter(region=area).exists():
            raise Http404("ไม่พบกลุ่มจังหวัดนี้")
        totals = totals.filter(province__cluster__region=area)
    elif level == "province" and area is not None:
        totals = totals.filter(province=province_for(user, area))
    elif level == "district" and area is not None:
        totals = totals.filter(district=district_for(user, area))
    if officer.is_department:
        return totals
    if officer.is_province and level in ("province", "district"):
        return totals.filter(province_id=officer.province_id)
    if officer.is_district and level == "district":
        return totals.filter(district_id=officer.district_id)
    raise Http404("ไม่พบข้อมูลระดับนี้ในขอบเขตของระบบที่เชื่อมต่อ")


def _after(order, values, level):
    """Return the keyset condition "the group's key comes after `values`".

    At the nation level the area is the same constant for every group: only the other
    fields move.
    """
    start = 1 if level == "nation" else 0
    fields, values = order[start:], values[start:]
    condition = Q()
    for index, field in enumerate(fields):
        step = Q(**{f"{field}__gt": values[index]})
        for prior, value in zip(fields[:index], values[:index], strict=True):
            step &= Q(**{prior: value})
        condition |= step
    return condition


def _encode(values):
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor):
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError):
        values = None
    if not (
        isinstance(values, list)
        and len(values) == 4
        and isinstance(values[1], int)
        and isinstance(values[2], int)
        and isinstance(values[3], str)
        and isinstance(values[0], str | int)
    ):
        raise Invalid([("cursor", "cursor ไม่ถูกต้อง โปรดใช้ลิงก์ next จากหน้าก่อน")])
    return values

"""The API's endpoints under /api/v1/. Each finds its area through the client's scope first.

A client is an officer (api.models): otopdoc.access answers for it exactly as for the
pages, so another area is 404 and a look-only client's write is 403.
"""

from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.months import send_month
from api.pagination import CodeCursor, Cursor
from api.problems import Locked, problem_responses
from api.totals import total_rows
from confirmations.completeness import STATES, Progress, district_figures
from otopdoc import lock
from otopdoc.access import district_for, fiscal_month_or_404, officer_of, province_for
from otopdoc.fiscal import BANGKOK
from reports.kpi import kpi_table
from sales.models import Cluster, District, MonthlySale, Province
from sales.services import month_revision


def query(serializer_class, request):
    """Return the query parameters checked by a serializer (400 with their names if bad)."""
    checked = serializer_class(data=request.query_params)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Answer any other path under /api/ with a problem 404, not the pages' HTML 404.

    Path values that fit no route (a month "13x", a year "-1") land here too, so a client
    always gets JSON; a request without a token still gets 401 first.
    """

    def get(self, request, *args, **kwargs):
        raise Http404("ไม่พบที่อยู่นี้ใน API โปรดดู /api/docs/")

    put = post = patch = delete = get


# --- geography ---------------------------------------------------------------------------


@extend_schema(tags=["geography"], responses={200: s.ClusterSerializer, **problem_responses(400)})
class ClusterList(generics.ListAPIView):
    """Province clusters (กลุ่มจังหวัด). Geography is public: every client reads all of it."""

    serializer_class = s.ClusterSerializer
    pagination_class = type("RegionCursor", (Cursor,), {"ordering": "region"})
    queryset = Cluster.objects.all()


@extend_schema(
    tags=["geography"],
    parameters=[s.ProvinceFilter],
    responses={200: s.ProvinceSerializer, **problem_responses(400)},
)
class ProvinceList(generics.ListAPIView):
    """Provinces with DOPA codes and Thai and English names; `cluster` filters by region."""

    serializer_class = s.ProvinceSerializer
    pagination_class = CodeCursor

    def get_queryset(self):
        filters = query(s.ProvinceFilter, self.request)
        provinces = Province.objects.select_related("cluster")
        if "cluster" in filters:
            provinces = provinces.filter(cluster__region=filters["cluster"])
        return provinces


@extend_schema(
    tags=["geography"],
    parameters=[s.DistrictFilter],
    responses={200: s.DistrictSerializer, **problem_responses(400)},
)
class DistrictList(generics.ListAPIView):
    """Districts with DOPA codes and Thai and English names; `province` filters by code."""

    serializer_class = s.DistrictSerializer
    pagination_class = CodeCursor

    def get_queryset(self):
        filters = query(s.DistrictFilter, self.request)
        districts = District.objects.all()
        if "province" in filters:
            districts = districts.filter(province_id=filters["province"])
        return districts


# --- monthly rows ------------------------------------------------------------------------


def visible_sales(user, filters):
    """Return the rows the client may read, narrowed by the filters (404 outside its scope).

    The department reads province-confirmed rows only, as on its pages.
    """
    officer = officer_of(user)
    rows = MonthlySale.objects.select_related("producer")
    if "district" in filters:
        rows = rows.filter(district=district_for(user, filters["district"]))
    if "province" in filters:
        rows = rows.filter(district__province=province_for(user, filters["province"]))
    if officer.is_district:
        rows = rows.filter(district_id=officer.district_id)
    elif officer.is_province:
        rows = rows.filter(district__province_id=officer.province_id)
    else:
        rows = rows.province_confirmed()
    for name in ("fiscal_year", "month", "product_type"):
        if name in filters:
            rows = rows.filter(**{name: filters[name]})
    rows = rows.annotate(changed_at=last_change())
    if "updated_since" in filters:
        rows = rows.filter(changed_at__gte=_aware(filters["updated_since"]))
    return rows


def last_change():
    """Return the row's last change: an edit, a confirmation or a send-back.

    Confirmations and send-backs do not touch updated_at (it is the last edit of the
    values), yet a reader that loads incrementally must see a row the province has just
    confirmed. NULLs are taken as updated_at: GREATEST skips them on PostgreSQL but
    SQLite's MAX() would return NULL.
    """
    stamps = ("district_confirmed_at", "province_confirmed_at", "returned_at")
    return Greatest("updated_at", *(Coalesce(name, "updated_at") for name in stamps))


def _aware(moment):
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=BANGKOK)
    return moment


@extend_schema(
    tags=["sales"],
    parameters=[s.SaleFilter],
    responses={200: s.SaleSerializer, **problem_responses(400, 404)},
)
class SaleList(generics.ListAPIView):
    """Monthly rows of the client's scope, oldest first, by cursor.

    For an incremental load keep the time of your last read and pass it as
    `updated_since`. The department reads province-confirmed rows only.
    """

    serializer_class = s.SaleSerializer
    pagination_class = Cursor

    def get_queryset(self):
        return visible_sales(self.request.user, query(s.SaleFilter, self.request))


@extend_schema(
    tags=["sales"],
    methods=["GET"],
    responses={200: s.MonthSerializer, **problem_responses(404)},
)
@extend_schema(
    tags=["sales"],
    methods=["PUT"],
    parameters=[s.MonthWriteQuery],
    request=s.MonthInSerializer,
    responses={200: s.MonthSavedSerializer, **problem_responses(400, 403, 404, 409, 415, 423)},
)
class Month(APIView):
    """One district's month: read it whole, or send it whole (district clients only).

    PUT replaces the month as the entry page's save does: rows are matched to the saved
    ones by producer name and product type; a saved row left out is deleted; a
    province-confirmed row cannot change. `dry_run=true` makes every check and saves
    nothing. A stale `revision` is 409; during the calendar lock 423.
    """

    def get(self, request, district, fiscal_year, month):
        district = district_for(request.user, district)
        fiscal_month = fiscal_month_or_404(fiscal_year, month)
        rows = visible_sales(request.user, {"district": district.pk}).filter(
            fiscal_year=fiscal_month.fiscal_year, month=fiscal_month.month
        )
        body = {
            "district": district.pk,
            "fiscal_year": fiscal_month.fiscal_year,
            "month": fiscal_month.month,
            "revision": month_revision(district, fiscal_month),
            "rows": rows.order_by("producer__name", "product_type"),
        }
        return Response(s.MonthSerializer(body).data)

    def put(self, request, district, fiscal_year, month):
        district = district_for(request.user, district, write=True)
        fiscal_month = fiscal_month_or_404(fiscal_year, month)
        refused = lock.refusal(officer_of(request.user), fiscal_month, district=district)
        if refused:
            raise Locked(refused.message)
        options = query(s.MonthWriteQuery, request)
        sent = s.MonthInSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        outcome = send_month(
            district,
            fiscal_month,
            request.user,
            sent.validated_data["revision"],
            sent.validated_data["rows"],
            dry_run=options["dry_run"],
        )
        return Response(s.MonthSavedSerializer(outcome).data)


# --- totals, KPI, completeness -----------------------------------------------------------


@extend_schema(
    tags=["reports"],
    parameters=[s.TotalFilter],
    responses={200: s.TotalPageSerializer, **problem_responses(400, 403, 404)},
)
@api_view(["GET"])
def totals(request):
    """Sums from the running totals by area x month x product type, at one confirmation level.

    `level` nation, cluster, province or district; `area` narrows to one. Districts read
    their own district, provinces their province and its districts, the department all, at
    the province-confirmed level only.
    """
    filters = query(s.TotalFilter, request)
    return Response(s.TotalPageSerializer(total_rows(request, filters)).data)


@extend_schema(
    tags=["reports"],
    responses={200: s.KpiSerializer, **problem_responses(404)},
)
@api_view(["GET"])
def kpi(request, fiscal_year):
    """The KPI of a fiscal year (reports.kpi): the department all provinces, a province its own.

    Only province-confirmed sales count. Districts have no KPI (404), as on the pages.
    """
    officer = officer_of(request.user)
    fiscal_month_or_404(fiscal_year, 10)
    if officer.is_district:
        raise Http404("ไม่พบรายงานตัวชี้วัดสำหรับอำเภอ")
    table = kpi_table(fiscal_year, officer.province if officer.is_province else None)
    body = {
        "fiscal_year": table.fiscal_year,
        "through": table.through,
        "rows": table.rows,
        # One province alone has no subtotals: they would add up others' figures.
        "clusters": []
        if table.single
        else [
            {"region": b.cluster.region, "name_th": b.cluster.name_th, **_figures(b.total)}
            for b in table.clusters
        ],
        "total": None if table.single else _figures(table.total),
    }
    return Response(s.KpiSerializer(body).data)


def _figures(figures):
    return {**vars(figures), "growth": figures.growth}


@extend_schema(
    tags=["reports"],
    parameters=[s.CompletenessFilter],
    responses={200: s.CompletenessSerializer, **problem_responses(400, 404)},
)
@api_view(["GET"])
def completeness(request, fiscal_year, month):
    """Which districts of the client's scope have reported a month, and in what state."""
    officer = officer_of(request.user)
    fiscal_month = fiscal_month_or_404(fiscal_year, month)
    filters = query(s.CompletenessFilter, request)
    districts = District.objects.order_by("code")
    if "district" in filters:
        districts = districts.filter(pk=district_for(request.user, filters["district"]).pk)
    if "province" in filters:
        districts = districts.filter(province=province_for(request.user, filters["province"]))
    if officer.is_district:
        districts = districts.filter(pk=officer.district_id)
    elif officer.is_province:
        districts = districts.filter(province_id=officer.province_id)
    narrowed = {"district__in": districts} if not officer.is_department or filters else {}
    figures = district_figures(fiscal_month, **narrowed)
    now = timezone.now()
    counts = dict.fromkeys(STATES, 0)
    rows = []
    for code, province in districts.values_list("code", "province_id"):
        progress = Progress.of(fiscal_month, now, figures.get(code))
        counts[progress.state] += 1
        rows.append(
            {
                "district": code,
                "province": province,
                "state": progress.state,
                "rows": progress.rows,
                "district_rows": progress.district_rows,
                "province_rows": progress.province_rows,
                "district_confirmed_last": progress.district_confirmed_last,
            }
        )
    body = {
        "fiscal_year": fiscal_month.fiscal_year,
        "month": fiscal_month.month,
        "deadline": fiscal_month.deadline,
        "counts": counts,
        "districts": rows,
    }
    return Response(s.CompletenessSerializer(body).data)

from django.urls import path

from reports.views import district_reports, estimate, exports, kpi, rt3, rt4

urlpatterns = [
    path(
        "rt1/<str:district>/<int:fiscal_year>/<int:month>/",
        district_reports.rt1,
        name="report-rt1",
    ),
    path(
        "rt2/<str:district>/<int:fiscal_year>/<int:month>/",
        district_reports.rt2,
        name="report-rt2",
    ),
    path(
        "estimate/<str:district>/<int:fiscal_year>/",
        estimate.estimate_report,
        name="report-estimate",
    ),
    path(
        "estimate/<str:district>/<int:fiscal_year>/form/",
        estimate.estimate_form,
        name="report-estimate-form",
    ),
    path(
        "exports/<str:province>/<int:fiscal_year>/<int:month>/",
        exports.exports_report,
        name="report-exports",
    ),
    path("rt3/<str:area>/<int:fiscal_year>/<int:month>/", rt3.rt3, name="report-rt3"),
    # Before the province route, which would take "all" for a province code.
    path("rt4/all/<int:fiscal_year>/", rt4.rt4_nation, name="report-rt4-nation"),
    path("rt4/<str:province>/<int:fiscal_year>/", rt4.rt4, name="report-rt4"),
    path("kpi/", kpi.kpi_current, name="report-kpi-current"),
    path("kpi/<int:fiscal_year>/", kpi.kpi, name="report-kpi"),
]

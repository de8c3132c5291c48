from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"

urlpatterns = [
    path("v1/clusters/", views.ClusterList.as_view(), name="clusters"),
    path("v1/provinces/", views.ProvinceList.as_view(), name="provinces"),
    path("v1/districts/", views.DistrictList.as_view(), name="districts"),
    path("v1/sales/", views.SaleList.as_view(), name="sales"),
    path(
        "v1/months/<str:district>/<int:fiscal_year>/<int:month>/",
        views.Month.as_view(),
        name="month",
    ),
    path("v1/totals/", views.totals, name="totals"),
    path("v1/kpi/<int:fiscal_year>/", views.kpi, name="kpi"),
    path("v1/completeness/<int:fiscal_year>/<int:month>/", views.completeness, name="completeness"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
]

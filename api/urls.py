from django.urls import path, re_path
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"


def private(view):
    """Keep answers out of shared and disk caches: they hold producers' names and sales."""
    return never_cache(view)


urlpatterns = [
    path("v1/clusters/", private(views.ClusterList.as_view()), name="clusters"),
    path("v1/provinces/", private(views.ProvinceList.as_view()), name="provinces"),
    path("v1/districts/", private(views.DistrictList.as_view()), name="districts"),
    path("v1/sales/", private(views.SaleList.as_view()), name="sales"),
    path(
        "v1/months/<str:district>/<int:fiscal_year>/<int:month>/",
        private(views.Month.as_view()),
        name="month",
    ),
    path("v1/totals/", private(views.totals), name="totals"),
    path("v1/kpi/<int:fiscal_year>/", private(views.kpi), name="kpi"),
    path(
        "v1/completeness/<int:fiscal_year>/<int:month>/",
        private(views.completeness),
        name="completeness",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    # Last: any other path under /api/ gets a problem 404 in JSON.
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]

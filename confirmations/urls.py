from django.urls import path

from confirmations import completeness, views

urlpatterns = [
    path(
        "district/<str:district>/<int:fiscal_year>/<int:month>/",
        views.district_confirmation,
        name="confirm-district",
    ),
    path(
        "province/<str:district>/<int:fiscal_year>/<int:month>/",
        views.province_confirmation,
        name="confirm-province",
    ),
    path(
        "province/<str:district>/<int:fiscal_year>/<int:month>/send-back/",
        views.send_back,
        name="confirm-send-back",
    ),
    path("history/<int:sale_id>/", views.sale_history, name="sale-history"),
    # Who has reported a month (confirmations.completeness).
    path("completeness/", completeness.completeness_latest, name="completeness-latest"),
    path(
        "completeness/<int:fiscal_year>/<int:month>/",
        completeness.completeness,
        name="completeness",
    ),
    path(
        "completeness/<int:fiscal_year>/<int:month>/<str:province>/",
        completeness.completeness_province,
        name="completeness-province",
    ),
]

from django.urls import path

from quality.views import notes, outliers, producers

urlpatterns = [
    path(
        "reports/outliers/<str:area>/<int:fiscal_year>/<int:month>/",
        outliers.outlier_list,
        name="report-outliers",
    ),
    path("reports/follow-up/<str:area>/", outliers.follow_up_list, name="report-follow-up"),
    path("sales/notes/<int:sale_id>/", notes.row_note, name="row-note"),
    path("sales/notes/<int:sale_id>/explain/", notes.explain, name="row-note-explain"),
    path("sales/notes/<int:sale_id>/follow-up/", notes.follow_up, name="row-note-follow-up"),
    path("sales/<str:district>/producers/", producers.producer_list, name="producer-list"),
    path(
        "sales/<str:district>/producers/<int:producer_id>/",
        producers.producer_detail,
        name="producer-detail",
    ),
    path(
        "sales/<str:district>/producers/<int:producer_id>/rename/",
        producers.producer_rename,
        name="producer-rename",
    ),
    path(
        "sales/<str:district>/producers/<int:producer_id>/merge/",
        producers.producer_merge,
        name="producer-merge",
    ),
    path(
        "sales/<str:district>/producers/<int:producer_id>/active/",
        producers.producer_active,
        name="producer-active",
    ),
]

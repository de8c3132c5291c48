from django.urls import path

from sales.views import entry, estimate, exports, imports

urlpatterns = [
    path(
        "<str:district>/<int:fiscal_year>/<int:month>/",
        entry.month_entry,
        name="sales-month",
    ),
    path(
        "exports/<str:province>/<int:fiscal_year>/<int:month>/",
        exports.export_detail,
        name="sales-exports",
    ),
    path(
        "<str:district>/<int:fiscal_year>/estimate/",
        estimate.estimate_form,
        name="sales-estimate",
    ),
    path(
        "<str:district>/<int:fiscal_year>/<int:month>/import/",
        imports.import_month,
        name="sales-import",
    ),
    path(
        "<str:district>/<int:fiscal_year>/<int:month>/import/confirm/",
        imports.import_confirm,
        name="sales-import-confirm",
    ),
    path(
        "<str:district>/<int:fiscal_year>/<int:month>/import/template.xlsx",
        imports.import_template,
        name="sales-import-template",
    ),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from otopdoc import exceptions_views, twofactor, views
from otopdoc.forms import LoginForm, OfficerPasswordChangeForm

admin.site.site_header = "ศูนย์ข้อมูลยอดจำหน่าย OTOP: ผู้ดูแลระบบ"
admin.site.site_title = "ผู้ดูแลระบบ OTOP"

urlpatterns = [
    path("", views.home, name="home"),
    path("district/<str:code>/", views.district_home, name="district-home"),
    path("province/<str:code>/", views.province_home, name="province-home"),
    path("nation/", views.nation_home, name="nation-home"),
    path("calendar/exceptions/", exceptions_views.exceptions, name="lock-exceptions"),
    path(
        "calendar/exceptions/grant/",
        exceptions_views.grant_exception,
        name="lock-exception-grant",
    ),
    path(
        "calendar/exceptions/<int:pk>/withdraw/",
        exceptions_views.withdraw,
        name="lock-exception-withdraw",
    ),
    path("", include("quality.urls")),
    path("sales/", include("sales.urls")),
    path("confirm/", include("confirmations.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/", include("api.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(form_class=OfficerPasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/2fa/", twofactor.verify, name="two-factor"),
    path("accounts/2fa/setup/", twofactor.setup, name="two-factor-setup"),
    path("accounts/2fa/codes/", twofactor.codes, name="two-factor-codes"),
    path("accounts/2fa/lost/", twofactor.lost, name="two-factor-lost"),
    path("privacy/", include("privacy.urls")),
    path("admin/", admin.site.urls),
]

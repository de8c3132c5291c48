from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("<int:pk>/read/", views.mark_read, name="notification-read"),
    path("read-all/", views.mark_all_read, name="notifications-read-all"),
    path("settings/", views.own_settings, name="notification-settings"),
    path("offices/", views.offices, name="notification-offices"),
    path("offices/<str:code>/", views.office_settings, name="notification-office"),
]

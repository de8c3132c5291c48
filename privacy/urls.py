from django.urls import path

from privacy import views

urlpatterns = [
    path("", views.notice, name="privacy-notice"),
    path("access-log/", views.access_log, name="privacy-access-log"),
]

"""The front pages; their names are not namespaced (``home`` is LOGIN_REDIRECT_URL and every page links it)."""

from django.urls import path

from practica.front import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
]

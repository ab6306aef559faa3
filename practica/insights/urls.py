from django.urls import path

from practica.insights import views, views_lifecycle

app_name = "insights"

urlpatterns = [
    path("communities/<slug:slug>/health/", views.health, name="health"),
    path("communities/<slug:slug>/health/<slug:table>.csv", views.health_csv, name="health_csv"),
    path("communities/<slug:slug>/health/stage/", views_lifecycle.stage, name="stage"),
]

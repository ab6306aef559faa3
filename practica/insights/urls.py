from django.urls import path

from practica.insights import views

app_name = "insights"

urlpatterns = [
    path("communities/<slug:slug>/health/", views.health, name="health"),
    path("communities/<slug:slug>/health/<slug:table>.csv", views.health_csv, name="health_csv"),
]

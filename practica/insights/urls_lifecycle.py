from django.urls import path

from practica.insights import views_lifecycle

app_name = "lifecycle"

urlpatterns = [
    path("communities/<slug:slug>/health/stage/", views_lifecycle.stage, name="stage"),
]

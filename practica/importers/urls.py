from django.urls import path

from practica.importers import views

app_name = "importers"

urlpatterns = [
    path("communities/<slug:slug>/import/", views.import_start, name="start"),
    path("communities/<slug:slug>/import/<int:job_id>/", views.import_job, name="job"),
]

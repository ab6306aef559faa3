from django.urls import path

from practica.audit import views

app_name = "audit"

urlpatterns = [
    path("communities/<slug:slug>/audit/", views.community_audit, name="community"),
    path("audit/", views.network_audit, name="network"),
]

from django.urls import path

from practica.insights import views, views_lifecycle, views_network

app_name = "insights"

urlpatterns = [
    path("communities/<slug:slug>/health/", views.health, name="health"),
    path("communities/<slug:slug>/health/<slug:table>.csv", views.health_csv, name="health_csv"),
    path("communities/<slug:slug>/health/stage/", views_lifecycle.stage, name="stage"),
    path("network/health/", views_network.network_health_page, name="network-health"),
    path("network/health/communities.csv", views_network.network_communities_csv, name="network-health-csv"),
    path("network/health/brokers.csv", views_network.network_brokers_csv, name="network-brokers-csv"),
]

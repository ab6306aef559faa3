from django.urls import path

from practica.discovery import views

# The search app's names, kept when these pages moved here: search:search, search:experts...
app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("experts/", views.experts_page, name="experts"),
    path("communities/<slug:slug>/similar/", views.similar, name="similar"),
    path("communities/<slug:slug>/threads/<int:thread_id>/ask-expert/", views.ask_expert, name="ask_expert"),
    path("communities/<slug:slug>/threads/<int:thread_id>/related/", views.related, name="related"),
]

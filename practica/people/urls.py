from django.urls import path

from practica.people import views

app_name = "people"

urlpatterns = [
    path("people/me/edit/", views.profile_edit, name="edit"),
    path("people/<str:username>/", views.profile, name="profile"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/<slug:slug>/", views.organization, name="organization"),
]

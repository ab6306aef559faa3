from django.urls import path

from practica.communities import views

app_name = "communities"

urlpatterns = [
    path("communities/", views.directory, name="directory"),
    path("communities/new/", views.create, name="create"),
    path("communities/<slug:slug>/", views.detail, name="detail"),
    path("communities/<slug:slug>/edit/", views.edit, name="edit"),
    path("communities/<slug:slug>/charter/", views.charter_edit, name="charter"),
    path("communities/<slug:slug>/history/", views.history, name="history"),
    path("communities/<slug:slug>/members/", views.members, name="members"),
    path("communities/<slug:slug>/join/", views.join, name="join"),
    path("communities/<slug:slug>/leave/", views.leave, name="leave"),
    path("communities/<slug:slug>/invitation/respond/", views.respond_invitation, name="respond"),
    path("communities/<slug:slug>/requests/", views.requests_list, name="requests"),
    path(
        "communities/<slug:slug>/requests/<int:membership_id>/<str:decision>/",
        views.request_decide,
        name="request_decide",
    ),
    path("communities/<slug:slug>/members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("communities/<slug:slug>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("communities/<slug:slug>/invitations/", views.invitations, name="invitations"),
    path(
        "communities/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("communities/<slug:slug>/recruit/", views.recruit, name="recruit"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]

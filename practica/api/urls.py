"""Routes of the REST API v1 (../shared/API.md)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from practica.api.views import TokenView
from practica.communities import api as communities
from practica.people import api as people

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("communities/", communities.CommunityListView.as_view(), name="api-communities"),
    path("communities/<slug:slug>/", communities.CommunityDetailView.as_view(), name="api-community"),
    path("communities/<slug:slug>/members/", communities.MemberListView.as_view(), name="api-members"),
    path(
        "communities/<slug:slug>/members/<int:membership_id>/",
        communities.MemberDetailView.as_view(),
        name="api-member",
    ),
    path("communities/<slug:slug>/join/", communities.JoinView.as_view(), name="api-join"),
    path("communities/<slug:slug>/leave/", communities.LeaveView.as_view(), name="api-leave"),
    path("communities/<slug:slug>/requests/", communities.RequestListView.as_view(), name="api-requests"),
    path(
        "communities/<slug:slug>/requests/<int:membership_id>/<str:decision>/",
        communities.RequestDecisionView.as_view(),
        name="api-request-decision",
    ),
    path("communities/<slug:slug>/invitations/", communities.InvitationCreateView.as_view(), name="api-invitations"),
    path("communities/<slug:slug>/history/", communities.HistoryView.as_view(), name="api-history"),
    path("communities/<slug:slug>/recruits/", communities.RecruitView.as_view(), name="api-recruits"),
    path("invitations/accept/", communities.InvitationAcceptView.as_view(), name="api-invitation-accept"),
    path("people/<str:username>/", people.PersonView.as_view(), name="api-person"),
    path("me/", people.MeView.as_view(), name="api-me"),
    path("organizations/", people.OrganizationListView.as_view(), name="api-organizations"),
]

"""Routes of the REST API v1 (../shared/API.md)."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from practica.api.views import MyTokensView, MyTokenView, TokenView
from practica.audit import api as audit
from practica.communities.api import views as communities
from practica.discovery import api as search
from practica.discussions.api import posts as discussion_posts
from practica.discussions.api import queues as discussion_queues
from practica.discussions.api import threads as discussion_threads
from practica.events import api as events
from practica.importers import api as importers
from practica.insights.api import history as health_history
from practica.insights.api import lifecycle as insights_lifecycle
from practica.insights.api import network as insights_network
from practica.insights.api import views as insights_health
from practica.knowledge import api as knowledge
from practica.notifications import api as notifications
from practica.people.api import views as people

SWAGGER_UI_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the Content-Security-Policy forbids inline ones.
    # Swagger UI adds one fixed <style> element of its own; its hash (not 'unsafe-inline') lets that one in, on
    # this page only (practica/e2e/test_security_headers.py fails if a new Swagger UI changes it).
    path(
        "docs/",
        csp_update({"style-src": [SWAGGER_UI_STYLE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("communities/", communities.CommunityViewSet.as_view({"get": "list", "post": "create"}), name="api-communities"),
    path(
        "communities/<slug:slug>/",
        communities.CommunityViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="api-community",
    ),
    path("communities/<slug:slug>/members/", communities.MemberViewSet.as_view({"get": "list"}), name="api-members"),
    path(
        "communities/<slug:slug>/members/<int:membership_id>/",
        communities.MemberViewSet.as_view({"patch": "partial_update", "delete": "destroy"}),
        name="api-member",
    ),
    path("communities/<slug:slug>/join/", communities.JoinView.as_view(), name="api-join"),
    path("communities/<slug:slug>/leave/", communities.LeaveView.as_view(), name="api-leave"),
    path("communities/<slug:slug>/requests/", communities.RequestViewSet.as_view({"get": "list"}), name="api-requests"),
    path(
        "communities/<slug:slug>/requests/<int:membership_id>/<str:decision>/",
        communities.RequestViewSet.as_view({"post": "decide"}),
        name="api-request-decision",
    ),
    path(
        "communities/<slug:slug>/invitations/",
        communities.InvitationViewSet.as_view({"get": "list", "post": "create"}),
        name="api-invitations",
    ),
    path(
        "communities/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        communities.InvitationViewSet.as_view({"post": "revoke"}),
        name="api-invitation-revoke",
    ),
    path("communities/<slug:slug>/history/", communities.HistoryView.as_view(), name="api-history"),
    path(
        "communities/<slug:slug>/health/history/",
        health_history.HealthHistoryView.as_view(),
        name="api-health-history",
    ),
    path(
        "communities/<slug:slug>/imports/",
        importers.ImportJobViewSet.as_view({"get": "list", "post": "create"}),
        name="api-imports",
    ),
    path(
        "communities/<slug:slug>/imports/<int:job_id>/",
        importers.ImportJobViewSet.as_view({"get": "retrieve"}),
        name="api-import",
    ),
    path("communities/<slug:slug>/recruits/", communities.RecruitView.as_view(), name="api-recruits"),
    path("communities/<slug:slug>/threads/", discussion_threads.CommunityThreadViewSet.as_view({"get": "list", "post": "create"}), name="api-threads"),
    path("communities/<slug:slug>/unheard/", discussion_queues.UnheardView.as_view(), name="api-unheard"),
    path("communities/<slug:slug>/flags/", discussion_queues.FlagListView.as_view(), name="api-flags"),
    path("threads/<int:thread_id>/", discussion_threads.ThreadDetailView.as_view(), name="api-thread"),
    path("threads/<int:thread_id>/posts/", discussion_threads.ThreadPostsView.as_view(), name="api-thread-posts"),
    path("threads/<int:thread_id>/moderate/", discussion_threads.ThreadModerateView.as_view(), name="api-thread-moderate"),
    path("threads/<int:thread_id>/move/", discussion_threads.ThreadMoveView.as_view(), name="api-thread-move"),
    path("threads/<int:thread_id>/duplicate/", discussion_threads.ThreadDuplicateView.as_view(), name="api-thread-duplicate"),
    path("threads/<int:thread_id>/linked/", discussion_threads.ThreadLinkedView.as_view(), name="api-thread-linked"),
    path("threads/<int:thread_id>/status/", discussion_threads.ThreadStatusView.as_view(), name="api-thread-status"),
    path("posts/<int:post_id>/", discussion_posts.PostDetailView.as_view(), name="api-post"),
    path("posts/<int:post_id>/restore/", discussion_posts.PostRestoreView.as_view(), name="api-post-restore"),
    path("posts/<int:post_id>/revisions/", discussion_posts.PostRevisionsView.as_view(), name="api-post-revisions"),
    path("posts/<int:post_id>/comments/", discussion_posts.PostCommentsView.as_view(), name="api-post-comments"),
    path("posts/<int:post_id>/vote/", discussion_posts.PostVoteView.as_view(), name="api-post-vote"),
    path("posts/<int:post_id>/accept/", discussion_posts.PostAcceptView.as_view(), name="api-post-accept"),
    path("posts/<int:post_id>/flag/", discussion_posts.PostFlagView.as_view(), name="api-post-flag"),
    path("flags/<int:flag_id>/resolve/", discussion_queues.FlagResolveView.as_view(), name="api-flag-resolve"),
    path("invitations/accept/", communities.InvitationAcceptView.as_view(), name="api-invitation-accept"),
    path("people/<str:username>/", people.PersonView.as_view(), name="api-person"),
    path("me/", people.MeView.as_view(), name="api-me"),
    path("me/tokens/", MyTokensView.as_view(), name="api-my-tokens"),
    path("audit/", audit.NetworkAuditView.as_view(), name="api-audit"),
    path("communities/<slug:slug>/audit/", audit.CommunityAuditView.as_view(), name="api-community-audit"),
    path("network/health/", insights_network.NetworkHealthView.as_view(), name="api-network-health"),
    path("me/tokens/<int:token_id>/", MyTokenView.as_view(), name="api-my-token"),
    path("notifications/", notifications.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/mark-read/", notifications.MarkReadView.as_view(), name="api-notifications-mark-read"),
    path("me/subscriptions/", notifications.MySubscriptionsView.as_view(), name="api-my-subscriptions"),
    path("me/preferences/", notifications.MyPreferencesView.as_view(), name="api-my-preferences"),
    path(
        "me/preferences/rotate-feed-key/",
        notifications.RotateFeedKeyView.as_view(),
        name="api-my-preferences-rotate-feed-key",
    ),
    path("communities/<slug:slug>/webhooks/", notifications.WebhookListView.as_view(), name="api-webhooks"),
    path(
        "communities/<slug:slug>/webhooks/<int:webhook_id>/",
        notifications.WebhookDetailView.as_view(),
        name="api-webhook",
    ),
    path("topics/", communities.TopicViewSet.as_view({"get": "list"}), name="api-topics"),
    path("topics/<slug:slug>/", communities.TopicViewSet.as_view({"get": "retrieve"}), name="api-topic"),
    path("organizations/", people.OrganizationViewSet.as_view({"get": "list"}), name="api-organizations"),
    path(
        "organizations/<slug:slug>/",
        people.OrganizationViewSet.as_view({"get": "retrieve"}),
        name="api-organization",
    ),
    path("communities/<slug:slug>/events/", events.EventListView.as_view(), name="api-events"),
    path("events/<int:event_id>/", events.EventDetailView.as_view(), name="api-event"),
    path("events/<int:event_id>/cancel/", events.EventCancelView.as_view(), name="api-event-cancel"),
    path("events/<int:event_id>/rsvp/", events.RsvpView.as_view(), name="api-event-rsvp"),
    path("events/<int:event_id>/occurrences/", events.OccurrenceChangeView.as_view(), name="api-event-occurrence"),
    path("events/<int:event_id>/attendance/", events.AttendanceView.as_view(), name="api-event-attendance"),
    path("events/<int:event_id>/write-up/", events.WriteUpView.as_view(), name="api-event-write-up"),
    path("events/<int:event_id>/actions/", events.ActionCreateView.as_view(), name="api-event-actions"),
    path("events/<int:event_id>/capture/", events.CaptureView.as_view(), name="api-event-capture"),
    path("actions/", events.MyActionsView.as_view(), name="api-my-actions"),
    path("actions/<int:action_id>/", events.ActionDetailView.as_view(), name="api-action"),
    path("search/", search.SearchView.as_view(), name="api-search"),
    path("experts/", search.ExpertsView.as_view(), name="api-experts"),
    path("threads/<int:thread_id>/related/", search.RelatedView.as_view(), name="api-thread-related"),
    path("threads/<int:thread_id>/suggested-experts/", search.SuggestedExpertsView.as_view(),
         name="api-thread-suggested-experts"),
    path("threads/<int:thread_id>/expert-requests/", search.ExpertRequestsView.as_view(),
         name="api-thread-expert-requests"),
    path("communities/<slug:slug>/knowledge/", knowledge.KnowledgeListView.as_view(), name="api-knowledge"),
    path("knowledge/<int:item_id>/", knowledge.KnowledgeDetailView.as_view(), name="api-knowledge-item"),
    path("knowledge/<int:item_id>/submit/", knowledge.SubmitView.as_view(), name="api-knowledge-submit"),
    path("knowledge/<int:item_id>/review/", knowledge.ReviewView.as_view(), name="api-knowledge-review"),
    path("knowledge/<int:item_id>/endorse/", knowledge.EndorseView.as_view(), name="api-knowledge-endorse"),
    path("knowledge/<int:item_id>/helpful/", knowledge.HelpfulView.as_view(), name="api-knowledge-helpful"),
    path("knowledge/<int:item_id>/restore/", knowledge.RestoreView.as_view(), name="api-knowledge-restore"),
    path("knowledge/<int:item_id>/verify/", knowledge.StewardView.as_view(), {"action": "verify"},
         name="api-knowledge-verify"),
    path("knowledge/<int:item_id>/archive/", knowledge.StewardView.as_view(), {"action": "archive"},
         name="api-knowledge-archive"),
    path("knowledge/<int:item_id>/unarchive/", knowledge.StewardView.as_view(), {"action": "unarchive"},
         name="api-knowledge-unarchive"),
    path("knowledge/<int:item_id>/attachments/", knowledge.AttachmentsView.as_view(), name="api-knowledge-attachments"),
    path("threads/<int:thread_id>/capture/", knowledge.CaptureView.as_view(), name="api-thread-capture"),
    path(
        "knowledge/attachments/<int:attachment_id>/", knowledge.AttachmentView.as_view(), name="api-knowledge-attachment"
    ),
    path(
        "communities/<slug:slug>/knowledge/stewardship/",
        knowledge.StewardshipView.as_view(),
        name="api-knowledge-stewardship",
    ),
    path(
        "communities/<slug:slug>/knowledge/collections/",
        knowledge.CollectionViewSet.as_view({"get": "list", "post": "create"}),
        name="api-knowledge-collections",
    ),
    path(
        "knowledge/collections/<int:collection_id>/",
        knowledge.CollectionViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="api-knowledge-collection",
    ),
    path(
        "knowledge/collections/<int:collection_id>/items/",
        knowledge.CollectionViewSet.as_view({"post": "add_item"}),
        name="api-knowledge-collection-items",
    ),
    path(
        "knowledge/collections/<int:collection_id>/items/<int:item_id>/",
        knowledge.CollectionViewSet.as_view({"get": "retrieve_item", "delete": "remove_item"}),
        name="api-knowledge-collection-item",
    ),
    path(
        "knowledge/collections/<int:collection_id>/items/<int:item_id>/move/",
        knowledge.CollectionViewSet.as_view({"post": "move_item"}),
        name="api-knowledge-collection-item-move",
    ),
    path(
        "communities/<slug:slug>/health/stage/",
        insights_lifecycle.LifecycleStageView.as_view(),
        name="api-health-stage",
    ),
    path("communities/<slug:slug>/health/", insights_health.HealthView.as_view(), name="api-health"),
    path("communities/<slug:slug>/health/people/", insights_health.HealthPeopleView.as_view(), name="api-health-people"),
]

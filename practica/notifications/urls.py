from django.urls import path

from practica.notifications import feeds, views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/badge/", views.badge, name="badge"),
    path("notifications/read/", views.mark_read, name="mark_read"),
    path("notifications/<int:notification_id>/open/", views.open_notification, name="open"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("threads/<int:thread_id>/watch/", views.thread_watch, name="thread_watch"),
    path("communities/<slug:slug>/follow/", views.community_follow, name="community_follow"),
    path("communities/<slug:slug>/webhooks/", views.webhooks, name="webhooks"),
    path("communities/<slug:slug>/webhooks/<int:webhook_id>/", views.webhook_change, name="webhook_change"),
    path("communities/<slug:slug>/feed.atom", feeds.community_feed, name="community_feed"),
    path("feeds/<str:token>/communities/<slug:slug>/feed.atom", feeds.personal_feed, name="personal_feed"),
]

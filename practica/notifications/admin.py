from django.contrib import admin

from practica.notifications.models import (
    CommunityEmailPreference,
    EmailDelivery,
    EmailPreference,
    Notification,
    Subscription,
    Webhook,
    WebhookDelivery,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["recipient", "kind", "subject", "community", "created_at", "read_at", "email_mode"]
    list_filter = ["kind", "email_mode"]
    raw_id_fields = ["recipient", "actor", "community", "email_delivery"]
    search_fields = ["subject", "recipient__username"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    list_display = ["user", "community", "topic", "target_type", "target_id", "muted", "created_at"]
    raw_id_fields = ["user", "community", "topic"]


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin[EmailPreference]):
    list_display = ["user", "email_mode", "updated_at"]
    raw_id_fields = ["user"]
    exclude = ["feed_key"]


@admin.register(CommunityEmailPreference)
class CommunityEmailPreferenceAdmin(admin.ModelAdmin[CommunityEmailPreference]):
    list_display = ["user", "community", "email_mode"]
    raw_id_fields = ["user", "community"]


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin[EmailDelivery]):
    list_display = ["recipient", "key", "status", "claimed_at", "sent_at", "attempts", "error"]
    list_filter = ["status"]
    raw_id_fields = ["recipient"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin[Webhook]):
    list_display = ["community", "url", "is_active", "consecutive_failures", "disabled_at"]
    list_filter = ["is_active"]
    raw_id_fields = ["community", "created_by"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ["webhook", "event", "status", "attempts", "response_status", "next_attempt_at", "error"]
    list_filter = ["status", "event"]
    raw_id_fields = ["webhook"]

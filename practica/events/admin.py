from django.contrib import admin

from practica.events.models import ActionItem, Event, Occurrence


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "kind", "start", "timezone", "recurrence", "cancelled_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    raw_id_fields = ["community", "organiser"]


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["event", "original_start", "start", "is_cancelled", "reminder_sent_at"]
    raw_id_fields = ["event"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["text", "owner", "due_date", "done_at"]
    raw_id_fields = ["occurrence", "owner", "created_by"]

from django.contrib import admin

from practica.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only: the log is written by the actions it records."""

    list_display = ["created_at", "actor_name", "action", "summary", "community_name", "address"]
    list_filter = ["action"]
    search_fields = ["summary", "actor_name", "community_name"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

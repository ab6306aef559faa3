from django.contrib import admin

from practica.insights.models import DailyActivity, HealthSnapshot


@admin.register(DailyActivity)
class DailyActivityAdmin(admin.ModelAdmin):
    """Read only: the rows are written by ``services.activity_record`` and the back-fill."""

    list_display = ["day", "community", "user", "contributed"]
    list_filter = ["contributed"]
    date_hierarchy = "day"
    raw_id_fields = ["community", "user"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(admin.ModelAdmin):
    """Read only: the rows are written by ``services.snapshot_take`` and the back-fill."""

    list_display = ["day", "community"]
    date_hierarchy = "day"
    raw_id_fields = ["community"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

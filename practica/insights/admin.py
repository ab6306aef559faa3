from django.contrib import admin

from practica.insights.models import DailyActivity


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

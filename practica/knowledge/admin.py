from django.contrib import admin

from practica.knowledge.models import (
    Attachment,
    Collection,
    Endorsement,
    HelpfulMark,
    KnowledgeItem,
    KnowledgeVersion,
)


@admin.register(KnowledgeItem)
class KnowledgeItemAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "kind", "status", "version", "review_due", "updated_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["community", "created_by", "source_thread"]
    readonly_fields = ["body_html", "body_text", "view_count", "helpful_count", "endorsement_count"]


admin.site.register(KnowledgeVersion)
admin.site.register(Endorsement)
admin.site.register(HelpfulMark)
admin.site.register(Attachment)
admin.site.register(Collection)

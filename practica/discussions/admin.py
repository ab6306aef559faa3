from django.contrib import admin

from practica.discussions.models import Comment, Flag, ModerationAction, Post, Revision, Thread


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "kind", "author", "reply_count", "score", "created_at", "deleted_at")
    list_filter = ("kind", "community", "is_locked", "is_hidden")
    search_fields = ("title", "external_id")
    raw_id_fields = ("community", "author", "accepted_post", "duplicate_of", "deleted_by")
    filter_horizontal = ("tags",)
    exclude = ("related",)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("id", "thread", "author", "is_opening", "created_at", "deleted_at", "is_hidden")
    list_filter = ("is_opening", "is_hidden")
    search_fields = ("body_text", "external_id")
    raw_id_fields = ("thread", "author", "deleted_by")
    readonly_fields = ("body_html",)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "post", "author", "created_at")
    raw_id_fields = ("post", "author")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("post", "number", "editor", "created_at")
    raw_id_fields = ("post", "editor")


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("post", "reason", "reporter", "created_at", "resolution")
    list_filter = ("reason", "resolution")
    raw_id_fields = ("post", "reporter", "resolved_by")


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ("thread", "action", "actor", "created_at")
    list_filter = ("action",)
    raw_id_fields = ("thread", "post", "actor")

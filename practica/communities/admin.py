from django.contrib import admin

from practica.communities.models import Charter, Community, CommunityChange, Goal, Invitation, Membership


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


@admin.register(Charter)
class CharterAdmin(admin.ModelAdmin):
    list_display = ("community", "updated_at")
    inlines = [GoalInline]
    search_fields = ("community__name",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user", "invited_by")
    fields = ("user", "role", "state", "joined_at")


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "visibility", "stage", "created_at")
    list_filter = ("visibility", "stage")
    search_fields = ("name", "slug", "domain")
    filter_horizontal = ("topics", "organizations")
    raw_id_fields = ("created_by",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "role", "state", "joined_at")
    list_filter = ("role", "state", "community")
    search_fields = ("user__username", "community__name")
    raw_id_fields = ("user", "community", "invited_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("community", "email", "role", "expires_at", "use_count", "max_uses", "revoked_at")
    list_filter = ("role",)
    raw_id_fields = ("community", "created_by")


@admin.register(CommunityChange)
class CommunityChangeAdmin(admin.ModelAdmin):
    list_display = ("community", "summary", "actor", "created_at")
    list_filter = ("community",)
    readonly_fields = ("community", "actor", "created_at", "summary", "changes")

from django.contrib import admin

from practica.people.models import Organization, Profile


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "organization", "discipline", "location", "external_id")
    list_filter = ("organization",)
    search_fields = ("display_name", "user__username", "discipline", "external_id")
    raw_id_fields = ("user", "organization")
    filter_horizontal = ("expertise",)

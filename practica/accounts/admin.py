from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from practica.accounts.models import User


@admin.register(User)
class PracticaUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "external_id")
    search_fields = ("username", "email", "first_name", "last_name", "external_id")
    fieldsets = (*UserAdmin.fieldsets, ("Import", {"fields": ("external_id",)}))  # type: ignore[misc]

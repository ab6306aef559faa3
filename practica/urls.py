from django.contrib import admin
from django.urls import include, path

from practica.accounts import urls as accounts_urls

admin.site.site_header = "Practica network administration"
admin.site.site_title = "Practica admin"

urlpatterns = [
    path("", include("practica.front.urls")),  # home and healthz
    *accounts_urls.overrides,  # sign-in, sign-up, password reset and the admin's sign-in, with their limits
    path("", include("practica.accounts.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("practica.api.urls")),
    path("", include("practica.people.urls")),
    path("", include("practica.communities.urls")),
    path("", include("practica.discussions.urls")),
    path("", include("practica.importers.urls")),
    path("", include("practica.discovery.urls")),
    path("", include("practica.knowledge.urls")),
    path("", include("practica.notifications.urls")),
    path("", include("practica.events.urls")),
    path("", include("practica.audit.urls")),
    path("", include("practica.insights.urls")),
]

# Uploaded files (knowledge attachments, data dumps) are never served from MEDIA_URL, not even in DEBUG: they may
# belong to private communities, so only views that check who is asking serve them.

from django.urls import path

from practica.events import views

app_name = "events"

urlpatterns = [
    path("communities/<slug:slug>/events/", views.event_list, name="list"),
    path("communities/<slug:slug>/events.ics", views.community_ics, name="community_ics"),
    path("communities/<slug:slug>/events/new/", views.event_create, name="create"),
    path("communities/<slug:slug>/events/<int:event_id>/", views.event_detail, name="detail"),
    path("communities/<slug:slug>/events/<int:event_id>/edit/", views.event_edit, name="edit"),
    path("communities/<slug:slug>/events/<int:event_id>/rsvp/", views.rsvp, name="rsvp"),
    path("communities/<slug:slug>/events/<int:event_id>/occurrence/", views.occurrence_change, name="change"),
    path("communities/<slug:slug>/events/<int:event_id>/attendance/", views.attendance, name="attendance"),
    path("communities/<slug:slug>/events/<int:event_id>/write-up/", views.write_up, name="write_up"),
    path("communities/<slug:slug>/events/<int:event_id>/actions/", views.action_add, name="action_add"),
    path("communities/<slug:slug>/events/<int:event_id>/capture/", views.capture, name="capture"),
    path("communities/<slug:slug>/events/<int:event_id>/cancel/", views.event_cancel, name="cancel"),
    path("actions/<int:action_id>/done/", views.action_done, name="action_done"),
    path("calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/<str:token>.ics", views.personal_ics, name="personal_ics"),
]

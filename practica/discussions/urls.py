from django.urls import path

from practica.discussions import views

app_name = "discussions"

urlpatterns = [
    path("communities/<slug:slug>/threads/", views.thread_list, name="list"),
    path("communities/<slug:slug>/threads/new/", views.thread_create, name="create"),
    path("communities/<slug:slug>/threads/<int:thread_id>/", views.thread_detail, name="thread"),
    path("communities/<slug:slug>/threads/<int:thread_id>/reply/", views.reply, name="reply"),
    path("communities/<slug:slug>/threads/<int:thread_id>/moderate/", views.moderate, name="moderate"),
    path("communities/<slug:slug>/unheard/", views.unheard, name="unheard"),
    path("communities/<slug:slug>/flags/", views.flags, name="flags"),
    path("posts/<int:post_id>/comment/", views.comment, name="comment"),
    path("posts/<int:post_id>/vote/", views.vote, name="vote"),
    path("posts/<int:post_id>/accept/", views.accept, name="accept"),
    path("posts/<int:post_id>/edit/", views.edit, name="edit"),
    path("posts/<int:post_id>/revisions/", views.revisions, name="revisions"),
    path("posts/<int:post_id>/delete/", views.delete, name="delete"),
    path("posts/<int:post_id>/flag/", views.flag, name="flag"),
]

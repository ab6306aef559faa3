from django.urls import path

from practica.knowledge import views

app_name = "knowledge"

base = "communities/<slug:slug>/knowledge/"
item = base + "<int:item_id>/"

urlpatterns = [
    path(base, views.item_list, name="list"),
    path(base + "new/", views.item_create, name="create"),
    path(base + "stewardship/", views.stewardship, name="stewardship"),
    path(base + "collections/", views.collection_list, name="collections"),
    path(base + "collections/new/", views.collection_create, name="collection_create"),
    path(base + "collections/<int:collection_id>/", views.collection_detail, name="collection"),
    path(base + "collections/<int:collection_id>/edit/", views.collection_edit, name="collection_edit"),
    path(item, views.item_detail, name="item"),
    path(item + "edit/", views.item_edit, name="edit"),
    path(item + "submit/", views.item_submit, name="submit"),
    path(item + "review/", views.item_review, name="review"),
    path(item + "steward/", views.item_steward, name="steward"),
    path(item + "endorse/", views.endorse, name="endorse"),
    path(item + "helpful/", views.helpful, name="helpful"),
    path(item + "versions/", views.versions, name="versions"),
    path(item + "restore/", views.restore, name="restore"),
    path(item + "attachments/", views.attachment_upload, name="attach"),
    path("knowledge/files/<int:attachment_id>/<str:name>", views.attachment_download, name="download"),
    path("knowledge/files/<int:attachment_id>/delete/", views.attachment_delete, name="attachment_delete"),
    path("communities/<slug:slug>/threads/<int:thread_id>/capture/", views.capture, name="capture"),
]

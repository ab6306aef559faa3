"""Writes for the knowledge base, by subject: items (``items``), versions (``versions``), review and stewardship
(``review``), endorsements and reuse marks (``endorsements``), attachments (``attachments``), collections
(``collections``) and capture from threads or meeting notes (``capture``).

Every function takes keyword-only arguments, checks the actor's rights through ``practica.knowledge.permissions``
(404 for what the actor may not see, ``PermissionDenied`` for what they see but may not do), runs in one
transaction and schedules side effects (notifications, search indexing) with ``transaction.on_commit``.
Who may do what is in ``practica.knowledge.permissions``; the names below are the public ones: ``from practica.knowledge.services import item_create``.
"""

from __future__ import annotations

from practica.knowledge.services.attachments import attachment_add, attachment_delete
from practica.knowledge.services.capture import TOP_REPLIES, capture_from_notes, capture_from_thread
from practica.knowledge.services.collections import (
    collection_add,
    collection_create,
    collection_delete,
    collection_move,
    collection_remove,
)
from practica.knowledge.services.endorsements import endorse, endorsement_withdraw, helpful_mark
from practica.knowledge.services.items import item_create, item_update, view_record
from practica.knowledge.services.review import (
    item_archive,
    item_review,
    item_submit,
    item_unarchive,
    item_verify,
    review_months,
    settings_update,
)
from practica.knowledge.services.versions import version_restore

__all__ = [
    "TOP_REPLIES",
    "attachment_add",
    "attachment_delete",
    "capture_from_notes",
    "capture_from_thread",
    "collection_add",
    "collection_create",
    "collection_delete",
    "collection_move",
    "collection_remove",
    "endorse",
    "endorsement_withdraw",
    "helpful_mark",
    "item_archive",
    "item_create",
    "item_review",
    "item_submit",
    "item_unarchive",
    "item_update",
    "item_verify",
    "review_months",
    "settings_update",
    "version_restore",
    "view_record",
]

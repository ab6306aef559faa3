"""The knowledge base's REST API: ``serializers`` (every payload), ``permissions`` (DRF permission classes made
from ``practica.knowledge.permissions``) and ``views``, routed in ``practica/api/urls.py``."""

from __future__ import annotations

from practica.knowledge.api.views import (
    AttachmentsView,
    AttachmentView,
    CaptureView,
    CollectionViewSet,
    EndorseView,
    HelpfulView,
    KnowledgeDetailView,
    KnowledgeListView,
    RestoreView,
    ReviewView,
    StewardshipView,
    StewardView,
    SubmitView,
    item_detail_data,
)

__all__ = [
    "AttachmentView",
    "AttachmentsView",
    "CaptureView",
    "CollectionViewSet",
    "EndorseView",
    "HelpfulView",
    "KnowledgeDetailView",
    "KnowledgeListView",
    "RestoreView",
    "ReviewView",
    "StewardView",
    "StewardshipView",
    "SubmitView",
    "item_detail_data",
]

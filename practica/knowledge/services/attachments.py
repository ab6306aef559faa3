"""Files attached to an item (templates, checklists...), checked by content and kept through Django's storage."""

from __future__ import annotations

from typing import IO

from django.core.files.base import File
from django.db import transaction

from practica.accounts.models import User
from practica.communities.selectors import Access
from practica.knowledge import permissions
from practica.knowledge.models import Attachment, KnowledgeItem
from practica.knowledge.uploads import check_upload


@transaction.atomic
def attachment_add(*, item: KnowledgeItem, actor: User, stream: IO[bytes], name: str) -> Attachment:
    """Attach a file (checked for size, name and type by content) through Django's storage API."""
    item = KnowledgeItem.objects.select_related("community").get(pk=item.pk)
    access = Access(item.community, actor)
    permissions.may_see.require(item, access)
    permissions.may_attach.require(item, access)
    checked = check_upload(stream, name)
    attachment = Attachment(
        item=item, name=checked.name, content_type=checked.content_type, size=checked.size, uploaded_by=actor
    )
    attachment.file.save(checked.name, File(stream, name=checked.name), save=False)
    stored = attachment.file.name
    # Should the row fail to save, the file must not stay behind in the storage.
    try:
        attachment.save()
    except Exception:
        if stored:
            attachment.file.storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor: User) -> None:
    """Remove a file from its item; the stored file goes once the removal commits."""
    item = attachment.item
    access = Access(item.community, actor)
    permissions.may_see.require(item, access)
    permissions.may_remove_file.require(item, access)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))

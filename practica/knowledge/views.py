"""Knowledge base pages: browse, write, review, versions, endorsements, reuse marks, attachments,
collections, the stewardship queue and capture from a thread."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities import selectors as community_selectors
from practica.discussions import selectors as discussion_selectors
from practica.knowledge import permissions, selectors, services
from practica.knowledge.filters import ItemFilterSet
from practica.knowledge.forms import (
    AttachmentForm,
    CaptureForm,
    CollectionForm,
    CommentForm,
    EndorseForm,
    HelpfulForm,
    ItemForm,
    SettingsForm,
)
from practica.knowledge.models import ALL_KIND_FIELDS, KIND_FIELDS, KnowledgeItem, KnowledgeStatus
from practica.lib.diff import line_diff
from practica.lib.forms import add_service_errors
from practica.lib.http import flash_errors, render_page, signed_in_user
from practica.lib.ids import id_from
from practica.lib.uploads import accepts_uploads, upload_refusal


def _item(request: HttpRequest, item_id: int, slug: str | None = None) -> tuple[KnowledgeItem, Any]:
    return selectors.item_get_for_user(item_id=item_id, user=request.user, slug=slug)


@require_GET
def item_list(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    # The API's filters (a query that does not parse lists the published items here, and answers 400 there).
    filterset = ItemFilterSet(request.GET or None, request=request, community=community, access=access)
    form, items = filterset.form, filterset.qs
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    context = {
        "community": community,
        "access": access,
        "form": form,
        "page": page,
        "topics": community.topics.order_by("name"),
        "collections": selectors.collections_list(community=community),
        "review_count": selectors.review_queue(community=community).count() if permissions.may_review(access) else None,
        "rights": permissions.rights(access),
    }
    return render_page(request, "knowledge/item_list.html", context, partial="knowledge/_item_results.html")


def _fields_of(data: dict[str, Any]) -> dict[str, str]:
    return {name: data.get(name, "") for name in ALL_KIND_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    if not permissions.may_write(access):
        messages.info(request, permissions.may_write.message)
        return redirect(community)
    form = ItemForm(request.POST or None, initial={"kind": request.GET.get("kind", "lesson-learned")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_create(
                community=community, author=signed_in_user(request), kind=data["kind"], title=data["title"],
                summary=data["summary"], body=data["body"], tags=data["tags"], fields=_fields_of(data),
                submit=request.POST.get("submit") == "1",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Submitted for review." if item.status == "in-review" else "Draft saved.")
            return redirect(item.get_absolute_url())
    return render(
        request,
        "knowledge/item_form.html",
        {"community": community, "access": access, "form": form, "kind_fields": KIND_FIELDS, "item": None},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def item_detail(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    item, access = _item(request, item_id, slug)
    if item.status in permissions.READABLE and services.view_record(item=item, user=request.user):
        item.view_count += 1
    page = selectors.item_page(item=item, access=access)
    context = {
        "community": item.community,
        "access": access,
        "item": item,
        "page": page,
        "endorse_form": EndorseForm(),
        "helpful_form": HelpfulForm(),
        "review_form": CommentForm(),
        "attachment_form": AttachmentForm(),
        "can_review": page.can_review,
        "can_submit": page.can_submit,
        "can_participate": page.can_participate,
    }
    return render(request, "knowledge/item.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    item, access = _item(request, item_id, slug)
    permissions.may_edit.require(item, access)
    initial = {
        "kind": item.kind, "title": item.title, "summary": item.summary, "body": item.body_source,
        "tags": ", ".join(t.name for t in item.tags.order_by("name")),
        **{name: getattr(item, name) for name in ALL_KIND_FIELDS},
    }
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.item_update(
                item=item, editor=signed_in_user(request), kind=data["kind"], title=data["title"], summary=data["summary"],
                body=data["body"], tags=data["tags"], fields=_fields_of(data), note=data["note"],
            )
            if request.POST.get("submit") == "1":
                services.item_submit(item=item, actor=signed_in_user(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Submitted for review." if request.POST.get("submit") == "1" else "Saved.")
            return redirect(item.get_absolute_url())
    return render(
        request,
        "knowledge/item_form.html",
        {"community": item.community, "access": access, "form": form, "kind_fields": KIND_FIELDS, "item": item},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def item_submit(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    item, _access = _item(request, item_id, slug)
    try:
        services.item_submit(item=item, actor=signed_in_user(request), comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Submitted for review: the coordinators and core members are told.")
    return redirect(item.get_absolute_url())


@login_required
@require_POST
def item_review(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    item, _access = _item(request, item_id, slug)
    form = CommentForm(request.POST)
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    try:
        services.item_review(
            item=item, reviewer=signed_in_user(request), approve=approve, comment=form.cleaned_data.get("comment", "")
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Approved and published." if approve else "Returned to its authors with your comments.")
    return redirect(item.get_absolute_url())


@login_required
@require_POST
def item_steward(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """Re-verify, archive, or bring back from the archive (stewardship)."""
    item, _access = _item(request, item_id, slug)
    action = request.POST.get("action", "")
    try:
        if action == "verify":
            item = services.item_verify(item=item, actor=signed_in_user(request))
            messages.success(request, f"Re-verified: the next review is due on {item.review_due:%d %B %Y}.")
        elif action == "archive":
            services.item_archive(item=item, actor=signed_in_user(request))
            messages.success(request, "Archived.")
        elif action == "unarchive":
            item = services.item_unarchive(item=item, actor=signed_in_user(request))
            if item.status == KnowledgeStatus.PUBLISHED:
                due = f"{item.review_due:%d %B %Y}"
                messages.success(request, f"Back in the knowledge base: the next review is due on {due}.")
            else:
                messages.success(request, "Back among the drafts: it was never published, so it needs a review first.")
        else:
            raise ValidationError({"action": ["Choose verify, archive or unarchive."]})
    except ValidationError as exc:
        flash_errors(request, exc)
    if request.POST.get("next") == "queue":
        return redirect("knowledge:stewardship", slug=item.community.slug)
    return redirect(item.get_absolute_url())


@login_required
@require_POST
def endorse(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    item, _access = _item(request, item_id, slug)
    if request.POST.get("withdraw") == "1":
        services.endorsement_withdraw(item=item, user=signed_in_user(request))
        messages.success(request, "Endorsement withdrawn.")
        return redirect(f"{item.get_absolute_url()}#endorsements")
    form = EndorseForm(request.POST)
    form.is_valid()
    try:
        services.endorse(item=item, user=signed_in_user(request), comment=form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "You endorse this item.")
    return redirect(f"{item.get_absolute_url()}#endorsements")


@login_required
@require_POST
def helpful(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    item, _access = _item(request, item_id, slug)
    form = HelpfulForm(request.POST)
    form.is_valid()
    try:
        services.helpful_mark(item=item, user=signed_in_user(request), note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Thank you: marked as helpful.")
    return redirect(f"{item.get_absolute_url()}#helpful")


@require_GET
def versions(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    item, access = _item(request, item_id, slug)
    page = selectors.item_page(item=item, access=access)
    numbers = [v.number for v in page.versions]
    diff = None
    old = new = None
    asked = [request.GET.get(key) for key in ("a", "b") if request.GET.get(key)]
    a, b = id_from(request.GET.get("a")) or 0, id_from(request.GET.get("b")) or 0
    if asked and not (a and b):  # a version named that cannot exist (not a number, past 64 bits)
        raise Http404("No such version.")
    if a and b:
        old, new = selectors.version_get(item=item, number=a), selectors.version_get(item=item, number=b)
        diff = line_diff(old.as_text(), new.as_text())
    elif len(numbers) >= 2:
        a, b = numbers[1], numbers[0]
    return render(
        request,
        "knowledge/versions.html",
        {"community": item.community, "access": access, "item": item, "page": page, "diff": diff, "old": old,
         "new": new, "a": a, "b": b},
    )


@login_required
@require_POST
def restore(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    item, _access = _item(request, item_id, slug)
    try:
        number = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, "Choose a version to restore.")
        return redirect("knowledge:versions", slug=item.community.slug, item_id=item.pk)
    try:
        version = services.version_restore(item=item, actor=signed_in_user(request), number=number)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("knowledge:versions", slug=item.community.slug, item_id=item.pk)
    messages.success(request, f"Version {number} restored as version {version.number}.")
    return redirect(item.get_absolute_url())


@accepts_uploads("KNOWLEDGE_MAX_UPLOAD_MB")
@login_required
@require_POST
def attachment_upload(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    item, _access = _item(request, item_id, slug)
    form = AttachmentForm(request.POST, request.FILES)
    refusal = upload_refusal(request)  # the file passed the limit while it arrived and was dropped
    if refusal:
        messages.error(request, refusal)
        return redirect(f"{item.get_absolute_url()}#attachments")
    if not form.is_valid():
        messages.error(request, "Choose a file to attach.")
        return redirect(f"{item.get_absolute_url()}#attachments")
    upload = form.cleaned_data["file"]
    try:
        attachment = services.attachment_add(item=item, actor=signed_in_user(request), stream=upload, name=upload.name or "")
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"Attached {attachment.name}.")
    return redirect(f"{item.get_absolute_url()}#attachments")


@require_GET
def attachment_download(request: HttpRequest, attachment_id: int, name: str) -> HttpResponseBase:
    attachment, _access = selectors.attachment_get_for_user(attachment_id=attachment_id, user=request.user)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing from the storage.") from None
    inline = attachment.content_type in ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")
    response = FileResponse(handle, as_attachment=not inline, filename=attachment.name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment, _access = selectors.attachment_get_for_user(attachment_id=attachment_id, user=request.user)
    services.attachment_delete(attachment=attachment, actor=signed_in_user(request))
    messages.success(request, "File removed.")
    return redirect(f"{attachment.item.get_absolute_url()}#attachments")


@login_required
@require_http_methods(["GET", "POST"])
def stewardship(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    permissions.may_steward.require(access)
    settings_form = SettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"review_months": services.review_months(community)},
    )
    if request.method == "POST" and settings_form.is_valid():
        try:
            services.settings_update(
                community=community, actor=signed_in_user(request), review_months=settings_form.cleaned_data["review_months"]
            )
        except ValidationError as exc:
            add_service_errors(settings_form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("knowledge:stewardship", slug=community.slug)
    context = {
        "community": community,
        "access": access,
        "in_review": selectors.review_queue(community=community),
        "due": selectors.stewardship_queue(community=community),
        "settings_form": settings_form,
        "rights": permissions.rights(access),
    }
    return render(request, "knowledge/stewardship.html", context, status=400 if settings_form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def capture(request: HttpRequest, slug: str, thread_id: int) -> HttpResponse:
    thread, access = discussion_selectors.thread_get_for_user(thread_id=thread_id, user=request.user, slug=slug)
    form = CaptureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.capture_from_thread(user=signed_in_user(request), thread=thread, kind=form.cleaned_data["kind"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "A draft is ready: edit it, then submit it for review.")
            return redirect("knowledge:edit", slug=item.community.slug, item_id=item.pk)
    if not selectors.user_may_capture(thread=thread, user=request.user):
        raise PermissionDenied(permissions.may_capture.message)
    return render(
        request,
        "knowledge/capture.html",
        {"community": thread.community, "access": access, "thread": thread, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def collection_list(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    return render(
        request,
        "knowledge/collections.html",
        {"community": community, "access": access, "collections": selectors.collections_list(community=community),
         "rights": permissions.rights(access), "form": CollectionForm()},
    )


@login_required
@require_POST
def collection_create(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    form = CollectionForm(request.POST)
    if form.is_valid():
        try:
            collection = services.collection_create(
                community=community, actor=signed_in_user(request), title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Collection created: add items to it.")
            return redirect(collection.get_absolute_url())
    return render(
        request,
        "knowledge/collections.html",
        {"community": community, "access": access, "collections": selectors.collections_list(community=community),
         "rights": permissions.rights(access), "form": form},
        status=400,
    )


@require_GET
def collection_detail(request: HttpRequest, slug: str, collection_id: int) -> HttpResponse:
    collection, access = selectors.collection_get_for_user(collection_id=collection_id, slug=slug, user=request.user)
    items = selectors.collection_items(collection=collection, access=access)
    candidates: Any = []
    if permissions.may_curate(access):
        candidates = selectors.collection_candidates(collection=collection, exclude={i.id for i in items})
    return render(
        request,
        "knowledge/collection.html",
        {"community": collection.community, "access": access, "collection": collection, "items": items,
         "candidates": candidates, "rights": permissions.rights(access)},
    )


@login_required
@require_POST
def collection_edit(request: HttpRequest, slug: str, collection_id: int) -> HttpResponse:
    collection, _access = selectors.collection_get_for_user(collection_id=collection_id, slug=slug, user=request.user)
    action = request.POST.get("action", "")
    item_id = id_from(request.POST.get("item")) or 0  # not a number, or past 64 bits: names no item
    try:
        if action == "add":
            item = selectors.community_item(community=collection.community, item_id=item_id)
            if item is None:
                raise ValidationError({"item": ["Choose a published item of this community."]})
            services.collection_add(collection=collection, actor=signed_in_user(request), item=item)
        elif action in ("up", "down"):
            services.collection_move(collection=collection, actor=signed_in_user(request), item_id=item_id, up=action == "up")
        elif action == "remove":
            services.collection_remove(collection=collection, actor=signed_in_user(request), item_id=item_id)
        elif action == "delete":
            services.collection_delete(collection=collection, actor=signed_in_user(request))
            messages.success(request, "Collection deleted.")
            return redirect("knowledge:collections", slug=collection.community.slug)
        else:
            raise ValidationError({"action": ["Unknown action."]})
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect(collection.get_absolute_url())

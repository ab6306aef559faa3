"""Coordinators import a dump into their community from the pages; the job page shows progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from practica.communities.models import Community
from practica.communities.selectors import Access, community_get_allowed
from practica.importers import selectors, services
from practica.importers.forms import ImportUploadForm
from practica.importers.permissions import IMPORT
from practica.importers.progress import progress_get
from practica.lib.forms import add_service_errors
from practica.lib.http import render_page
from practica.lib.uploads import accepts_uploads, upload_refusal


def _coordinated(request: HttpRequest, slug: str) -> tuple[Community, Access]:
    return community_get_allowed(slug=slug, user=request.user, rule=IMPORT)


@accepts_uploads("IMPORT_MAX_UPLOAD_MB")
@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _coordinated(request, slug)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    refusal = upload_refusal(request)  # the archive passed the limit while it arrived and was dropped
    if refusal:
        form.is_valid()
        form.errors["upload"] = form.error_class([refusal])
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            job = services.import_job_create(
                community=community,
                actor=request.user,  # type: ignore[arg-type]
                upload=form.cleaned_data["upload"],
                site=form.cleaned_data["site"],
                until=form.cleaned_data["until"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            job.refresh_from_db(fields=["status"])  # the immediate task backend has run it already
            messages.success(request, "The import is queued." if job.status == "queued" else "Import finished.")
            return redirect("importers:job", slug=community.slug, job_id=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "importers/start.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "jobs": [services.import_job_check(job=job) for job in selectors.import_jobs(community=community)[:20]],
            "max_mb": settings.IMPORT_MAX_UPLOAD_MB,
        },
        status=status,
    )


@login_required
@require_GET
def import_job(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    community, access = _coordinated(request, slug)
    job = services.import_job_check(job=selectors.import_job_get(community=community, job_id=job_id))
    progress = progress_get(job.pk) if job.status in ("queued", "running") else {}
    share = (progress.get("done", 0) / progress["total"]) if progress.get("total") else 0
    context = {"community": community, "access": access, "job": job, "progress": progress, "share": share}
    return render_page(request, "importers/job.html", context, partial="importers/_job_status.html")




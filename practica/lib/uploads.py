"""Upload size limits enforced while the request arrives, not after it has been stored.

Django writes every uploaded file to a temporary file (or memory) before the view runs, so a check in the view
or the service comes after a 300 MB body has been received and written. Two guards run earlier:

* ``UploadSizeMiddleware`` answers 413 from the ``Content-Length`` header alone, before anything reads the body
  (it sits before every middleware that reads ``request.POST``);
* ``LimitedUploadHandler``, first of ``FILE_UPLOAD_HANDLERS``, counts the file bytes as they stream in and
  skips the file once they pass the limit (a body without, or with a lying, ``Content-Length``): the temporary
  file is deleted, the other fields still arrive (the CSRF token among them), and the view reads
  ``upload_refusal(request)`` to answer with a clear message.

A view that takes files names the setting (in MB) that bounds them: ``@accepts_uploads("KNOWLEDGE_MAX_UPLOAD_MB")``
on a function view, ``upload_limit_setting = "..."`` on an API view. Every other view (the admin's forms
included) gets ``DEFAULT_UPLOAD_SETTING``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

# The size of an ordinary attachment: the limit of views that do not name their own.
DEFAULT_UPLOAD_SETTING = "KNOWLEDGE_MAX_UPLOAD_MB"
# Room in a body for the form's other fields (Django bounds them by DATA_UPLOAD_MAX_MEMORY_SIZE) and the
# multipart headers, above the file limit, before the Content-Length alone refuses it.
MULTIPART_OVERHEAD = 64 * 1024
BODY_METHODS = ("POST", "PUT", "PATCH")

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., Any])


def accepts_uploads(setting_name: str) -> Callable[[ViewFunction], ViewFunction]:
    """Mark a function view as taking files of up to ``settings.<setting_name>`` MB (in all)."""

    def mark(view: ViewFunction) -> ViewFunction:
        view.upload_limit_setting = setting_name  # type: ignore[attr-defined]
        return view

    return mark


def _setting_of(view: Any) -> str:
    for holder in (view, getattr(view, "cls", None), getattr(view, "view_class", None)):
        name = getattr(holder, "upload_limit_setting", None)
        if name:
            return str(name)
    return DEFAULT_UPLOAD_SETTING


def _limit_setting(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return DEFAULT_UPLOAD_SETTING
    return _setting_of(match.func)


def _megabytes(setting_name: str) -> float:
    return float(getattr(settings, setting_name))


def upload_limit_bytes(request: HttpRequest) -> int:
    """How many bytes of files this request's view accepts in all."""
    return int(_megabytes(_limit_setting(request)) * 2**20)


def _limit_text(request: HttpRequest) -> str:
    value = _megabytes(_limit_setting(request))
    return f"{value:g} MB"


def too_large_message(request: HttpRequest, size: int | None = None) -> str:
    if size is None:
        return f"The file is too large: the limit is {_limit_text(request)}."
    return f"The upload is too large ({size / 2**20:.1f} MB): the limit is {_limit_text(request)}."


def upload_refusal(request: Any) -> str:
    """Why a file of this request was dropped while it arrived ("" when none was); read it after the body."""
    return str(getattr(request, "_upload_refusal", "") or "")  # a DRF Request hands this on to Django's


class LimitedUploadHandler(FileUploadHandler):
    """Counts the bytes of the request's files and skips the file that passes the view's limit."""

    def handle_raw_input(
        self, input_data: Any, META: dict[str, Any], content_length: int, boundary: str, encoding: str | None = None
    ) -> None:
        assert self.request is not None
        self.limit = upload_limit_bytes(self.request)
        self.received = 0
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            assert self.request is not None
            self.request._upload_refusal = too_large_message(self.request)  # type: ignore[attr-defined]
            raise SkipFile()  # Django closes (and so deletes) the temporary file and reads past this one
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers (memory, temporary file) hold the file


class UploadSizeMiddleware:
    """413 for a body whose Content-Length is beyond what the view accepts, before the body is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in BODY_METHODS:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0  # Django reads no body without a valid length
            allowed = upload_limit_bytes(request) + int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) + MULTIPART_OVERHEAD
            if length > allowed:
                message = too_large_message(request, length)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=413)
                return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

"""REST API for imports, as the import pages show them (coordinators): a community's import jobs, one job with its
progress and summary, and starting one by uploading a dump archive (multipart ``upload``); the import runs in the
job runner, as from the page."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from practica.communities.api.permissions import CommunityScoped, allows
from practica.importers import selectors, services
from practica.importers.models import ImportJob
from practica.importers.permissions import IMPORT
from practica.importers.progress import progress_get
from practica.lib.api.parsers import BoundedJSONParser
from practica.lib.api.requests import validated_data
from practica.lib.uploads import upload_refusal

JOBS_SHOWN = 20  # as many as the import page lists


class ImportStatsSerializer(serializers.Serializer):
    """What a finished import did: rows created, already there, skipped (by reason) and read, by kind."""

    created = serializers.DictField(child=serializers.IntegerField())
    existing = serializers.DictField(child=serializers.IntegerField())
    skipped = serializers.DictField(child=serializers.IntegerField())
    read = serializers.DictField(child=serializers.IntegerField())
    seconds = serializers.FloatField()
    step_seconds = serializers.DictField(child=serializers.FloatField())


class ImportProgressSerializer(serializers.Serializer):
    """How far a running import is: the file being read, rows done of the total."""

    file = serializers.CharField(required=False)
    done = serializers.IntegerField(required=False)
    total = serializers.IntegerField(required=False)


class ImportJobSerializer(serializers.ModelSerializer):
    """One import: its source and site, status, when it ran, by whom, its summary (``stats``) or ``error``."""

    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    stats = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id", "source", "site", "status", "until", "created_by", "created_at", "started_at", "finished_at",
            "stats", "error",
        ]

    @extend_schema_field(ImportStatsSerializer(allow_null=True))
    def get_stats(self, obj: ImportJob) -> dict[str, Any] | None:
        """The summary, or null while the job has none (queued, running, failed)."""
        return obj.stats or None


class ImportJobDetailSerializer(ImportJobSerializer):
    """A job with its live progress while it is queued or running (empty otherwise)."""

    progress = serializers.SerializerMethodField()

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "progress"]

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, obj: ImportJob) -> dict[str, Any]:
        if obj.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
            return {}
        return {k: v for k, v in progress_get(obj.pk).items() if k in ("file", "done", "total")}


class ImportUploadSerializer(serializers.Serializer):
    upload = serializers.FileField(help_text="A .zip or .7z of one Stack Exchange site's dump folder.")
    site = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    until = serializers.DateField(required=False, allow_null=True, default=None)


class ImportJobViewSet(CommunityScoped, viewsets.GenericViewSet):
    """A community's imports (coordinators): the latest jobs, one job, and a new one from an uploaded archive."""

    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()
    permission_classes = [IsAuthenticated, allows(IMPORT)]
    pagination_class = None
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]
    upload_limit_setting = "IMPORT_MAX_UPLOAD_MB"  # the archive stops being received past it (lib/uploads.py)

    def list(self, request: Request, slug: str) -> Response:
        jobs = [services.import_job_check(job=job) for job in selectors.import_jobs(community=self.community)[:JOBS_SHOWN]]
        return Response(ImportJobSerializer(jobs, many=True).data)

    @extend_schema(responses=ImportJobDetailSerializer)
    def retrieve(self, request: Request, slug: str, job_id: int) -> Response:
        job = services.import_job_check(job=selectors.import_job_get(community=self.community, job_id=job_id))
        return Response(ImportJobDetailSerializer(job).data)

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses={201: ImportJobDetailSerializer})
    def create(self, request: Request, slug: str) -> Response:
        request.data  # noqa: B018  (reads the body: an archive over the limit is dropped while it arrives)
        refusal = upload_refusal(request)
        if refusal:
            raise serializers.ValidationError({"upload": [refusal]})
        data = validated_data(ImportUploadSerializer, request)
        job = services.import_job_create(
            community=self.community, actor=request.user,  # type: ignore[arg-type]
            upload=data["upload"], site=data["site"], until=data["until"],
        )
        job.refresh_from_db()  # the immediate task backend has run it already
        return Response(ImportJobDetailSerializer(job).data, status=status.HTTP_201_CREATED)

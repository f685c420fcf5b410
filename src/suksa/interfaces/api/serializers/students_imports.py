"""Learner imports as jobs: the upload, the job (status, progress, result) and the export query."""

from __future__ import annotations

from rest_framework import serializers

from suksa.core import jobs
from suksa.core.models import Job
from suksa.interfaces.api.errors import ErrorItemSerializer


class StudentImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A DMC-style .csv (UTF-8 or TIS-620) or .xlsx file; the header is row 1."
    )
    keep_valid = serializers.BooleanField(
        default=False,
        help_text="Write the valid rows even when some rows have problems (default: all or nothing).",
    )


class JobAcceptedSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.CharField(help_text="Where to follow the job: GET /api/v1/jobs/<job_id>/.")


class ImportResultSerializer(serializers.Serializer):
    file = serializers.CharField()
    rows_read = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected_rows = serializers.IntegerField()
    problem_count = serializers.IntegerField()
    claims = serializers.IntegerField(help_text="Duplicate claims opened (keep_valid only).")
    committed = serializers.BooleanField(help_text="False when nothing was written.")
    kept_valid_rows = serializers.BooleanField()
    problems = ErrorItemSerializer(many=True, help_text="The first 20,000 problems.")


class JobSerializer(serializers.ModelSerializer):
    progress_done = serializers.SerializerMethodField()
    progress_total = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    result = serializers.JSONField(help_text="For students.import: the import report (see ImportResult).")

    class Meta:
        model = Job
        fields = [
            "id", "kind", "status", "progress_done", "progress_total", "percent", "message_th", "message_en",
            "result", "created_at", "started_at", "finished_at",
        ]  # fmt: skip

    def get_progress_done(self, job: Job) -> int:
        return jobs.progress_of(job)[0]

    def get_progress_total(self, job: Job) -> int | None:
        return jobs.progress_of(job)[1]

    def get_percent(self, job: Job) -> int | None:
        return jobs.percent_of(job)


class RegisterQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        min_value=2400,
        max_value=2800,
        help_text="Academic year (BE); default: the current one.",
    )

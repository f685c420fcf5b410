"""Bulk imports: the upload form and the import report (what was written, every bad row)."""

from __future__ import annotations

from rest_framework import serializers

from suksa.interfaces.api.errors import ErrorItemSerializer


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A .csv (UTF-8 or TIS-620) or .xlsx file; the header is row 1.")
    keep_valid = serializers.BooleanField(
        default=False,
        help_text="Write the valid rows even when some rows have problems (default: all or nothing).",
    )


class ImportReportSerializer(serializers.Serializer):
    file = serializers.CharField()
    rows_read = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected_rows = serializers.IntegerField()
    committed = serializers.BooleanField(help_text="False when nothing was written.")
    kept_valid_rows = serializers.BooleanField()
    problems = ErrorItemSerializer(many=True)

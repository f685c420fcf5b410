"""Turn domain errors into bilingual API responses (filled in by the API module)."""

from rest_framework.views import exception_handler as drf_exception_handler

exception_handler = drf_exception_handler

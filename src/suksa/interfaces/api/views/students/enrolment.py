"""Students api: enrolment (placeholder until the slice lands)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

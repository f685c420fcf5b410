"""Cockpit pages (placeholder: filled in by the cockpit work of issue 6)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

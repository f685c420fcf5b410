"""Monitoring (e-MES) API: status (placeholder until its slice lands)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

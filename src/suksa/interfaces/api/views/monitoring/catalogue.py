"""Monitoring (e-MES) API: catalogue (placeholder until its slice lands)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Monitoring (e-MES) pages: catalogue (placeholder until its slice lands)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

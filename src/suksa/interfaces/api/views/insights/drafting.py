"""Insights API: drafting (placeholder until its slice lands)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Insights web pages: cases (placeholder until its slice lands)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

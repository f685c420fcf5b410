"""Insights web pages: schools (placeholder until its slice lands)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Students api: census (placeholder until the slice lands)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

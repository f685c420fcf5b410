"""Fixtures for the API tests: clients authenticated by token as any persona of the test world."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import World


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    # Throttle counters live in the cache, which outlives a test; each test starts at zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_as(world: World) -> Callable[..., APIClient]:
    """``client_as("sysadmin")``: an API client sending that persona's token (``None``: anonymous)."""

    def make(persona: str | None, language: str = "th", **headers: Any) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE=language, **headers)
        if persona is not None:
            token, _ = Token.objects.get_or_create(user=world.user(persona))
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE=language)
        return client

    return make

"""Architecture rules checked on every run, beyond what import-linter checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps

SRC = Path(__file__).resolve().parent.parent / "src" / "suksa"


def suksa_models() -> list[type]:
    return [m for m in apps.get_models() if m.__module__.startswith("suksa.")]


@pytest.mark.parametrize("model", suksa_models(), ids=lambda m: m._meta.label)
def test_every_model_declares_personal_data_and_retention(model: type) -> None:
    """PDPA by design: each model's docstring says what personal data it holds and how long it is kept."""
    doc = (model.__doc__ or "").lower()
    assert "personal data" in doc, f"{model._meta.label}: docstring must state its personal data"
    assert re.search(r"retention|kept", doc), f"{model._meta.label}: docstring must state its retention"


def test_there_are_models_to_check() -> None:
    labels = {m._meta.label for m in suksa_models()}
    assert {"core.OrgUnit", "core.School", "core.AuditEntry", "accounts.User"} <= labels


def test_only_config_env_reads_the_environment() -> None:
    """Settings are boring: one module reads os.environ (docs/adr/0001)."""
    offenders = [
        str(p.relative_to(SRC.parent.parent))
        for p in SRC.rglob("*.py")
        if re.search(
            r"os\.environ(?!\.setdefault\(\"DJANGO_SETTINGS_MODULE\")|os\.getenv", p.read_text("utf-8")
        )
        and "/tests/" not in str(p)
        and "/cli/" not in str(p)
    ]
    assert offenders == []


def test_analytics_has_no_django() -> None:
    for p in (SRC / "analytics").rglob("*.py"):
        assert "django" not in p.read_text("utf-8"), p

"""Shared fixtures of the insights tests: the tiny demo nation with its monitoring history.

``tiny_history`` builds what ``suksa demo --scale tiny`` makes (9 ESAs, 59 schools, six fiscal
years of reports, narratives, works and platform values, with the planted truth written to a
temporary data directory) and returns the open round (FY 2569, 12 months) and the last closed
12-month round. ``run_stages(round, only=[...])`` computes a run of those stages (and returns it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from suksa.demo.generator import generate
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.models.choices import RunTrigger
from suksa.domains.insights.services.run import run_round
from suksa.domains.monitoring.models import Round

SEED = 2569


@dataclass
class TinyHistory:
    current: Round  # FY 2569, 12 months (open)
    closed: Round  # FY 2568, 12 months (locked)
    data_dir: Path


@pytest.fixture
def tiny_history(db: None, settings: Any, tmp_path: Path) -> TinyHistory:
    settings.DATA_DIR = tmp_path
    generate(scale="tiny", seed=SEED, records="none", monitoring=True)
    rounds = Round.objects.select_related("framework")
    return TinyHistory(
        current=rounds.get(framework__fiscal_year=2569, months=12),
        closed=rounds.get(framework__fiscal_year=2568, months=12),
        data_dir=tmp_path,
    )


def run_stages(rnd: Round, only: list[str] | None = None, **parameters: Any) -> InsightRun:
    run = InsightRun.objects.create(round=rnd, trigger=RunTrigger.CLI, parameters=parameters)
    return run_round(run, only=only)

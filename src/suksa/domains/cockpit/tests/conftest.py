"""Shared fixtures of the cockpit tests.

``cockpit_tiny`` builds the tiny demo nation with its monitoring history (9 ESAs, 59 schools, six
fiscal years) and computes the open round's whole insights run, the ``cockpit`` stage included:
what ``make run`` shows at tiny scale. It is slow (the nation plus every stage): use it for a few
end-to-end tests; build Figure rows by hand for focused ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from suksa.demo.generator import generate
from suksa.domains.cockpit.models import Summary
from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.models.choices import RunTrigger
from suksa.domains.insights.services.run import run_round
from suksa.domains.monitoring.models import Round

SEED = 2569


@dataclass
class CockpitTiny:
    round: Round
    run: InsightRun
    summary: Summary
    data_dir: Path


def build_cockpit_tiny(data_dir: Path) -> CockpitTiny:
    generate(scale="tiny", seed=SEED, records="none", monitoring=True)
    rnd = Round.objects.select_related("framework").get(framework__fiscal_year=2569, months=12)
    run = run_round(InsightRun.objects.create(round=rnd, trigger=RunTrigger.CLI, parameters={}))
    return CockpitTiny(rnd, run, Summary.objects.get(run=run), data_dir)


@pytest.fixture
def cockpit_tiny(db: None, settings: Any, tmp_path: Path) -> CockpitTiny:
    settings.DATA_DIR = tmp_path
    return build_cockpit_tiny(tmp_path)

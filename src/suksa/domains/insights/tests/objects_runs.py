"""Objects of the runs slice for the route matrix: ones ESA-A users must not reach.

Runs are national computations: only national roles see their provenance, so any run is out of
reach of ESA A's users (404, like a missing run).
"""

from __future__ import annotations

from suksa.domains.insights.models import InsightRun
from suksa.domains.insights.models.choices import RunStatus, RunTrigger
from suksa.domains.monitoring.models import Round
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World


def b_run_id(world: World) -> int:
    """A completed run (computed over every ESA, ESA B included)."""
    rnd = Round.objects.filter(framework__fiscal_year=2569, code="m12").first() or round_of(
        make_framework(2569)
    )
    return InsightRun.objects.create(round=rnd, trigger=RunTrigger.CLI, status=RunStatus.DONE).pk

"""The demo's insights: computed once for the open round after the monitoring history is written,
so that the insights pages, alerts and briefs have content on the first start.

Runs :func:`suksa.domains.insights.services.hooks.run_in_process` as the system (trigger
``demo``) for the open round (FY 2569, 12 months). A stage that fails does not fail the demo: the
run is left failed, and the message says how to resume it (``suksa insights run --resume ID``).
``settings.SUKSA_DEMO_INSIGHTS = False`` (the test settings) skips it, so that tests of the demo
commands do not compute every stage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings

from suksa.core.policy import SYSTEM
from suksa.domains.insights.models.choices import RunStatus, RunTrigger
from suksa.domains.insights.services.hooks import run_in_process
from suksa.domains.monitoring.models import Round

DEMO_ROUNDS = ((2569, "m12"),)


def compute_demo_insights(progress: Callable[[str], Any]) -> dict[str, Any]:
    """Compute the insights of the demo's open round; returns {round key: {run, status, seconds}}."""
    out: dict[str, Any] = {}
    if not getattr(settings, "SUKSA_DEMO_INSIGHTS", True):
        return out
    for year, code in DEMO_ROUNDS:
        rnd = Round.objects.select_related("framework").filter(framework__fiscal_year=year, code=code).first()
        if rnd is None:
            continue
        progress(f"ข้อมูลเชิงลึก / insights {rnd.key}")
        started = time.perf_counter()

        def say(done: int, total: int | None, message: str) -> None:
            if message and total is not None and done < total:
                progress(f"  {message}")

        run = run_in_process(actor=SYSTEM, round=rnd, trigger=RunTrigger.DEMO, report=say)
        seconds = round(time.perf_counter() - started, 1)
        out[rnd.key] = {"run": run.pk, "status": run.status, "seconds": seconds}
        if run.status != RunStatus.DONE:
            progress(
                f"  คำนวณข้อมูลเชิงลึกไม่สำเร็จ ทำต่อด้วย suksa insights run --resume {run.pk} / "
                f"the insights run failed; resume it with suksa insights run --resume {run.pk}"
            )
    return out

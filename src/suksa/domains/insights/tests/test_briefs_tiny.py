"""The briefs stage on the tiny demo after every other stage: one traced draft per topic."""

from __future__ import annotations

import pytest

from suksa.domains.insights.models import Brief, BriefVersion
from suksa.domains.insights.services.briefs import TOPICS, compute_briefs
from suksa.domains.insights.services.data import load_round_data
from suksa.domains.insights.services.run import StageContext
from suksa.domains.insights.tests.conftest import TinyHistory, run_stages

pytestmark = pytest.mark.django_db


def test_briefs_from_a_full_run_of_the_tiny_demo(tiny_history: TinyHistory) -> None:
    run = run_stages(tiny_history.current)
    assert run.stages["briefs"]["status"] == "done", run.error
    versions = list(BriefVersion.objects.filter(brief__round=tiny_history.current).select_related("brief"))
    assert sorted(v.brief.topic for v in versions) == sorted(TOPICS)
    for v in versions:
        assert v.trace_ok, (v.brief.topic, v.trace["failures"])
        for finding in v.body["findings"]:
            for ref in finding["evidence"]:
                entry = v.numbers[ref]
                assert entry["source"].get("model"), ref
    assert Brief.objects.filter(round=tiny_history.current).count() == len(TOPICS)
    by_topic = {v.brief.topic: v for v in versions}
    assert all(by_topic[t].body["findings"] for t in TOPICS), "every topic has a finding on the tiny demo"
    assert {f["kind"] for f in by_topic["warnings"].body["findings"]} == {"alert"}
    assert by_topic["learning"].body["recommendations"]
    # The stage again over the same run writes nothing new: drafts change only when results do.
    ctx = StageContext(
        run=run, round=tiny_history.current, data=load_round_data(tiny_history.current), parameters={}
    )
    assert compute_briefs(ctx) == {"written": 0, "unchanged": len(TOPICS), "kept": 0, "trace_failed": 0}
    assert BriefVersion.objects.filter(brief__round=tiny_history.current).count() == len(TOPICS)

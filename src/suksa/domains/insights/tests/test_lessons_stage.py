"""The lessons stage: the narrative index, topics and practice findings; the pure effect method."""

from __future__ import annotations

import numpy as np
import pytest

from suksa.analytics import text as tx
from suksa.domains.insights import lexicon
from suksa.domains.insights.models import NarrativeDoc, PracticeFinding, Topic
from suksa.domains.insights.services import lessons
from suksa.domains.insights.services.data import Point
from suksa.domains.insights.tests.conftest import TinyHistory, run_stages
from suksa.domains.monitoring.models import NarrativeEntry, OutstandingWork, Report
from suksa.domains.monitoring.models.choices import ReportStatus


def _pts(values: list[float], start: int = 2563) -> list[Point]:
    return [
        Point(str(start + i), float(start + i), v, {"model": "core.IndicatorValue", "id": i})
        for i, v in enumerate(values)
    ]


class TestPracticeEffect:
    def test_a_practice_that_moves_its_adopters_is_found_and_the_interval_excludes_zero(self) -> None:
        rng = np.random.default_rng(1)
        adopters = list(1.0 + rng.normal(0, 0.3, 20))
        others = list(rng.normal(0, 0.3, 40))
        eff = lessons.practice_effect(adopters, others)
        assert eff.adopters == 20
        assert eff.others == 40
        assert eff.difference == pytest.approx(np.mean(adopters) - np.mean(others))
        assert eff.low is not None
        assert eff.high is not None
        assert eff.difference is not None
        assert 0 < eff.low < eff.difference < eff.high
        assert eff.p_value is not None
        assert eff.p_value < 0.001

    def test_no_difference_gives_an_interval_around_zero_and_a_large_p_value(self) -> None:
        rng = np.random.default_rng(2)
        eff = lessons.practice_effect(list(rng.normal(0, 1, 30)), list(rng.normal(0, 1, 30)))
        assert eff.low is not None
        assert eff.high is not None
        assert eff.low < 0 < eff.high
        assert eff.p_value is not None
        assert eff.p_value > 0.2

    def test_fewer_than_five_in_a_group_is_too_few(self) -> None:
        eff = lessons.practice_effect([1.0, 2.0, 3.0, 4.0], [0.0] * 10)
        assert (eff.difference, eff.p_value, eff.adopters, eff.others) == (None, None, 4, 10)
        assert lessons.verdict_of({"x": eff.as_dict()}) == "too_few"

    def test_same_seed_same_result(self) -> None:
        a, o = [1.0, 1.2, 0.8, 1.1, 0.9, 1.3], [0.1, -0.2, 0.0, 0.2, -0.1, 0.05]
        assert lessons.practice_effect(a, o) == lessons.practice_effect(a, o)

    def test_verdicts(self) -> None:
        base = {"difference": 1.0, "low": 0.5, "high": 1.5, "p_value": 0.001}
        assert lessons.verdict_of({"a": base | {"q_value": 0.01}}) == "linked"
        assert lessons.verdict_of({"a": base | {"q_value": 0.2}}) == "no_change"
        assert lessons.verdict_of({"a": base | {"q_value": 0.01, "low": -0.1}}) == "no_change"

    def test_benjamini_hochberg(self) -> None:
        assert lessons.benjamini_hochberg([0.01, 0.04, 0.03, 0.5]) == pytest.approx(
            [0.04, 0.16 / 3, 0.16 / 3, 0.5]
        )
        assert lessons.benjamini_hochberg([]) == []

    def test_theil_sen_and_unit_slopes_use_the_window_from_first_mention(self) -> None:
        assert lessons.theil_sen([1, 2, 3, 4, 5], [1, 3, 5, 7, 100]) == pytest.approx(2.0)
        assert lessons.theil_sen([1, 1], [1, 2]) is None
        series = {
            1: _pts([10, 10, 10, 11, 12, 13]),  # adopter from 2566: slope 1 from then on
            2: _pts([10, 10, 10, 10, 10, 10]),
            3: _pts([10, 11]),  # too few points
        }
        slopes = lessons.unit_slopes(series, {1: 2566.25}, {1: "2567/m6"})
        by = {s.esa_id: s for s in slopes}
        assert set(by) == {1, 2}
        assert by[1].adopter
        assert by[1].since == "2567/m6"
        assert by[1].slope == pytest.approx(1.0)
        assert [p[0] for p in by[1].points] == ["2566", "2567", "2568"]
        assert not by[2].adopter
        assert by[2].slope == 0.0
        assert by[2].points[0][2:] == ["core.IndicatorValue", 3]


@pytest.mark.django_db
class TestStageOnTinyHistory:
    def test_indexes_every_handed_in_text_with_practices_schools_topics_and_vectors(
        self, tiny_history: TinyHistory
    ) -> None:
        run = run_stages(tiny_history.current, only=["lessons"])
        assert run.stages["lessons"]["status"] == "done", run.error
        rnd = tiny_history.current
        handed = Report.objects.filter(
            status__in=lessons.HANDED_IN,
            round__framework__fiscal_year__lte=rnd.framework.fiscal_year,
            round__period_end__lte=rnd.period_end,
        )
        n_narr = NarrativeEntry.objects.filter(report__in=handed).exclude(text="").count()
        n_work = OutstandingWork.objects.filter(report__in=handed).count()
        docs = NarrativeDoc.objects.filter(run=run)
        assert docs.filter(source="narrative").count() == n_narr > 0
        assert docs.filter(source="work").count() == n_work > 0
        assert not docs.exclude(report__status__in=lessons.HANDED_IN).exists()
        assert run.stages["lessons"]["counts"]["docs"] == n_narr + n_work
        # A draft report's texts are not indexed.
        assert Report.objects.filter(round=rnd, status=ReportStatus.DRAFT).exists()
        doc = docs.filter(practices__isnull=False).exclude(practices=[]).first()
        assert doc is not None
        assert set(doc.practices) <= set(lexicon.PRACTICES)
        assert doc.vector_kind == "tfidf-hash"
        vec = tx.from_bytes(doc.vector, tx.DEFAULT_DIM)
        assert vec is not None
        assert np.linalg.norm(vec) == pytest.approx(1.0, abs=1e-5)
        # Schools named are codes of the ESA's own schools.
        named = [d for d in docs.exclude(schools=[]) if d.schools]
        assert named, "the demo's narratives name model schools"
        for d in named[:20]:
            from suksa.core.models import OrgUnit

            assert set(OrgUnit.objects.filter(code__in=d.schools).values_list("parent_id", flat=True)) == {
                d.esa_id
            }
        topics = list(Topic.objects.filter(run=run).order_by("number"))
        assert len(topics) == run.stages["lessons"]["counts"]["topics"] >= 2
        assert sum(t.size for t in topics) == docs.count()
        assert all(t.keywords and t.label_th for t in topics)
        assert set(docs.values_list("topic", flat=True)) == {t.number for t in topics}

    def test_practice_findings_have_verdicts_effects_and_evidence(self, tiny_history: TinyHistory) -> None:
        run = run_stages(tiny_history.current, only=["lessons"])
        findings = {f.key: f for f in PracticeFinding.objects.filter(run=run)}
        assert {"plc", "mentoring", "reading"} <= set(findings)
        for f in findings.values():
            assert f.verdict in ("linked", "no_change", "too_few")
            assert f.esa_count >= 1
            assert f.mention_count >= f.esa_count
            assert f.sentence_th
            assert f.sentence_en
            assert 1 <= len(f.evidence) <= lessons.EVIDENCE
            docs = NarrativeDoc.objects.filter(run=run, pk__in=[e["doc_id"] for e in f.evidence])
            assert all(f.key in d.practices for d in docs)
            assert docs.count() == len(f.evidence)
            for code, e in f.effects.items():
                assert code in lexicon.PRACTICES[f.key].outcomes
                assert e["adopters"] == sum(1 for u in e["units"] if u["adopter"])
                assert all(
                    p[2] in ("core.IndicatorValue", "monitoring.ReportValue")
                    for u in e["units"]
                    for p in u["points"]
                )
        # Nine ESAs: never enough adopters and others for a verdict other than too_few or no_change.
        assert findings["plc"].verdict in ("too_few", "no_change")

    def test_running_twice_writes_the_same_rows_once(self, tiny_history: TinyHistory) -> None:
        run = run_stages(tiny_history.current, only=["lessons"])
        first = sorted(
            NarrativeDoc.objects.filter(run=run).values_list(
                "source", "esa_id", "round_key", "topic", "keywords"
            )
        )
        run.stages = {}
        run.save(update_fields=["stages"])
        from suksa.domains.insights.services.run import run_round

        run_round(run, only=["lessons"])
        again = sorted(
            NarrativeDoc.objects.filter(run=run).values_list(
                "source", "esa_id", "round_key", "topic", "keywords"
            )
        )
        assert first == again

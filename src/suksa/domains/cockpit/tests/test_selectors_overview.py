"""The overview's reads: labels an executive reads, report status and alerts in scope, the latest
brief, movers of a region, parameter checks, and the whole overview on the tiny demo nation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from suksa.core.errors import InvalidInput, NotFoundOrNoAccess
from suksa.core.models import OrgUnit, Province
from suksa.core.policy import Actor
from suksa.domains.accounts.actors import actor_for
from suksa.domains.accounts.models import User
from suksa.domains.cockpit import selectors_overview as sel
from suksa.domains.cockpit.models import Figure, Level
from suksa.domains.cockpit.tests.conftest import CockpitTiny
from suksa.domains.insights.models import Alert, Brief, InsightRun
from suksa.domains.insights.models.choices import BriefStatus, DataQuality, RunStatus
from suksa.domains.monitoring.models import Report, Round
from suksa.domains.monitoring.models.choices import ReportStatus
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import World, make_user

BANGKOK = ZoneInfo("Asia/Bangkok")


def actor(user: User) -> Actor:
    return actor_for(user)


@pytest.fixture
def rnd(db: None) -> Round:
    return round_of(make_framework(2569), "m12")


def figure(run: InsightRun, **kw: object) -> Figure:
    return Figure(run=run, level=Level.NATION, indicator="x", period=str(kw.pop("period", "2568")), **kw)


# --- labels -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "kind", "th", "en"),
    [
        ("2568", "year", "ปีการศึกษา 2568", "academic year 2568"),
        ("2569", "fiscal_year", "ปีงบประมาณ 2569", "fiscal year 2569"),
        ("2569/m12", "round", "รอบ 12 เดือน ปีงบประมาณ 2569", "12-month round, fiscal year 2569"),
        ("2569/jun10", "census", "ข้อมูล ณ 10 มิ.ย. 2569", "as of 10 Jun 2569"),
        ("2569/year_end", "census", "ข้อมูล ณ สิ้นปีการศึกษา 2569", "as of year end 2569"),
        ("", "year", "", ""),
    ],
)
def test_period_label(period: str, kind: str, th: str, en: str) -> None:
    assert sel.period_label(period, kind) == (th, en)


def test_values_and_changes_in_words() -> None:
    assert sel.value_text(41.234, "score") == "41.23 คะแนน"
    assert sel.value_text(41.234, "score", "en") == "41.23 points"
    assert sel.value_text(12.34, "percent") == "12.3%"
    assert sel.value_text(1234.0, "persons") == "1,234 คน"
    assert sel.value_text(None, "percent") == "–"
    assert sel.change_text(-0.25, "percent") == "−0.2"
    assert sel.change_text(0.731, "score") == "+0.73"
    assert sel.change_text(None, "score") == "–"


@pytest.mark.django_db
def test_source_labels_name_the_office_and_the_period(rnd: Round) -> None:
    run = InsightRun(round=rnd)
    cat = sel.indicator_catalogue()
    onet = figure(run, source={"model": "core.IndicatorValue", "id": 5, "producer": "import:niets_onet"})
    assert sel.source_label(onet, cat["onet_mean_p6"]) == (
        "สทศ. ผลการทดสอบ O-NET (นำเข้า) ปีการศึกษา 2568",
        "NIETS O-NET results (imported), academic year 2568",
    )
    assert sel.source_ref(onet) == "core.IndicatorValue #5"
    reported = figure(run, period="2569/m12", source={"model": "monitoring.ReportValue", "id": 9})
    assert sel.source_label(reported, cat["supervision_coverage"]) == (
        "รายงานการติดตามของ สพท. (สพท. รายงาน) รอบ 12 เดือน ปีงบประมาณ 2569",
        "the ESAs' monitoring reports (reported by the ESAs), 12-month round, fiscal year 2569",
    )
    province = figure(run, source={"model": "cockpit.province", "esas": [1, 2], "coverage": 0.8})
    th, en = sel.source_label(province, cat["dropout_rate"])
    assert th == (
        "ค่าเฉลี่ยถ่วงน้ำหนักตามจำนวนนักเรียนของ สพท. ในจังหวัด (ครอบคลุม 80%) จากทะเบียนนักเรียนในระบบ ปีการศึกษา 2568"
    )
    assert en.startswith("learner-weighted mean of the province's ESAs (coverage 80%), from the platform's")
    assert sel.source_ref(province) == "cockpit.province · 2 สพท./ESAs"


# --- parameters and scope ---------------------------------------------------------------------


def test_parameter_checks_name_the_field() -> None:
    assert sel.check_level("") == "province"
    assert sel.check_level("esa") == "esa"
    with pytest.raises(InvalidInput) as bad:
        sel.check_level("school")
    assert bad.value.problems[0].field == "level"
    with pytest.raises(InvalidInput) as unknown:
        sel.check_indicator("nope", {})
    assert unknown.value.problems[0].field == "indicator"


def test_overview_scope_by_role(world: World) -> None:
    assert sel.overview_scope(actor(world.user("executive"))) is None
    assert sel.overview_scope(actor(world.user("inspector_r1"))) == world.region_1
    assert sel.overview_scope(actor(world.user("esa_director_a1"))) == world.esa_a1
    with pytest.raises(NotFoundOrNoAccess):
        sel.overview_scope(actor(world.user("teacher_a1_1")))


def test_unknown_round_is_invalid_input(world: World) -> None:
    with pytest.raises(InvalidInput) as bad:
        sel.overview(actor(world.user("executive")), scope=None, round_id=987654)
    assert bad.value.problems[0].field == "round"


# --- live counts ----------------------------------------------------------------------------------


def test_round_status_counts_on_time_by_the_local_due_day(world: World, rnd: Round) -> None:
    due = rnd.due_on
    last_minute = dt.datetime.combine(due, dt.time(23, 59), tzinfo=BANGKOK)
    just_late = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0, 1), tzinfo=BANGKOK)
    Report.objects.create(round=rnd, esa=world.esa_a1, status=ReportStatus.LOCKED, submitted_at=last_minute)
    Report.objects.create(round=rnd, esa=world.esa_a2, status=ReportStatus.IN_REVIEW, submitted_at=just_late)
    Report.objects.create(round=rnd, esa=world.esa_b1, status=ReportStatus.RETURNED, submitted_at=last_minute)
    st = sel.round_status(actor(world.user("executive")), rnd, today=due + dt.timedelta(days=2))
    assert st is not None
    assert (st.expected, st.received, st.on_time, st.late, st.missing, st.with_esa) == (3, 2, 1, 1, 1, 1)
    assert st.past_due
    assert st.completeness == pytest.approx(2 / 3)
    region = sel.round_status(actor(world.user("inspector_r1")), rnd)
    assert region is not None
    assert (region.expected, region.received, region.missing) == (2, 2, 0)
    own = sel.round_status(actor(world.user("esa_officer_b1")), rnd)
    assert own is not None
    assert (own.expected, own.received, own.missing) == (1, 0, 1)
    assert sel.round_status(actor(world.user("reviewer")), rnd) is None  # no report.view


def test_alert_counts_are_open_visible_and_in_the_round(world: World, rnd: Round) -> None:
    other = round_of(make_framework(2570), "m12")
    rows = [
        (rnd, world.esa_a1, "high", "new", DataQuality.OK, "below_target"),
        (rnd, world.esa_a1, "high", "action", DataQuality.OK, "deterioration"),
        (rnd, world.esa_b1, "medium", "acknowledged", DataQuality.OK, "below_target"),
        (rnd, world.esa_b1, "low", "resolved", DataQuality.OK, "deterioration"),
        (rnd, world.esa_a2, "high", "new", DataQuality.HELD, "below_target"),
        (other, world.esa_a1, "high", "new", DataQuality.OK, "below_target"),
    ]
    for r, unit, severity, status, quality, kind in rows:
        Alert.objects.create(round=r, unit=unit, kind=kind, severity=severity, status=status, quality=quality,
                             title_th="ท", title_en="t")  # fmt: skip
    executive = sel.alert_counts(actor(world.user("executive")), rnd)
    assert executive.cells == {"high": {"new": 1, "action": 1}, "medium": {"acknowledged": 1}}
    assert executive.total == 3
    assert executive.row_total("high") == 2
    me = sel.alert_counts(actor(world.user("me_officer")), rnd)  # sees held alerts
    assert me.cells["high"] == {"new": 2, "action": 1}
    inspector = sel.alert_counts(actor(world.user("inspector_r1")), rnd)
    assert inspector.cells == {"high": {"new": 1, "action": 1}}


def test_latest_brief_prefers_the_round_then_the_nation(world: World, rnd: Round) -> None:
    older = round_of(make_framework(2568), "m12")
    now = timezone.now()

    def brief(r: Round, unit: OrgUnit, topic: str, status: str, days: int) -> Brief:
        return Brief.objects.create(round=r, unit=unit, topic=topic, title_th=topic, title_en=topic, status=status,
                                    published_at=now - dt.timedelta(days=days))  # fmt: skip

    brief(older, world.nation, "old", BriefStatus.PUBLISHED, 0)
    brief(rnd, world.esa_a1, "esa", BriefStatus.PUBLISHED, 1)
    nation = brief(rnd, world.nation, "nation", BriefStatus.PUBLISHED, 5)
    brief(rnd, world.nation, "draft", BriefStatus.DRAFT, 0)
    executive = actor(world.user("executive"))
    assert sel.latest_brief(executive, rnd) == nation
    latest = sel.latest_brief(executive, None)
    assert latest is not None
    assert latest.topic == "old"
    assert sel.latest_brief(actor(world.user("me_officer")), rnd) == nation  # drafts never


def test_region_movers_keep_only_its_esas(world: World) -> None:
    def m(unit_id: int) -> dict[str, object]:
        return {"unit_id": unit_id, "code": str(unit_id), "change": 1.0}

    movers = {"dropout_rate": {"up": [m(world.esa_b1.pk), m(world.esa_a1.pk)], "down": [m(world.esa_a2.pk)]},
              "all": {"up": [m(world.esa_b1.pk)], "down": []}}  # fmt: skip
    region = sel.movers(movers, "dropout_rate", world.region_1)
    assert [x["unit_id"] for x in region["chosen"]["up"]] == [world.esa_a1.pk]
    assert [x["unit_id"] for x in region["chosen"]["down"]] == [world.esa_a2.pk]
    assert region["all"] == {"up": [], "down": []}
    nation = sel.movers(movers, "onet_mean_p6", None)
    assert nation["chosen"] == {"up": [], "down": []}
    assert len(nation["all"]["up"]) == 1


def test_before_any_run_the_overview_is_empty_not_an_error(world: World, rnd: Round) -> None:
    InsightRun.objects.create(round=rnd, status=RunStatus.DONE, is_current=True)
    ov = sel.overview(actor(world.user("executive")), scope=None, round_id=rnd.pk)
    assert ov.state.run is not None
    assert not ov.state.ready
    assert ov.cards == []
    assert ov.areas == []
    assert ov.status is not None


# --- end to end on the tiny demo nation -------------------------------------------------------


def test_the_tiny_nation_overview(cockpit_tiny: CockpitTiny) -> None:
    executive = make_user("cockpit_exec", "national_executive", _nation())
    ov = sel.overview(actor(executive), scope=None, round_id=cockpit_tiny.round.pk)
    keys = cockpit_tiny.summary.key_indicators
    assert keys
    assert [c.meta.code for c in ov.cards] == keys
    nation = {f.indicator: f for f in Figure.objects.filter(run=cockpit_tiny.run, level=Level.NATION)}
    assert [c.figure.value for c in ov.cards if c.figure] == [nation[k].value for k in keys]
    assert ov.indicator == keys[0]
    provinces = Figure.objects.filter(run=cockpit_tiny.run, level=Level.PROVINCE, indicator=keys[0])
    assert sorted(a.province_code for a in ov.areas) == sorted(
        provinces.values_list("province_id", flat=True)
    )
    assert ov.status is not None
    assert ov.status.expected == 9
    esa = sel.overview(actor(executive), scope=None, round_id=cockpit_tiny.round.pk, level="esa")
    offices = dict(
        Province.objects.filter(esa_offices__isnull=False).values_list("esa_offices__unit__code", "code")
    )
    assert esa.areas
    assert all(a.province_code == offices[a.key] for a in esa.areas)
    assert esa.movers["chosen"] == {
        way: (cockpit_tiny.summary.movers.get(keys[0]) or {}).get(way, [])[: sel.MOVERS_SHOWN]
        for way in ("up", "down")
    }


def _nation() -> OrgUnit:
    return OrgUnit.objects.get(kind="nation")

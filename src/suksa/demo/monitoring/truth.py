"""The planted ground truth of the synthetic monitoring history (what issue 5's evaluation scores).

``planted_truth(seed)`` recomputes it from the seed alone (the 245 ESAs of the national plan; pass
``esas`` for another scale and ``schools`` for the school-level part); ``truth_from_db(seed)`` does
the same for the ESAs and schools the database holds. The demo writes it, plus what only the run
knows (the label of every outstanding-work claim, the platform values it left alone), to
``DATA_DIR/demo/monitoring_truth.json``; :func:`read_truth` reads it back.

Sections (values in the catalogue's unit; slopes per academic year on the axis of
:func:`suksa.demo.monitoring.plan.tau`):

- ``esas``: type, region, region group, target area, diligence, enrolment growth per year;
- ``trends``: ``{indicator: {esa: slope}}`` for every pair that has values (0 = no trend);
  ``trend_components`` say where each non-national part comes from (``exogenous`` over the whole
  history, ``practice:<key>`` from the adoption year); ``national_trends`` is shared by every ESA;
- ``national_shocks`` (AY 2564 school closures) and ``shocks`` per ESA (``dip`` = that year only,
  ``step`` = from that year on), with the size per indicator;
- ``strong`` / ``weak``: ``{domain: [esa]}`` — every indicator of the domain is offset by
  ``offsets`` between-ESA standard deviations against peers of the same type, region group and
  small-school share;
- ``practices`` (effective or not, with their true effects), ``adoptions`` and ``buzz`` (popular
  practices without effect that an ESA names);
- ``decoys``: bad data planted in the platform history or in a report (``caught`` ones were
  corrected on return, the others remain);
- ``school_models``, ``deviant_schools`` (positive deviants: +7 O-NET points against their own
  expected level), ``decoy_schools`` (one year typed about 1.9× too high) and
  ``claimed_not_deviant`` (schools an ESA presents as a model that are not);
- ``reports``: per past round the ESAs that never submitted, that were late, that were returned
  once; the open round's state per ESA;
- ``generated`` (file only): ``works`` (every nomination's claim with its truth: supported /
  unsupported / no_data) and ``platform_values_kept`` (figures a real producer had already
  computed, left as they were).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from suksa.demo.monitoring.plan import (
    COVID_YEAR,
    FORMULA_VERSION,
    GENERATOR,
    PAST_ROUNDS,
    PLAN_VERSION,
    PRACTICES,
    REPORTED_SPECS,
    SCHOOL_DEVIANT_BOOST,
    SCHOOL_MODELS,
    SPECS,
    STRENGTH_DOMAINS,
    STRONG_OFFSET,
    WEAK_OFFSET,
    EsaKey,
    SchoolKey,
    _unit,
    applies,
    current_states,
    esa_traits,
    esas_of_scale,
    past_fate,
    round_key,
    school_group,
    school_plan,
    school_tests,
    target_areas,
    true_slope,
)

TRUTH_FILE = Path("demo") / "monitoring_truth.json"
OVERCLAIM_SHARE = 0.3


def truth_path() -> Path:
    """``DATA_DIR/demo/monitoring_truth.json``. Under a test run (Django's test environment is set
    up) a data directory outside the temporary directory is the developer's own: the file then
    goes to a temporary directory instead, so a test that runs ``suksa demo`` never replaces the
    truth of the developer's demo."""
    from django.conf import settings
    from django.core import mail

    base = Path(settings.DATA_DIR)
    temp = Path(tempfile.gettempdir()).resolve()
    if hasattr(mail, "outbox") and not base.resolve().is_relative_to(temp):
        base = temp / "suksa-test-data"
    return base / TRUTH_FILE


def write_truth(truth: dict[str, Any], path: Path | None = None) -> Path:
    path = path or truth_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    return path


class TruthMismatch(Exception):
    """The truth file was written for another demo database (e.g. a later ``suksa demo``)."""

    th = "ไฟล์ความจริงที่ฝังไว้ไม่ตรงกับฐานข้อมูลนี้ ใช้ suksa demo --replace เพื่อสร้างใหม่"
    en = "The planted-truth file belongs to another demo database; run suksa demo --replace again"

    def __str__(self) -> str:
        return f"{self.th} / {self.en}"


def history_id() -> str | None:
    """The id of the synthetic history the database holds (kept with its indicator runs)."""
    from suksa.core.models import IndicatorRun

    params = (
        IndicatorRun.objects.filter(parameters__generator=GENERATOR)
        .order_by("-pk")
        .values_list("parameters", flat=True)
        .first()
    )
    return params.get("history") if isinstance(params, dict) else None


def read_truth(path: Path | None = None, *, check: bool = False) -> dict[str, Any]:
    """The truth file; with ``check``, refuse one written for another database."""
    data: dict[str, Any] = json.loads((path or truth_path()).read_text(encoding="utf-8"))
    if check and data.get("history") != history_id():
        raise TruthMismatch()
    return data


def _main_test(school: SchoolKey) -> str | None:
    tests = [code for code, takers in school_tests(school) if takers >= 5]
    return tests[0] if tests else None


def claimed_schools(seed: int, esa: str, schools: Sequence[SchoolKey]) -> list[tuple[str, str, bool, str]]:
    """The schools an ESA presents as models: (school code, model, truly deviant, O-NET cited).
    Up to two of its positive deviants and, for some ESAs, one school that is not one."""
    out: list[tuple[str, str, bool, str]] = []
    deviants = [(s, school_plan(seed, s)) for s in schools]
    ranked = sorted((s for s, p in deviants if p.deviant), key=lambda s: _unit(seed, "model", s.code))
    for s in ranked[:2]:
        test = _main_test(s)
        plan = school_plan(seed, s)
        if test and plan.deviant:
            out.append((s.code, plan.deviant, True, test))
    if _unit(seed, "overclaim", esa) < OVERCLAIM_SHARE:
        others = [s for s, p in deviants if not p.deviant and p.decoy_year is None and _main_test(s)]
        if others:
            s = min(others, key=lambda s: _unit(seed, "overclaim-school", s.code))
            model = next(m.key for m in SCHOOL_MODELS if m.group == school_group(s))
            out.append((s.code, model, False, _main_test(s) or ""))
    return out


def school_truth(seed: int, schools: Sequence[SchoolKey]) -> dict[str, Any]:
    deviant, decoys, claimed = [], [], []
    by_esa: dict[str, list[SchoolKey]] = {}
    for s in schools:
        by_esa.setdefault(s.esa, []).append(s)
        plan = school_plan(seed, s)
        tests = [code for code, _ in school_tests(s)]
        if plan.deviant:
            deviant.append({"school": s.code, "esa": s.esa, "model": plan.deviant, "group": school_group(s),
                            "indicators": tests, "boost": SCHOOL_DEVIANT_BOOST})  # fmt: skip
        if plan.decoy_year:
            decoys.append({"school": s.code, "esa": s.esa, "year": plan.decoy_year, "indicators": tests,
                           "factor": 1.9})  # fmt: skip
    for esa, members in sorted(by_esa.items()):
        for code, model, is_deviant, test in claimed_schools(seed, esa, members):
            if not is_deviant:
                claimed.append({"school": code, "esa": esa, "model": model, "indicator": test})
    return {
        "school_models": {
            m.key: {"name_th": m.name_th, "name_en": m.name_en, "group": m.group} for m in SCHOOL_MODELS
        },
        "school_groups": {
            "primary_small": "primary-ESA school with at most 120 learners (size band small)",
            "primary_other": "primary-ESA school, size band medium or larger",
            "secondary": "secondary-ESA school",
        },
        "deviant_schools": deviant,
        "decoy_schools": decoys,
        "claimed_not_deviant": claimed,
    }


def planted_truth(
    seed: int, *, esas: Sequence[EsaKey] | None = None, schools: Sequence[SchoolKey] | None = None
) -> dict[str, Any]:
    """Every planted signal for ``esas`` (default: the 245 national ESAs) and, when given, their
    ``schools``. Pure: no database."""
    keys = sorted(esas if esas is not None else esas_of_scale(), key=lambda e: e.code)
    traits = [esa_traits(seed, k) for k in keys]
    chosen = target_areas(seed)
    all_specs = (*SPECS, *REPORTED_SPECS)
    trends: dict[str, dict[str, float]] = {}
    components = []
    for t in traits:
        for spec in all_specs:
            if applies(spec, t.key.esa_type):
                trends.setdefault(spec.code, {})[t.code] = true_slope(t, spec.code)
        for code, slope in sorted(t.exogenous.items()):
            components.append(
                {"esa": t.code, "indicator": code, "slope": slope, "from": 2563, "cause": "exogenous"}
            )
        for a in t.adoptions:
            for code, effect in PRACTICES_BY_KEY[a.practice].effects.items():
                if applies(SPEC_BY_CODE[code], t.key.esa_type):
                    components.append({"esa": t.code, "indicator": code, "slope": round(effect * a.strength, 4),
                                       "from": a.start, "cause": f"practice:{a.practice}"})  # fmt: skip
    shocks = []
    for t in traits:
        for sh in t.shocks:
            sizes = {
                s.code: round(-(s.direction or 1) * sh.size * s.sd_noise, 4)
                for s in all_specs
                if s.domain == sh.domain and applies(s, t.key.esa_type) and not s.reported
            }
            shocks.append({"esa": t.code, "domain": sh.domain, "year": sh.year, "kind": sh.kind,
                           "size_sd": sh.size, "size": sizes})  # fmt: skip
    reports: dict[str, Any] = {}
    for fy, months in PAST_ROUNDS:
        fates = {t.code: past_fate(seed, t, fy, months) for t in traits}
        reports[round_key(fy, months)] = {
            "missing": sorted(c for c, f in fates.items() if f.missing),
            "late": sorted(c for c, f in fates.items() if f.late and not f.missing),
            "returned_then_approved": sorted(
                c for c, f in fates.items() if f.returned_first and not f.missing
            ),
        }
    truth: dict[str, Any] = {
        "version": PLAN_VERSION,
        "seed": seed,
        "generator": GENERATOR,
        "formula_version": FORMULA_VERSION,
        "time_axis": "academic year (BE): census/year t -> t; fiscal year f -> f-0.5; round f/mN -> f-1+N/12-0.25",
        "esas": {
            t.code: {
                "type": t.key.esa_type,
                "region": t.key.region,
                "group": t.group,
                "target_area": t.code in chosen,
                "diligence": t.diligence,
                "enrolment_growth": t.enrolment_growth,
            }
            for t in traits
        },
        "target_areas": sorted(t.code for t in traits if t.code in chosen),
        "national_trends": {s.code: s.national_slope for s in all_specs if s.national_slope},
        "trends": trends,
        "trend_components": components,
        "national_shocks": [
            {
                "year": COVID_YEAR,
                "cause": "school closures",
                "size": {s.code: s.covid for s in all_specs if s.covid},
            }
        ],
        "shocks": shocks,
        "offsets": {"strong_sd": STRONG_OFFSET, "weak_sd": WEAK_OFFSET},
        "strong": {d: sorted(t.code for t in traits if d in t.strong) for d in STRENGTH_DOMAINS},
        "weak": {d: sorted(t.code for t in traits if d in t.weak) for d in STRENGTH_DOMAINS},
        "practices": {
            p.key: {
                "name_th": p.name_th,
                "name_en": p.name_en,
                "effective": p.effective,
                "effects": dict(p.effects),
            }
            for p in PRACTICES
        },
        "adoptions": [
            {"esa": t.code, "practice": a.practice, "from": a.start, "strength": a.strength}
            for t in traits
            for a in t.adoptions
        ],
        "buzz": {t.code: list(t.buzz) for t in traits if t.buzz},
        "decoys": [
            {
                "esa": t.code,
                "kind": t.decoy.kind,
                "indicator": t.decoy.indicator,
                "period": t.decoy.period,
                "where": t.decoy.where,
                "factor": t.decoy.factor,
                "caught": t.decoy.caught,
            }
            for t in traits
            if t.decoy is not None
        ],
        "reports": {"past": reports, "current": current_states(seed, traits)},
    }
    if schools is not None:
        truth.update(school_truth(seed, schools))
    return truth


PRACTICES_BY_KEY = {p.key: p for p in PRACTICES}
SPEC_BY_CODE = {s.code: s for s in (*SPECS, *REPORTED_SPECS)}


def units_from_db() -> tuple[list[EsaKey], list[SchoolKey]]:
    """The ESAs and schools of the demo database, as the plan sees them."""
    from suksa.core.models import OrgUnit, School

    esas = [
        EsaKey(code, esa_type or "primary", int(region[1:]))
        for code, esa_type, region in OrgUnit.objects.filter(kind=OrgUnit.Kind.ESA)
        .order_by("code")
        .values_list("code", "esa__esa_type", "parent__code")
    ]
    schools = [
        SchoolKey(*row)
        for row in School.objects.order_by("unit__code").values_list(
            "unit__code", "unit__parent__code", "esa_type", "size_band", "area_type", "lowest_grade",
            "highest_grade", "student_count",
        )
    ]  # fmt: skip
    return esas, schools


def truth_from_db(seed: int) -> dict[str, Any]:
    """:func:`planted_truth` for the ESAs and schools the database holds."""
    esas, schools = units_from_db()
    return planted_truth(seed, esas=esas, schools=schools)

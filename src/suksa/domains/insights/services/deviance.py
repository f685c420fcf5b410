"""The "deviance" stage: school models worth scaling (structural groups and their positive deviants).

Reads, set-based:

- the schools (``core.School``: ESA type, grade span, size band, area type, learners, teachers) —
  one query;
- the school-level O-NET means (``core.IndicatorValue`` of the catalogue's ``onet_mean_p6``,
  ``onet_mean_m3``, ``onet_mean_m6`` under the catalogue's producer, periods known by the round's
  end) — one query streamed in (test, school) order, so only one test's values are held at a time;
- the narratives and works of this run (``NarrativeDoc``, written by the lessons stage at order 30)
  with the school codes and practice keys found in them.

For each test, :func:`suksa.analytics.deviance.find_deviants` groups the schools by structure
(``level|size band|area``; the platform holds no poverty or remoteness field on schools, so the
ESA's offset stands in for local context) and scores them; a :class:`SchoolGroup` is stored per
(test, effective group) and a :class:`SchoolDeviance` for each positive deviant and near miss only.
What the deviants share (practices named in texts, staffing, size) goes to ``SchoolGroup.shared``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from suksa.analytics import deviance as dv
from suksa.core.models import IndicatorValue, School
from suksa.domains.insights.lexicon import PRACTICES
from suksa.domains.insights.models import NarrativeDoc, SchoolDeviance, SchoolGroup
from suksa.domains.insights.models.choices import DataQuality
from suksa.domains.insights.services.run import StageContext, stage
from suksa.domains.monitoring.models import Indicator, Round
from suksa.domains.monitoring.periods import available_on

METHOD_VERSION = "deviance-1"
TESTS = ("onet_mean_p6", "onet_mean_m3", "onet_mean_m6")
DEFAULT_PRODUCER = "import:niets_onet"
EVIDENCE_MAX = 20

LEVEL_NAMES = {
    "primary": ("ประถมศึกษา", "primary"),
    "extended": ("ขยายโอกาส", "extended-opportunity"),
    "secondary": ("มัธยมศึกษา", "secondary"),
}
BAND_NAMES = {
    "small": ("ขนาดเล็ก", "small"),
    "medium": ("ขนาดกลาง", "medium"),
    "large": ("ขนาดใหญ่", "large"),
    "extra_large": ("ขนาดใหญ่พิเศษ", "extra-large"),
    "unknown": ("ไม่ทราบขนาด", "size unknown"),
}
AREA_NAMES = {
    "urban": ("ในเมือง", "urban"),
    "rural": ("ชนบท", "rural"),
    "unknown": ("ไม่ทราบที่ตั้ง", "area unknown"),
}
TEST_NAMES = {
    "onet_mean_p6": ("O-NET ป.6", "O-NET P6"),
    "onet_mean_m3": ("O-NET ม.3", "O-NET M3"),
    "onet_mean_m6": ("O-NET ม.6", "O-NET M6"),
}


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    code: str
    esa_id: int
    esa_type: str
    level: str
    size_band: str
    area_type: str
    students: int
    teachers: int

    @property
    def key(self) -> str:
        return dv.group_key(self.level, self.size_band, self.area_type)

    @property
    def pupil_teacher(self) -> float | None:
        return self.students / self.teachers if self.teachers else None


def load_schools() -> dict[int, SchoolInfo]:
    rows = School.objects.filter(unit__is_active=True).values_list(
        "unit_id", "unit__code", "unit__parent_id", "esa_type", "lowest_grade", "highest_grade",
        "size_band", "area_type", "student_count", "teacher_count",
    )  # fmt: skip
    out: dict[int, SchoolInfo] = {}
    for pk, code, esa, esa_type, low, high, band, area, students, teachers in rows.iterator(chunk_size=5000):
        if esa is None:
            continue
        out[pk] = SchoolInfo(
            pk, code, esa, esa_type, dv.school_level(esa_type, low, high), band or "unknown",
            area or "unknown", students or 0, teachers or 0,
        )  # fmt: skip
    return out


def _sources() -> dict[str, tuple[str, str, int]]:
    """Catalogue code -> (stored indicator code, producer, lag days) of the school O-NET tests."""
    out = {code: (code, DEFAULT_PRODUCER, 0) for code in TESTS}
    for code, source in Indicator.objects.filter(is_current=True, code__in=TESTS).values_list(
        "code", "source"
    ):
        src = source or {}
        out[code] = (
            src.get("indicator") or code,
            src.get("producer") or DEFAULT_PRODUCER,
            int(src.get("lag_days", 0)),
        )
    return out


Values = dict[int, dict[str, tuple[float, float | None, int]]]  # school -> year -> (value, takers, pk)


def school_values(rnd: Round, schools: dict[int, SchoolInfo]) -> Iterator[tuple[str, Values]]:
    """(catalogue code, values) per test, streamed from one query; the latest row of a
    (school, year) wins; only years whose figures exist by the round's end."""
    sources = _sources()
    by_stored = {stored: code for code, (stored, _, _) in sources.items()}
    producers = sorted({p for _, p, _ in sources.values()})
    known: dict[tuple[str, str], bool] = {}
    rows = (
        IndicatorValue.objects.filter(
            indicator__in=sorted(by_stored), breakdown="", unit__kind="school", run__producer__in=producers,
            value__isnull=False,
        )
        .values_list("indicator", "unit_id", "period", "value", "denominator", "pk", "run__producer")
        .order_by("indicator", "unit_id", "period", "computed_at", "pk")
    )  # fmt: skip
    current: str | None = None
    values: Values = {}
    for stored, unit_id, period, value, takers, pk, producer in rows.iterator(chunk_size=10000):
        code = by_stored[stored]
        if sources[code][1] != producer or unit_id not in schools:
            continue
        if stored != current:
            if current is not None and values:
                yield by_stored[current], values
            current, values = stored, {}
        ok = known.get((code, period))
        if ok is None:
            day = available_on(period, "year", sources[code][2])
            ok = known[(code, period)] = day is not None and day <= rnd.period_end
        if ok:
            values.setdefault(unit_id, {})[period] = (
                float(value or 0.0),
                float(takers) if takers else None,
                pk,
            )
    if current is not None and values:
        yield by_stored[current], values


@dataclass(frozen=True)
class Doc:
    id: int
    esa_id: int
    source: str
    round_key: str
    work_id: int | None
    schools: tuple[str, ...]
    practices: tuple[str, ...]

    def ref(self) -> dict[str, Any]:
        return {
            "doc_id": self.id, "esa_id": self.esa_id, "source": self.source, "round_key": self.round_key,
            "work_id": self.work_id,
        }  # fmt: skip


def load_docs(run_id: int) -> list[Doc]:
    rows = NarrativeDoc.objects.filter(run_id=run_id).values_list(
        "pk", "esa_id", "source", "round_key", "work_id", "schools", "practices"
    )
    return [
        Doc(pk, esa, src, rk, work, tuple(schools or ()), tuple(practices or ()))
        for pk, esa, src, rk, work, schools, practices in rows.order_by("pk").iterator(chunk_size=2000)
    ]


def group_names(test: str, key: str) -> tuple[str, str]:
    parts = key.split("|")
    th = [LEVEL_NAMES.get(parts[0], (parts[0], parts[0]))[0]]
    en = [LEVEL_NAMES.get(parts[0], (parts[0], parts[0]))[1]]
    if len(parts) > 1:
        th.append(BAND_NAMES.get(parts[1], (parts[1], parts[1]))[0])
        en.append(BAND_NAMES.get(parts[1], (parts[1], parts[1]))[1])
    if len(parts) > 2:
        th.append(AREA_NAMES.get(parts[2], (parts[2], parts[2]))[0])
        en.append(AREA_NAMES.get(parts[2], (parts[2], parts[2]))[1])
    tth, ten = TEST_NAMES.get(test, (test, test))
    suffix_th = "" if len(parts) == 3 else " (รวมกลุ่มย่อยที่มีโรงเรียนน้อย)"
    suffix_en = "" if len(parts) == 3 else " (small groups pooled)"
    return f"{tth} · โรงเรียน{' '.join(th)}{suffix_th}", f"{ten} · {', '.join(en)} schools{suffix_en}"


def _practice_lifts(traits: dv.SharedTraits) -> list[dict[str, Any]]:
    out = []
    for p in traits.practices:
        name = PRACTICES.get(p.key)
        out.append(
            {
                "key": p.key, "name_th": name.name_th if name else p.key, "name_en": name.name_en if name else p.key,
                "deviants_with": p.deviants_with, "others_with": p.others_with,
                "deviants_share": p.deviants_share, "others_share": p.others_share, "lift": p.lift,
            }
        )  # fmt: skip
    return out


@stage(
    "deviance",
    order=45,
    label_th="โรงเรียนต้นแบบ",
    label_en="School models (positive deviance)",
    method_version=METHOD_VERSION,
    models=(SchoolDeviance, SchoolGroup),
)
def compute_deviance(ctx: StageContext) -> dict[str, Any]:
    params = dv.Params(
        **{k: v for k, v in (ctx.parameters.get("deviance") or {}).items() if hasattr(dv.Params, k)}
    )
    schools = load_schools()
    by_code = {s.code: s.id for s in schools.values()}
    docs = load_docs(ctx.run.pk)
    named: dict[int, list[Doc]] = defaultdict(list)
    esa_practices: dict[int, set[str]] = defaultdict(set)
    for d in docs:
        esa_practices[d.esa_id].update(d.practices)
        for code in d.schools:
            sid = by_code.get(code)
            if sid is not None:
                named[sid].append(d)
    named_practices = {sid: {p for d in ds for p in d.practices} for sid, ds in named.items()}
    resource = {s.id: s.pupil_teacher for s in schools.values()}
    size: dict[int, float | None] = {s.id: float(s.students) for s in schools.values()}
    counts = {"groups": 0, "deviants": 0, "near": 0, "schools_scored": 0, "docs": len(docs)}
    for i, (test, values) in enumerate(school_values(ctx.round, schools)):
        ctx.progress(i, len(TESTS), TEST_NAMES[test][1])
        series = [
            dv.SchoolSeries(
                school=sid,
                group=schools[sid].key,
                area=schools[sid].esa_id,
                values={y: v[0] for y, v in years.items()},
                takers={y: v[1] for y, v in years.items() if v[1] is not None},
                resource=resource[sid],
                size=size[sid],
            )
            for sid, years in sorted(values.items())
        ]
        result = dv.find_deviants(series, params)
        counts["schools_scored"] += sum(1 for r in result.schools.values() if r.group)
        n_groups, n_dev, n_near = _store(
            ctx, test, result, values, schools, named, named_practices, esa_practices
        )
        counts["groups"] += n_groups
        counts["deviants"] += n_dev
        counts["near"] += n_near
    return counts


def _store(
    ctx: StageContext,
    test: str,
    result: dv.DevianceResult,
    values: Values,
    schools: dict[int, SchoolInfo],
    named: dict[int, list[Doc]],
    named_practices: dict[int, set[str]],
    esa_practices: dict[int, set[str]],
) -> tuple[int, int, int]:
    flags = ctx.data.flags
    resource = {sid: schools[sid].pupil_teacher for fit in result.groups.values() for sid in fit.members}
    size: dict[int, float | None] = {
        sid: float(schools[sid].students) for fit in result.groups.values() for sid in fit.members
    }
    groups: list[SchoolGroup] = []
    for key, fit in sorted(result.groups.items()):
        dev = [sid for sid in fit.members if result.schools[sid].is_deviant]
        shared_named = dv.shared_traits(dev, fit.members, named_practices, resource, size)
        shared_esa = dv.shared_traits(
            dev,
            fit.members,
            {sid: esa_practices.get(schools[sid].esa_id, set()) for sid in fit.members},
            {},
            {},
        )
        evidence = [d.ref() | {"school": schools[sid].code} for sid in dev for d in named.get(sid, [])][
            :EVIDENCE_MAX
        ]
        name_th, name_en = group_names(test, key)
        parts = key.split("|")
        top = next((p for p in shared_named.practices if p.deviants_share >= 0.5), None)
        sentence_th = f"{name_th}: โรงเรียนต้นแบบ {len(dev)} จาก {len(fit.members)} โรง"
        sentence_en = f"{name_en}: {len(dev)} positive deviant(s) of {len(fit.members)} schools"
        if top is not None:
            pname = PRACTICES.get(top.key)
            sentence_th += f" โดย {top.deviants_with} โรงถูกกล่าวถึงพร้อม{pname.name_th if pname else top.key}"
            sentence_en += f"; {top.deviants_with} are named with {pname.name_en if pname else top.key}"
        groups.append(
            SchoolGroup(
                run=ctx.run,
                key=f"{test}|{key}"[:120],
                name_th=name_th[:255],
                name_en=name_en[:255],
                definition={
                    "indicator": test,
                    "level": parts[0],
                    "size_band": parts[1] if len(parts) > 1 else "",
                    "area_type": parts[2] if len(parts) > 2 else "",
                    "merged_from": list(fit.merged_from),
                    "esa_ids": sorted({schools[sid].esa_id for sid in fit.members}),
                    "medians": {y: round(v, 3) for y, v in fit.medians.items()},
                    "year_sd": {y: round(v, 3) for y, v in fit.year_sd.items()},
                    "level_sd": round(fit.level_sd, 3),
                    "slope_per_pupil_teacher": round(fit.slope, 4),
                    "pupil_teacher_median": fit.resource_median,
                    "params": vars(result.params),
                },
                school_count=len(fit.members),
                deviant_count=len(dev),
                shared={
                    "basis": "texts_naming_the_school",
                    "practices": _practice_lifts(shared_named),
                    "esa_practices": _practice_lifts(shared_esa),
                    "staffing": {"pupil_teacher_median": shared_named.staffing},
                    "size": {"learners_median": shared_named.size},
                },
                evidence=evidence,
                sentence_th=sentence_th,
                sentence_en=sentence_en,
            )
        )
    created = {g.key: g for g in SchoolGroup.objects.bulk_create(groups)}
    rows: list[SchoolDeviance] = []
    for sid, r in sorted(result.schools.items()):
        if not (r.is_deviant or r.is_near) or not r.group:
            continue
        info = schools[sid]
        years = values[sid]
        labelled = bool(r.set_aside) or bool(flags.get((info.esa_id, test)))
        rows.append(
            SchoolDeviance(
                run=ctx.run,
                group=created[f"{test}|{r.group}"[:120]],
                school_id=sid,
                esa_id=info.esa_id,
                indicator=test,
                observed=round(r.observed, 4),
                expected=round(r.expected, 4),
                residual=round(r.residual, 4),
                z=round(r.z, 4) if r.z is not None else 0.0,
                years=r.years,
                is_deviant=r.is_deviant,
                quality=DataQuality.LABELLED if labelled else DataQuality.OK,
                named_in=[d.ref() for d in named.get(sid, [])],
                data={
                    "se": _round(r.se),
                    "level_z": _round(r.level_z),
                    "years_above": r.years_above,
                    "reason": r.reason,
                    "set_aside": list(r.set_aside),
                    "group": r.group,
                    "pupil_teacher": _round(info.pupil_teacher),
                    "learners": info.students,
                    "teachers": info.teachers,
                    "school_code": info.code,
                    "esa_flags": flags.get((info.esa_id, test), []),
                    "yearly": [
                        {
                            "period": y,
                            "observed": obs,
                            "expected": exp,
                            "residual": res,
                            "z": z,
                            "takers": years[y][1],
                            "unit_id": sid,
                            "indicator": test,
                            "source": {"model": "core.IndicatorValue", "id": years[y][2]},
                        }
                        for y, obs, exp, res, z in r.yearly
                    ],
                },
            )
        )
    SchoolDeviance.objects.bulk_create(rows, batch_size=1000)
    n_dev = sum(1 for x in rows if x.is_deviant)
    return len(groups), n_dev, len(rows) - n_dev


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)

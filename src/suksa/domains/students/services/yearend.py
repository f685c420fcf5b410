"""Year-end for a whole school: preview, apply in one batch, reverse until the census is certified.

Default outcome per learner: promote; in the last grade of a level (K3, P6, M3, M6) graduate, and
where the school also teaches the next level continue there as a new entrant (entry admitted).
The school may override any learner: promote, repeat, graduate or leave (the year closes with the
outcome earned and no enrolment is opened next year).

Applying closes every open enrolment of the year on the academic year's last day with status
promoted / repeated / graduated and opens next year's enrolments (same room number) in one
:class:`YearEndBatch`. The work is set-based: a constant number of queries per grade (one UPDATE
per outcome and a bulk INSERT), whatever the number of learners. Reversing deletes what the batch
created and reopens what it closed, until the school's year-end census return is certified.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from suksa.analytics.uis import is_last_grade_of_level, next_grade
from suksa.core import audit
from suksa.core.errors import InvalidInput, Problem
from suksa.core.models import AcademicYear, AuditEntry, CensusDate, OrgUnit, School
from suksa.core.policy import Actor
from suksa.core.services import calendar_ensure_year
from suksa.domains.students.models import CensusReturn, Classroom, Enrolment, Transfer, YearEndBatch
from suksa.domains.students.models.choices import GRADE_ORDER, OPEN_STATUSES, EnrolmentStatus, EntryKind
from suksa.domains.students.services.enrolment import invalid, require_edit

Outcome = Literal["promote", "repeat", "graduate", "leave"]
OUTCOMES: tuple[str, ...] = ("promote", "repeat", "graduate", "leave")
OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "promote": ("เลื่อนชั้น", "Promote"),
    "repeat": ("ซ้ำชั้น", "Repeat"),
    "graduate": ("จบการศึกษา", "Graduate"),
    "leave": ("ไม่เรียนต่อที่นี่", "Leave"),
}
_CLOSE_STATUS = {
    "promote": EnrolmentStatus.PROMOTED,
    "repeat": EnrolmentStatus.REPEATED,
    "graduate": EnrolmentStatus.GRADUATED,
}


@dataclass(frozen=True)
class PreviewRow:
    enrolment_id: int
    student_id: int
    name: str
    identifier: str
    grade: str
    room: int | None
    outcome: str
    next_grade: str | None
    next_entry: str | None


@dataclass(frozen=True)
class PendingTransfer:
    transfer_id: int
    student_id: int
    name: str
    grade: str
    to_school_code: str


@dataclass
class Preview:
    school_code: str
    year_be: int
    next_year_be: int
    rows: list[PreviewRow] = field(default_factory=list)
    # counts[grade][outcome]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    pending: list[PendingTransfer] = field(default_factory=list)
    applied_batch_id: int | None = None

    @property
    def can_apply(self) -> bool:
        return not self.pending and self.applied_batch_id is None and bool(self.rows)


def _taught_grades(school: OrgUnit) -> set[str]:
    profile = School.objects.filter(unit=school).values_list("lowest_grade", "highest_grade").first()
    if profile is None:
        return set(GRADE_ORDER)
    lo, hi = GRADE_ORDER.index(profile[0]), GRADE_ORDER.index(profile[1])
    return set(GRADE_ORDER[lo : hi + 1])


def default_outcome(grade: str) -> str:
    return "graduate" if is_last_grade_of_level(grade) else "promote"


def next_step(grade: str, outcome: str, taught: set[str]) -> tuple[str | None, str | None]:
    """Next year's (grade, entry) for ``outcome``, or (None, None) when nothing opens."""
    if outcome == "promote":
        return next_grade(grade), EntryKind.PROMOTED
    if outcome == "repeat":
        return grade, EntryKind.REPEATED
    if outcome == "graduate":
        nxt = next_grade(grade)
        if nxt is not None and nxt in taught:
            return nxt, EntryKind.ADMITTED
    return None, None


def _open_rows(school: OrgUnit, academic_year: AcademicYear) -> list[dict[str, Any]]:
    rows: Any = (
        Enrolment.objects.filter(school=school, academic_year=academic_year, status__in=OPEN_STATUSES)
        .order_by("grade", "classroom__number", "student__first_name_th", "student__last_name_th", "pk")
        .values(
            "pk", "student_id", "grade", "status", "classroom__number", "student__prefix_th",
            "student__first_name_th", "student__last_name_th", "student__citizen_id", "student__g_code",
        )
    )  # fmt: skip
    return [dict(r) for r in rows]


def _pending(school: OrgUnit, academic_year: AcademicYear) -> list[PendingTransfer]:
    qs = Transfer.objects.filter(
        status=Transfer.Status.REQUESTED,
        from_enrolment__school=school,
        from_enrolment__academic_year=academic_year,
    ).values(
        "pk", "student_id", "from_enrolment__grade", "to_school__code",
        "student__prefix_th", "student__first_name_th", "student__last_name_th",
    )  # fmt: skip
    return [
        PendingTransfer(
            transfer_id=t["pk"],
            student_id=t["student_id"],
            name=f"{t['student__prefix_th']}{t['student__first_name_th']} {t['student__last_name_th']}",
            grade=t["from_enrolment__grade"],
            to_school_code=t["to_school__code"],
        )
        for t in qs
    ]


def _validate_overrides(overrides: dict[int, str], grade_of: dict[int, str]) -> list[Problem]:
    problems: list[Problem] = []
    for enrolment_id, outcome in sorted(overrides.items()):
        where = f"overrides.{enrolment_id}"
        if enrolment_id not in grade_of:
            problems.append(
                Problem(
                    code="enrolment_not_in_school",
                    th=f"ไม่พบการลงทะเบียนเลขที่ {enrolment_id} ที่ยังไม่สิ้นสุดในปีการศึกษานี้ของโรงเรียน",
                    en=f"Enrolment {enrolment_id} is not an open enrolment of this school's year",
                    field=where,
                )
            )
        elif outcome not in OUTCOMES:
            problems.append(
                Problem(
                    code="outcome_unknown",
                    th="ผลสิ้นปีต้องเป็น promote, repeat, graduate หรือ leave",
                    en="The outcome must be promote, repeat, graduate or leave",
                    field=where,
                )
            )
        else:
            grade = grade_of[enrolment_id]
            last = is_last_grade_of_level(grade)
            if outcome == "promote" and last:
                problems.append(
                    Problem(
                        code="outcome_promote_last_grade",
                        th=f"ชั้น {grade} เป็นชั้นสุดท้ายของระดับ ใช้ 'จบการศึกษา' แทนการเลื่อนชั้น",
                        en=f"{grade} is the last grade of its level: graduate instead of promote",
                        field=where,
                    )
                )
            elif outcome == "graduate" and not last:
                problems.append(
                    Problem(
                        code="outcome_graduate_not_last",
                        th=f"ชั้น {grade} ไม่ใช่ชั้นสุดท้ายของระดับ จึงจบการศึกษาไม่ได้",
                        en=f"{grade} is not the last grade of its level: learners cannot graduate from it",
                        field=where,
                    )
                )
    return problems


def _clean_overrides(overrides: dict[int, str] | None) -> dict[int, str]:
    cleaned: dict[int, str] = {}
    for key, value in (overrides or {}).items():
        try:
            cleaned[int(key)] = str(value)
        except (TypeError, ValueError):
            raise invalid(
                "override_key_invalid",
                f"รหัสการลงทะเบียน '{key}' ต้องเป็นตัวเลข",
                f"The enrolment id '{key}' must be a number",
                field="overrides",
            ) from None
    return cleaned


def _name(row: dict[str, Any]) -> str:
    return f"{row['student__prefix_th']}{row['student__first_name_th']} {row['student__last_name_th']}"


def year_end_preview(
    *, actor: Actor, school: OrgUnit, academic_year: AcademicYear, overrides: dict[int, str] | None = None
) -> Preview:
    """Per learner the proposed outcome (defaults, or ``overrides`` where given) and the counts."""
    require_edit(actor, school)
    chosen = _clean_overrides(overrides)
    taught = _taught_grades(school)
    rows = _open_rows(school, academic_year)
    applied = (
        YearEndBatch.objects.filter(
            school=school, academic_year=academic_year, status=YearEndBatch.Status.APPLIED
        )
        .values_list("pk", flat=True)
        .first()
    )
    preview = Preview(
        school_code=school.code,
        year_be=academic_year.year_be,
        next_year_be=academic_year.year_be + 1,
        pending=_pending(school, academic_year),
        applied_batch_id=applied,
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        grade = str(r["grade"])
        outcome = chosen.get(int(r["pk"]), default_outcome(grade))
        nxt, entry = next_step(grade, outcome, taught) if outcome in OUTCOMES else (None, None)
        preview.rows.append(
            PreviewRow(
                enrolment_id=int(r["pk"]),
                student_id=int(r["student_id"]),
                name=_name(r),
                identifier=str(r["student__citizen_id"] or r["student__g_code"] or ""),
                grade=grade,
                room=r["classroom__number"],
                outcome=outcome,
                next_grade=nxt,
                next_entry=str(entry) if entry else None,
            )
        )
        counts[grade][outcome] += 1
    preview.counts = {g: dict(counts[g]) for g in GRADE_ORDER if g in counts}
    return preview


def _pending_problems(pending: list[PendingTransfer]) -> list[Problem]:
    return [
        Problem(
            code="transfer_pending",
            th=f"{p.name} ({p.grade}) รอย้ายไปโรงเรียน {p.to_school_code}: ให้โรงเรียนปลายทางตอบรับ/ปฏิเสธ หรือยกเลิกคำขอก่อน",
            en=f"{p.name} ({p.grade}) is pending transfer to school {p.to_school_code}: settle or cancel it first",
            field="transfers",
        )
        for p in pending
    ]


def _next_rooms(
    school: OrgUnit, next_year: AcademicYear, wanted: set[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """Ids of next year's rooms (grade, number), creating the missing ones in one statement."""
    existing = {
        (g, n): pk
        for g, n, pk in Classroom.objects.filter(school=school, academic_year=next_year).values_list(
            "grade", "number", "pk"
        )
    }
    missing = wanted - set(existing)
    if missing:
        Classroom.objects.bulk_create(
            [
                Classroom(school=school, academic_year=next_year, grade=g, number=n)
                for g, n in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        existing = {
            (g, n): pk
            for g, n, pk in Classroom.objects.filter(school=school, academic_year=next_year).values_list(
                "grade", "number", "pk"
            )
        }
    return existing


def year_end_apply(
    *, actor: Actor, school: OrgUnit, academic_year: AcademicYear, overrides: dict[int, str] | None = None
) -> YearEndBatch:
    """Close the school's year and open the next one for every learner, in one batch."""
    require_edit(actor, school)
    chosen = _clean_overrides(overrides)
    with transaction.atomic():
        # Lock the school's open enrolments of the year so nothing moves under the batch.
        rows = list(
            Enrolment.objects.select_for_update(of=("self",))
            .filter(school=school, academic_year=academic_year, status__in=OPEN_STATUSES)
            .values_list("pk", "student_id", "grade", "status", "classroom__number")
        )
        if YearEndBatch.objects.filter(
            school=school, academic_year=academic_year, status=YearEndBatch.Status.APPLIED
        ).exists():
            raise invalid(
                "year_end_applied",
                f"โรงเรียนนี้ดำเนินการสิ้นปีการศึกษา {academic_year.year_be} ไปแล้ว (ยกเลิกรายการเดิมก่อนหากต้องการทำใหม่)",
                f"Year-end {academic_year.year_be} has already been applied for this school (reverse it first)",
                field="academic_year",
            )
        if any(r[3] == EnrolmentStatus.PENDING_TRANSFER for r in rows):
            raise InvalidInput(_pending_problems(_pending(school, academic_year)))
        if not rows:
            raise invalid(
                "nothing_to_apply",
                "ไม่มีนักเรียนที่กำลังศึกษาในปีการศึกษานี้",
                "There are no learners enrolled in this academic year",
                field="academic_year",
            )
        grade_of = {pk: grade for pk, _s, grade, _st, _n in rows}
        if problems := _validate_overrides(chosen, grade_of):
            raise InvalidInput(problems)
        taught = _taught_grades(school)
        next_year = calendar_ensure_year(year_be=academic_year.year_be + 1)
        ends_on = academic_year.ends_on

        # Decide, in memory, per learner (ids only: bounded by the size of one school).
        outcome_of = {pk: chosen.get(pk, default_outcome(grade)) for pk, grade in grade_of.items()}
        planned: list[tuple[int, str, str, int]] = []  # (student_id, grade, entry, room number)
        for pk, student_id, grade, _st, number in rows:
            nxt, entry = next_step(grade, outcome_of[pk], taught)
            if nxt is not None and entry is not None:
                planned.append((student_id, nxt, entry, number or 1))
        summary: dict[str, dict[str, int]] = defaultdict(dict)
        for pk, grade in grade_of.items():
            cell = summary[grade]
            cell[outcome_of[pk]] = cell.get(outcome_of[pk], 0) + 1

        batch = YearEndBatch.objects.create(
            school=school, academic_year=academic_year, applied_by_id=actor.user_id,
            summary={
                "next_year_be": next_year.year_be,
                "learners": len(rows),
                "continuing": len(planned),
                "by_grade": {g: summary[g] for g in GRADE_ORDER if g in summary},
            },
        )  # fmt: skip
        now = timezone.now()
        base = Enrolment.objects.filter(
            school=school, academic_year=academic_year, status=EnrolmentStatus.ACTIVE
        )
        # Per grade: one UPDATE for the learners on the default outcome, one per overridden outcome.
        overridden_by_grade: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for pk, outcome in chosen.items():
            overridden_by_grade[grade_of[pk]][outcome].append(pk)
        for grade in sorted(set(grade_of.values())):
            default = default_outcome(grade)
            overridden = overridden_by_grade.get(grade, {})
            excluded = [pk for pks in overridden.values() for pk in pks]
            base.filter(grade=grade).exclude(pk__in=excluded).update(
                status=_close_status(grade, default), ends_on=ends_on, closed_by_batch=batch, updated_at=now
            )
            for outcome, pks in overridden.items():
                base.filter(pk__in=pks).update(
                    status=_close_status(grade, outcome),
                    ends_on=ends_on,
                    closed_by_batch=batch,
                    updated_at=now,
                )

        room_ids = _next_rooms(school, next_year, {(g, n) for _s, g, _e, n in planned})
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    student_id=student_id,
                    school=school,
                    academic_year=next_year,
                    grade=grade,
                    classroom_id=room_ids.get((grade, number)),
                    entry=entry,
                    status=EnrolmentStatus.ACTIVE,
                    starts_on=next_year.starts_on,
                    created_by_batch=batch,
                )
                for student_id, grade, entry, number in planned
            ],
            batch_size=1000,
        )
        audit.record(
            actor=actor, action=AuditEntry.Action.CREATE, object_type="students.yearendbatch",
            object_id=batch.pk, object_repr=f"year-end {academic_year.year_be} {school.code}",
            unit_path=school.path, changes={"event": "apply", **batch.summary, "overrides": len(chosen)},
        )  # fmt: skip
    return batch


def _close_status(grade: str, outcome: str) -> str:
    if outcome == "leave":
        return EnrolmentStatus.GRADUATED if is_last_grade_of_level(grade) else EnrolmentStatus.PROMOTED
    return _CLOSE_STATUS[outcome]


def year_end_census_return(batch: YearEndBatch) -> CensusReturn | None:
    """The school's return for the year-end census of the batch's academic year, if taken."""
    census_date = CensusDate.objects.filter(
        academic_year_id=batch.academic_year_id, round=CensusDate.Round.YEAR_END
    ).first()
    if census_date is None:
        return None
    return CensusReturn.objects.filter(round__census_date=census_date, school_id=batch.school_id).first()


def year_end_reverse(*, actor: Actor, batch: YearEndBatch) -> YearEndBatch:
    """Undo a batch: delete the enrolments it opened and reopen those it closed."""
    require_edit(actor, batch.school)
    with transaction.atomic():
        batch = (
            YearEndBatch.objects.select_for_update(of=("self",))
            .select_related("school", "academic_year")
            .get(pk=batch.pk)
        )
        if batch.status != YearEndBatch.Status.APPLIED:
            raise invalid(
                "batch_reversed",
                "รายการสิ้นปีนี้ถูกยกเลิกไปแล้ว",
                "This year-end batch has already been reversed",
                field="batch",
            )
        census_return = year_end_census_return(batch)
        if census_return is not None and census_return.is_certified:
            raise invalid(
                "census_certified",
                "ยกเลิกไม่ได้: ผู้อำนวยการรับรองข้อมูลนักเรียนสิ้นปีการศึกษาของโรงเรียนแล้ว การแก้ไขต้องทำผ่านการแก้ไขข้อมูลสำมะโน",
                "Cannot reverse: the school's year-end census return has been certified; "
                "corrections go through a census amendment",
                field="batch",
            )
        created = Enrolment.objects.filter(created_by_batch=batch)
        moved = created.exclude(status=EnrolmentStatus.ACTIVE).count()
        moved += Transfer.objects.filter(from_enrolment__created_by_batch=batch).count()
        if moved:
            raise invalid(
                "batch_enrolments_changed",
                f"ยกเลิกไม่ได้: มีนักเรียน {moved} คนที่การลงทะเบียนปีถัดไปเปลี่ยนไปแล้ว (ย้าย ออก หรือรอย้าย)",
                f"Cannot reverse: {moved} of next year's enrolments have changed since (transfer, dropout)",
                field="batch",
            )
        closed = Enrolment.objects.filter(closed_by_batch=batch)
        elsewhere = (
            Enrolment.objects.filter(student_id__in=closed.values("student_id"), status__in=OPEN_STATUSES)
            .exclude(created_by_batch=batch)
            .count()
        )
        if elsewhere:
            raise invalid(
                "batch_learners_reenrolled",
                f"ยกเลิกไม่ได้: มีนักเรียน {elsewhere} คนที่ลงทะเบียนเรียนใหม่แล้วหลังสิ้นปี",
                f"Cannot reverse: {elsewhere} of the learners have been enrolled again since",
                field="batch",
            )
        deleted, _ = created.delete()
        reopened = closed.update(
            status=EnrolmentStatus.ACTIVE, ends_on=None, closed_by_batch=None, updated_at=timezone.now()
        )
        batch.status = YearEndBatch.Status.REVERSED
        batch.reversed_by_id = actor.user_id
        batch.reversed_at = timezone.now()
        batch.save(update_fields=["status", "reversed_by", "reversed_at"])
        audit.record(
            actor=actor, action=AuditEntry.Action.UPDATE, object_type="students.yearendbatch",
            object_id=batch.pk, object_repr=f"year-end {batch.academic_year.year_be} {batch.school.code}",
            unit_path=batch.school.path,
            changes={"event": "reverse", "status": ["applied", "reversed"], "deleted": deleted, "reopened": reopened},
        )  # fmt: skip
    return batch

"""The org browser, search and school profile pages.

Every read goes through ``core.selectors`` scoped to ``request.actor``; an out-of-scope code is
answered exactly like an unknown one (404 from the same template, no existence oracle).

The figures of a unit and of its children come from ``core.figures`` (scoped selectors, a constant
number of queries whatever the number of schools); this module only adds URLs, sorting and labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, re_path, reverse

from suksa.core import figures as core_figures
from suksa.core import selectors
from suksa.core.errors import InvalidInput, NotFoundOrNoAccess
from suksa.core.errors import PermissionDenied as CorePermissionDenied
from suksa.core.figures import EMPTY, SIZE_BAND_LABELS, SMALL_SCHOOL_MAX, UNSET_BAND_LABEL, Figures
from suksa.core.i18n import bi, current_language, pick
from suksa.core.models import OrgUnit, School
from suksa.core.models.orgunits import LEVEL_TYPE_LABELS
from suksa.core.policy import Actor, Perm
from suksa.core.services import school_update_profile
from suksa.interfaces.web.context import maybe_reverse, request_actor

AREA_TYPE_LABELS: dict[str, tuple[str, str]] = {"urban": ("ในเมือง", "Urban"), "rural": ("ชนบท", "Rural")}
KIND_LABELS: dict[str, tuple[str, str]] = {
    "nation": ("ประเทศ", "Nation"),
    "region": ("เขตตรวจราชการ", "Inspection region"),
    "esa": ("สำนักงานเขตพื้นที่การศึกษา", "Educational Service Area office"),
    "school": ("โรงเรียน", "School"),
}
CHILD_KIND_PLURAL: dict[str, tuple[str, str]] = {
    "region": ("เขตตรวจราชการ", "Inspection regions"),
    "esa": ("สำนักงานเขตพื้นที่การศึกษา", "ESA offices"),
    "school": ("โรงเรียน", "Schools"),
}
AFFILIATIONS: dict[str, tuple[str, str]] = {
    "10": (
        "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน (สพฐ.)",
        "Office of the Basic Education Commission (OBEC)",
    ),
}


# ---------------------------------------------------------------------------------------------
# Unit summaries (shared with the home page)


_TONE_MARKS = re.compile("[\u0e47-\u0e4c]")
_LEADING_VOWEL = re.compile("([\u0e40-\u0e44])([\u0e01-\u0e2e])")


_DIGITS = re.compile(r"(\d+)")


def thai_sort_key(text: str) -> tuple[str | int, ...]:
    """Thai dictionary order, near enough, with numbers in numeric order.

    A leading vowel (เ แ โ ใ ไ) sorts after its consonant and tone marks are ignored, so ``ไก่``
    comes after ``เกิด`` as in a Thai dictionary; code-point order (SQLite, most PostgreSQL
    collations) would put every เ-word after every ฮ-word. ``เขต 2`` comes before ``เขต 10``.
    """
    folded = _LEADING_VOWEL.sub(r"\2\1", _TONE_MARKS.sub("", text))
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(folded))


@dataclass
class ChildRow:
    unit: OrgUnit
    url: str
    figures: Figures
    school: School | None = None

    @property
    def sort_values(self) -> dict[str, Any]:
        f = self.figures
        ptr = f.pupil_teacher_ratio
        return {
            "name": thai_sort_key(self.unit.name_th),
            "code": self.unit.code,
            "schools": f.schools,
            "students": f.students,
            "teachers": f.teachers,
            "small": f.small,
            "ptr": ptr if ptr is not None else -1.0,
            "band": list(SIZE_BAND_LABELS).index(self.school.size_band)
            if self.school is not None and self.school.size_band in SIZE_BAND_LABELS
            else -1,
        }


@dataclass
class UnitSummary:
    unit: OrgUnit
    fully_visible: bool
    figures: Figures | None
    children: list[ChildRow]
    child_kind: str | None

    @property
    def child_kind_label(self) -> tuple[str, str]:
        return CHILD_KIND_PLURAL.get(self.child_kind or "", ("", ""))

    @property
    def chart(self) -> dict[str, Any] | None:
        if self.figures is None or not self.figures.schools:
            return None
        return {
            "title": pick("จำนวนโรงเรียนตามขนาด", "Schools by size band"),
            "labels": [pick(*label) for _, label, _ in self.figures.band_rows()],
            "values": [n for _, _, n in self.figures.band_rows()],
            "series": pick("โรงเรียน", "Schools"),
        }


def unit_url(unit: OrgUnit) -> str:
    if unit.kind == OrgUnit.Kind.SCHOOL:
        return reverse("web:school", args=[unit.code])
    return reverse("web:org_unit", args=[unit.code])


def unit_summary(actor: Actor, unit: OrgUnit) -> UnitSummary:
    """The unit's figures and its children's (``core.figures``), with their URLs for the page."""
    data = core_figures.unit_figures(actor, unit)
    # Names-only rows (a unit the actor only walks through) carry empty figures, never real ones.
    rows = [
        ChildRow(unit=c.unit, url=unit_url(c.unit), figures=c.figures or EMPTY, school=c.school)
        for c in data.children
    ]
    figures = data.figures if data.child_kind is not None else None
    return UnitSummary(
        unit=unit,
        fully_visible=data.fully_visible,
        figures=figures,
        children=rows,
        child_kind=data.child_kind,
    )


SORT_KEYS = ("name", "code", "schools", "students", "teachers", "small", "ptr", "band")


def sort_rows(rows: list[ChildRow], sort: str, direction: str) -> list[ChildRow]:
    key = sort if sort in SORT_KEYS else "name"
    return sorted(rows, key=lambda r: r.sort_values[key], reverse=direction == "desc")


def breadcrumbs(unit: OrgUnit, *, link_self: bool = False) -> list[dict[str, Any]]:
    crumbs: list[dict[str, Any]] = [
        {"label": a.name(current_language()), "url": unit_url(a)} for a in selectors.unit_ancestors(unit)
    ]
    crumbs.append({"label": unit.name(current_language()), "url": unit_url(unit) if link_self else None})
    return crumbs


# ---------------------------------------------------------------------------------------------
# Views


def _get_unit(actor: Actor, code: str) -> OrgUnit:
    try:
        return selectors.unit_get(actor, code)
    except NotFoundOrNoAccess:
        raise Http404 from None


def _get_school(actor: Actor, code: str) -> School:
    try:
        return selectors.school_get(actor, code)
    except NotFoundOrNoAccess:
        raise Http404 from None


@login_required
def org_root(request: HttpRequest) -> HttpResponse:
    """The top of the tree the actor can walk: the single unit they hold a role on, else the nation."""
    actor = request_actor(request)
    roots = actor.scope_paths(Perm.ORG_VIEW)
    if not roots:
        raise Http404
    codes = [p for p in roots[0].split("/") if p]
    code = codes[-1] if len(roots) == 1 else codes[0]
    unit = _get_unit(actor, code)
    return redirect(unit_url(unit))


# Pages about one unit, by unit kind: (URL name, how the code is passed, Thai, English, the
# permissions of which any one shows the link). Links to pages not installed are skipped.
_UNIT_PAGES: dict[str, list[tuple[str, str, str, str, tuple[Perm, ...]]]] = {
    "school": [
        ("web:student_list", "?school", "ทะเบียนนักเรียน", "Register", (Perm.STUDENT_VIEW, Perm.ROOM_VIEW)),
        ("web:classroom_list", "arg", "ห้องเรียน", "Rooms", (Perm.STUDENT_VIEW,)),
        ("web:attendance_school", "arg", "เวลาเรียน", "Attendance", (Perm.ORG_VIEW,)),
        ("web:census_school", "arg", "การนับจำนวนนักเรียน", "Student census", (Perm.ORG_VIEW,)),
        ("web:year_end", "arg", "เลื่อนชั้นสิ้นปี", "Year-end", (Perm.STUDENT_EDIT,)),
        ("web:unit_indicators", "arg", "ตัวชี้วัด", "Indicators", (Perm.ORG_VIEW,)),
        ("web:student_import", "", "นำเข้านักเรียน", "Import learners", (Perm.STUDENT_EDIT,)),
    ],
    "esa": [
        ("web:census_esa", "arg", "สถานะการนับจำนวนนักเรียน", "Census status", (Perm.ORG_VIEW,)),
        ("web:attendance_overview", "?esa", "เวลาเรียนของโรงเรียน", "Schools' attendance", (Perm.ORG_VIEW,)),
        ("web:unit_indicators", "arg", "ตัวชี้วัด", "Indicators", (Perm.ORG_VIEW,)),
        ("web:duplicate_list", "", "ทะเบียนซ้ำซ้อน", "Duplicate claims", (Perm.DUPLICATE_RESOLVE,)),
    ],
    "region": [("web:unit_indicators", "arg", "ตัวชี้วัด", "Indicators", (Perm.ORG_VIEW,))],
    "nation": [
        ("web:unit_indicators", "arg", "ตัวชี้วัด", "Indicators", (Perm.ORG_VIEW,)),
        ("web:census_rounds", "", "รอบการสำรวจข้อมูลนักเรียน", "Census rounds", (Perm.ORG_VIEW,)),
    ],
}


def unit_pages(actor: Actor, unit: OrgUnit) -> list[tuple[str, str]]:
    """(label, url) of the pages about ``unit`` the actor may open (students, census, indicators …)."""
    language = current_language()
    pages: list[tuple[str, str]] = []
    for name, how, th, en, perms in _UNIT_PAGES.get(unit.kind, []):
        if not any(actor.can(p, unit.path) for p in perms):
            continue
        url = maybe_reverse(name, unit.code) if how == "arg" else maybe_reverse(name)
        if url is None:
            continue
        if how.startswith("?"):
            url = f"{url}?{how[1:]}={unit.code}"
        pages.append((pick(th, en, language), url))
    return pages


@login_required
def org_unit(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    unit = _get_unit(actor, code)
    if unit.kind == OrgUnit.Kind.SCHOOL:
        return redirect("web:school", code=unit.code)
    summary = unit_summary(actor, unit)
    sort = request.GET.get("sort", "name")
    direction = "desc" if request.GET.get("dir") == "desc" else "asc"
    summary.children = sort_rows(summary.children, sort, direction)
    return render(
        request,
        "web/org/unit.html",
        {
            "unit": unit,
            "summary": summary,
            "kind_label": KIND_LABELS[unit.kind],
            "crumbs": breadcrumbs(unit),
            "unit_pages": unit_pages(actor, unit),
            "sort": sort if sort in SORT_KEYS else "name",
            "dir": direction,
        },
    )


@login_required
def org_search(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    query = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    if kind not in OrgUnit.Kind.values:
        kind = ""
    results = [
        {"unit": u, "url": unit_url(u), "kind_label": KIND_LABELS[u.kind]}
        for u in (selectors.unit_search(actor, query, kind=kind or None) if query else [])
    ]
    context = {
        "q": query,
        "kind": kind,
        "kinds": [(k, KIND_LABELS[k]) for k in OrgUnit.Kind.values],
        "results": results,
        "searched": bool(query),
    }
    # A live-search request gets only the results; a history restore needs the whole page.
    if request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "web/partials/search_results.html", context)
    return render(request, "web/org/search.html", context)


def school_context(school: School) -> dict[str, Any]:
    """Display values for a school profile (labels picked by the active language)."""
    language = current_language()
    grade_labels = dict(School.Grade.choices)

    def grade(g: str) -> str:
        return grade_labels.get(g, g) if language == "th" else g

    return {
        "school": school,
        "unit": school.unit,
        "esa": school.unit.parent,
        "affiliation": AFFILIATIONS.get(school.affiliation, (school.affiliation, school.affiliation)),
        "area_label": AREA_TYPE_LABELS.get(school.area_type, ("", "")),
        "level_label": LEVEL_TYPE_LABELS.get(school.level_type, ("", "")),
        "band_label": SIZE_BAND_LABELS.get(school.size_band, UNSET_BAND_LABEL),
        "grade_span": f"{grade(school.lowest_grade)} – {grade(school.highest_grade)}",
        "small": school.student_count <= SMALL_SCHOOL_MAX,
    }


@login_required
def school_profile(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    school = _get_school(actor, code)
    context = school_context(school)
    context["crumbs"] = breadcrumbs(school.unit)
    context["can_edit"] = actor.can(Perm.SCHOOL_EDIT, school.unit.path)
    context["unit_pages"] = unit_pages(actor, school.unit)
    return render(request, "web/school/profile.html", context)


# ---------------------------------------------------------------------------------------------
# Editing a school's own profile


def both(th: str, en: str) -> str:
    """A form error in Thai and English together: web forms show both (docs/architecture.md)."""
    return f"{th} / {en}"


_LAT_RANGE = both("ละติจูดในประเทศไทยอยู่ระหว่าง 5 ถึง 21", "Latitude in Thailand is between 5 and 21")
_LON_RANGE = both("ลองจิจูดในประเทศไทยอยู่ระหว่าง 97 ถึง 106", "Longitude in Thailand is between 97 and 106")
_NUMBER_ERRORS = {
    "invalid": both("กรุณากรอกตัวเลข", "Enter a number"),
    "max_decimal_places": both("ทศนิยมได้ไม่เกิน 5 ตำแหน่ง", "At most 5 decimal places"),
    "max_digits": both("ตัวเลขยาวเกินไป", "Too many digits"),
    "max_whole_digits": both("ตัวเลขยาวเกินไป", "Too many digits"),
}


class SchoolProfileForm(forms.Form):
    """The fields a school maintains itself (core.services.SCHOOL_EDITABLE_FIELDS)."""

    name_en = forms.CharField(
        label=bi("ชื่อโรงเรียนภาษาอังกฤษ", "School name in English"),
        max_length=255,
        required=False,
        error_messages={"max_length": both("ยาวได้ไม่เกิน 255 ตัวอักษร", "At most 255 characters")},
    )
    address = forms.CharField(
        label=bi("ที่อยู่", "Address"),
        max_length=255,
        required=False,
        error_messages={"max_length": both("ยาวได้ไม่เกิน 255 ตัวอักษร", "At most 255 characters")},
    )
    phone = forms.CharField(
        label=bi("โทรศัพท์", "Phone"),
        max_length=30,
        required=False,
        validators=[
            RegexValidator(
                r"^[0-9+\-() ]*$",
                message=both("ใช้ได้เฉพาะตัวเลข เว้นวรรค และ + - ( )", "Use only digits, spaces and + - ( )"),
            )
        ],
        error_messages={"max_length": both("ยาวได้ไม่เกิน 30 ตัวอักษร", "At most 30 characters")},
    )
    area_type = forms.ChoiceField(
        label=bi("เขตที่ตั้ง", "Area"),
        choices=[("urban", bi("ในเมือง", "Urban")), ("rural", bi("ชนบท", "Rural"))],
        error_messages={
            "required": both("กรุณาเลือกเขตที่ตั้ง", "Choose an area"),
            "invalid_choice": both("ตัวเลือกไม่ถูกต้อง", "Not a valid choice"),
        },
    )
    latitude = forms.DecimalField(
        label=bi("ละติจูด", "Latitude"),
        required=False,
        max_digits=8,
        decimal_places=5,
        min_value=Decimal("5"),
        max_value=Decimal("21"),
        error_messages={**_NUMBER_ERRORS, "min_value": _LAT_RANGE, "max_value": _LAT_RANGE},
    )
    longitude = forms.DecimalField(
        label=bi("ลองจิจูด", "Longitude"),
        required=False,
        max_digits=8,
        decimal_places=5,
        min_value=Decimal("97"),
        max_value=Decimal("106"),
        error_messages={**_NUMBER_ERRORS, "min_value": _LON_RANGE, "max_value": _LON_RANGE},
    )

    @classmethod
    def initial_for(cls, school: School) -> dict[str, Any]:
        return {
            "name_en": school.unit.name_en,
            "address": school.address,
            "phone": school.phone,
            "area_type": school.area_type,
            "latitude": school.latitude,
            "longitude": school.longitude,
        }

    def changed_values(self, school: School) -> dict[str, Any]:
        current = self.initial_for(school)
        return {k: v for k, v in self.cleaned_data.items() if v != current[k]}

    def add_problems(self, error: InvalidInput) -> None:
        """Show a service's bilingual problems next to their fields (both languages, ADR 0004)."""
        for problem in error.problems:
            target = problem.field if problem.field in self.fields else None
            self.add_error(target, both(problem.th, problem.en))


@login_required
def school_edit(request: HttpRequest, code: str) -> HttpResponse:
    actor = request_actor(request)
    school = _get_school(actor, code)
    if not actor.can(Perm.SCHOOL_EDIT, school.unit.path):
        # The school is visible, so saying "not allowed" reveals nothing.
        raise DjangoPermissionDenied
    if request.method == "POST":
        form = SchoolProfileForm(request.POST)
        if form.is_valid():
            changes = form.changed_values(school)
            if not changes:
                messages.info(request, bi("ไม่มีข้อมูลที่เปลี่ยนแปลง", "Nothing was changed"))
                return redirect("web:school", code=school.unit.code)
            try:
                school_update_profile(actor=actor, school=school, data=changes)
            except CorePermissionDenied:
                raise DjangoPermissionDenied from None
            except InvalidInput as error:
                form.add_problems(error)
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, bi("บันทึกข้อมูลโรงเรียนแล้ว", "School profile saved"))
                return redirect("web:school", code=school.unit.code)
            # The service rolled back; reload so the page shows what is really stored.
            school = _get_school(actor, code)
    else:
        form = SchoolProfileForm(initial=SchoolProfileForm.initial_for(school))
    context = school_context(school)
    context["crumbs"] = breadcrumbs(school.unit, link_self=True)
    context["crumbs"].append({"label": pick("แก้ไขข้อมูล", "Edit profile"), "url": None})
    context["form"] = form
    return render(request, "web/school/edit.html", context, status=400 if form.errors else 200)


# Unit codes are digits and capitals (OBEC, R01, 10120, 1012000001); lower-case paths under org/
# (org/import/, org/search/) belong to other views.
_CODE = r"(?P<code>[0-9A-Z][0-9A-Z_.-]{0,19})"

urlpatterns: list[URLPattern] = [
    path("org/", org_root, name="org_root"),
    path("org/search/", org_search, name="org_search"),
    re_path(rf"^org/{_CODE}/$", org_unit, name="org_unit"),
    re_path(rf"^schools/{_CODE}/$", school_profile, name="school"),
    re_path(rf"^schools/{_CODE}/edit/$", school_edit, name="school_edit"),
]

"""The home page: what each role sees first after signing in.

National and regional roles get the nation (or their region) at a glance, ESA roles their office
and its schools, school roles their school, the DPO and system administrators their shortcuts on
top. A user without any role is told so, in Thai and English, instead of meeting an empty page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.i18n import set_language as django_set_language

from suksa.core import selectors
from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.i18n import pick
from suksa.core.models import OrgUnit
from suksa.core.policy import Actor, Perm, Role
from suksa.domains.accounts import services as accounts_services
from suksa.interfaces.web.context import first_url, request_actor
from suksa.interfaces.web.views.org import (
    KIND_LABELS,
    UnitSummary,
    school_context,
    sort_rows,
    unit_summary,
    unit_url,
)

# A home page shows at most this many scope roots in full (each costs two queries); the rest are links.
MAX_PANELS = 3
# Rows of a child table on the home page; the org browser shows them all.
MAX_HOME_ROWS = 20

_NATIONAL_ROLES = {Role.NATIONAL_EXECUTIVE, Role.NATIONAL_ME_OFFICER, Role.ME_REVIEWER, Role.INSPECTOR}
_ESA_ROLES = {Role.ESA_DIRECTOR, Role.ESA_OFFICER}
_SCHOOL_ROLES = {Role.SCHOOL_DIRECTOR, Role.SCHOOL_STAFF, Role.TEACHER}


@dataclass(frozen=True)
class Shortcut:
    label: str
    description: str
    url: str


def _shortcuts(actor: Actor) -> list[Shortcut]:
    candidates = [
        (Perm.INSIGHTS_VIEW, ("web:cockpit",), ("แดชบอร์ดผู้บริหาร", "Executive cockpit"),
         ("ตัวชี้วัดเทียบเป้าหมาย พื้นที่ที่ต้องดูแล การแจ้งเตือน และข้อเสนอเชิงนโยบาย",
          "Indicators against targets, areas to watch, alerts and briefs at a glance")),
        (Perm.AUDIT_VIEW, ("web:audit", "web:audit_list"), ("บันทึกการใช้งาน", "Audit log"),
         ("ใครเข้าถึงหรือแก้ไขข้อมูลใด เมื่อใด", "Who read or changed what, and when")),
        (Perm.USER_VIEW, ("web:users", "web:user_list"), ("ผู้ใช้และบทบาท", "Users and roles"),
         ("บัญชีผู้ใช้และสิทธิ์ในหน่วยงานของคุณ", "Accounts and their roles in your units")),
        (Perm.ORG_MANAGE, ("web:orgunit_import",), ("นำเข้าหน่วยงานและโรงเรียน", "Import org units"),
         ("นำเข้าข้อมูลโรงเรียนและหน่วยงานจากไฟล์ CSV หรือ Excel", "Load schools and offices from CSV or Excel")),
    ]  # fmt: skip
    shortcuts = []
    for perm, names, label, description in candidates:
        url = first_url(names)
        if url is not None and actor.can_anywhere(perm):
            shortcuts.append(Shortcut(label=pick(*label), description=pick(*description), url=url))
    return shortcuts


def _heading(actor: Actor) -> tuple[str, str]:
    roles = actor.roles
    kinds = {g.unit_kind for g in actor.grants}
    if roles & _NATIONAL_ROLES:
        if "nation" in kinds:
            return ("ภาพรวมการศึกษาขั้นพื้นฐานทั้งประเทศ", "Basic education nationwide at a glance")
        return ("ภาพรวมเขตตรวจราชการ", "Your inspection region at a glance")
    if roles & _ESA_ROLES:
        return ("สำนักงานเขตพื้นที่การศึกษาของคุณ", "Your Educational Service Area")
    if roles & _SCHOOL_ROLES:
        return ("โรงเรียนของคุณ", "Your school")
    if Role.DPO in roles:
        return ("การคุ้มครองข้อมูลส่วนบุคคล", "Data protection")
    return ("การดูแลระบบ", "System administration")


@dataclass
class Panel:
    unit: OrgUnit
    url: str
    kind_label: tuple[str, str]
    summary: UnitSummary | None = None
    school: dict[str, Any] | None = None
    more_rows: int = 0
    edit_url: str | None = None


def _panels(actor: Actor) -> tuple[list[Panel], list[OrgUnit]]:
    roots = actor.scope_paths(Perm.ORG_VIEW)
    units = list(selectors.units_visible_to(actor).filter(path__in=roots).order_by("path"))
    panels: list[Panel] = []
    for unit in units[:MAX_PANELS]:
        panel = Panel(unit=unit, url=unit_url(unit), kind_label=KIND_LABELS[unit.kind])
        if unit.kind == OrgUnit.Kind.SCHOOL:
            try:
                panel.school = school_context(selectors.school_get(actor, unit.code))
            except NotFoundOrNoAccess:
                continue  # a school unit without a profile yet: the link below still works
            if actor.can(Perm.SCHOOL_EDIT, unit.path):
                panel.edit_url = reverse("web:school_edit", args=[unit.code])
        else:
            summary = unit_summary(actor, unit)
            # Thai dictionary order with numbers by value, as in the org browser ("ที่ 2" before "ที่ 10").
            summary.children = sort_rows(summary.children, "name", "asc")
            panel.more_rows = max(0, len(summary.children) - MAX_HOME_ROWS)
            summary.children = summary.children[:MAX_HOME_ROWS]
            panel.summary = summary
        panels.append(panel)
    return panels, units[MAX_PANELS:]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.grants:
        return render(request, "web/home_no_role.html")
    panels, others = _panels(actor)
    return render(
        request,
        "web/home.html",
        {
            "heading": _heading(actor),
            "panels": panels,
            "other_units": [(u, unit_url(u)) for u in others],
            "shortcuts": _shortcuts(actor),
            # The DPO and system administrators come for their tools; everyone else for their unit.
            "shortcuts_first": not (actor.roles & (_NATIONAL_ROLES | _ESA_ROLES | _SCHOOL_ROLES)),
        },
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a signed-in person also their stored preference.

    Serves ``/i18n/setlang/`` (name ``set_language``) once config/urls.py routes that path here ahead
    of ``django.conf.urls.i18n``; the cookie, ``next`` handling and checks stay Django's.
    """
    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and language in dict(settings.LANGUAGES):
        accounts_services.user_set_language(user=user, language=language)
    return response


urlpatterns: list[URLPattern] = [path("", home, name="home")]

"""The web shell's context processor: navigation, language and who is signed in, for base.html.

It runs on every rendered page, so it must stay cheap: the actor is built once per request (one
query, cached on ``request.actor``) and everything here is derived from it without further queries.
Links to areas other engineers own (users, audit log, imports, logout) appear only when their URL
names exist, so the shell never breaks while those areas are being built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from suksa.core.i18n import current_language, pick
from suksa.core.policy import ANONYMOUS, ROLE_LABELS, Actor, Perm


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    active: bool


@dataclass(frozen=True)
class RoleBadge:
    label: str
    unit_code: str


def maybe_reverse(name: str, *args: Any) -> str | None:
    """The URL for ``name``, or None when no view is registered under it (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def request_actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    return actor if actor is not None else ANONYMOUS


# (url names to try in order, Thai, English, permission needed anywhere or None, url-name prefixes
# that mark the item as the current page). Several names are tried because the areas' own modules
# choose them (``web:user_list`` today; ``web:users`` was the name first agreed).
# (URL names tried in order, Thai, English, the permissions of which any one shows the item, the
# URL-name prefixes that mark it active).
_NAV: list[tuple[tuple[str, ...], str, str, Perm | tuple[Perm, ...] | None, tuple[str, ...]]] = [
    (("web:home",), "หน้าหลัก", "Home", None, ("home",)),
    (("web:org_root",), "หน่วยงานและโรงเรียน", "Schools & offices", Perm.ORG_VIEW, ("org_root", "org_unit", "school")),
    (("web:org_search",), "ค้นหา", "Search", Perm.ORG_VIEW, ("org_search",)),
    (("web:student_list",), "นักเรียน", "Students", (Perm.STUDENT_VIEW, Perm.ROOM_VIEW), ("student", "transfer", "classroom", "year_end", "duplicate")),
    (("web:attendance_home",), "เวลาเรียน", "Attendance", Perm.ATTENDANCE_RECORD, ("attendance",)),
    (("web:monitoring_home",), "ติดตามประเมินผล", "Monitoring", (Perm.REPORT_VIEW, Perm.REPORT_REVIEW, Perm.MONITORING_MANAGE), ("monitoring", "report", "review")),
    (("web:cockpit",), "แดชบอร์ดผู้บริหาร", "Cockpit", Perm.INSIGHTS_VIEW, ("cockpit",)),
    (("web:insights_home",), "ข้อมูลเชิงลึก", "Insights", Perm.INSIGHTS_VIEW, ("insights",)),
    (("web:alerts",), "การแจ้งเตือน", "Alerts", Perm.ALERT_VIEW, ("alert",)),
    (("web:briefs",), "ข้อเสนอเชิงนโยบาย", "Policy briefs", Perm.BRIEF_VIEW, ("brief",)),
    (("web:users", "web:user_list"), "ผู้ใช้", "Users", Perm.USER_VIEW, ("user", "role_")),
    (("web:audit", "web:audit_list"), "บันทึกการใช้งาน", "Audit log", Perm.AUDIT_VIEW, ("audit",)),
    (("web:orgunit_import",), "นำเข้าหน่วยงาน", "Import org units", Perm.ORG_MANAGE, ("orgunit_import",)),
]  # fmt: skip


def first_url(names: tuple[str, ...]) -> str | None:
    for name in names:
        url = maybe_reverse(name)
        if url is not None:
            return url
    return None


def nav_items(actor: Actor, current_url_name: str | None, language: str) -> list[NavItem]:
    items: list[NavItem] = []
    if not actor.is_authenticated:
        return items
    current = current_url_name or ""
    for names, th, en, perm, prefixes in _NAV:
        perms = (perm,) if isinstance(perm, Perm) else perm
        if perms is not None and not any(actor.can_anywhere(p) for p in perms):
            continue
        url = first_url(names)
        if url is None:
            continue
        active = bool(current) and current.startswith(prefixes)
        key = names[0].split(":")[1]
        items.append(NavItem(key=key, label=pick(th, en, language), url=url, active=active))
    return items


def role_badges(actor: Actor, language: str) -> list[RoleBadge]:
    badges: list[RoleBadge] = []
    for grant in actor.grants:
        th, en = ROLE_LABELS[grant.role]
        code = [p for p in grant.unit_path.split("/") if p][-1] if grant.unit_path.strip("/") else ""
        badges.append(RoleBadge(label=pick(th, en, language), unit_code=code))
    return badges


def user_display_name(request: HttpRequest, language: str) -> str:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    display = getattr(user, "display_name", None)
    return display(language) if callable(display) else str(user.get_username())


def shell(request: HttpRequest) -> dict[str, Any]:
    language = current_language()
    actor = request_actor(request)
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match is not None else None
    return {
        "shell": {
            "language": language,
            "is_authenticated": actor.is_authenticated,
            "user_name": user_display_name(request, language),
            "roles": role_badges(actor, language),
            "nav": nav_items(actor, url_name, language),
            "can_search": actor.can_anywhere(Perm.ORG_VIEW),
            "search_url": maybe_reverse("web:org_search"),
            "home_url": maybe_reverse("web:home") or "/",
            "logout_url": maybe_reverse("web:logout") if actor.is_authenticated else None,
            "password_change_url": maybe_reverse("web:password_change") if actor.is_authenticated else None,
            "login_url": maybe_reverse("web:login"),
            "set_language_url": maybe_reverse("set_language"),
        }
    }

"""The monitoring home: the current rounds and, per role, the way in.

ESA staff see their own report of each open round; reviewers their queue; the bureau, executives
and inspectors the national boards; M&E officers also the catalogue and setup. Links to pages of
other modules appear only when their URL names exist (``maybe_reverse``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from suksa.core.i18n import current_language, pick
from suksa.core.policy import Perm
from suksa.domains.monitoring.models import Report, Round
from suksa.domains.monitoring.selectors import reports_visible_to
from suksa.domains.monitoring.services.locking import today
from suksa.interfaces.web.context import maybe_reverse, request_actor

PHASE_LABELS = {
    "upcoming": ("ยังไม่เปิด", "Not open yet"),
    "open": ("เปิดรับรายงาน", "Open"),
    "overdue": ("เลยกำหนดส่ง (ยังไม่ปิดรอบ)", "Past due (not locked)"),
    "locked": ("ปิดรอบแล้ว", "Locked"),
}

# (URL name, Thai, English, any of these permissions shows it)
LINKS: tuple[tuple[str, str, str, tuple[Perm, ...]], ...] = (
    ("web:monitoring_reports", "รายงานของเขตพื้นที่", "ESA reports", (Perm.REPORT_VIEW,)),
    ("web:review_queue", "รายงานที่ต้องพิจารณา", "Reports to review", (Perm.REPORT_REVIEW,)),
    ("web:monitoring_status", "สถานะการรายงานทั้งประเทศ", "National status board", (Perm.REPORT_VIEW, Perm.MONITORING_MANAGE)),
    ("web:monitoring_quality", "คุณภาพข้อมูล", "Data quality", (Perm.REPORT_VIEW, Perm.MONITORING_MANAGE)),
    ("web:monitoring_burden", "ภาระการรายงาน", "Reporting burden", (Perm.MONITORING_MANAGE, Perm.REPORT_VIEW)),
    ("web:monitoring_problems", "ปัญหาข้อมูลที่แจ้ง", "Data problems raised", (Perm.MONITORING_MANAGE, Perm.REPORT_EDIT)),
    ("web:monitoring_catalogue", "บัญชีตัวชี้วัด", "Indicator catalogue", (Perm.ORG_VIEW,)),
    ("web:monitoring_frameworks", "กรอบการติดตามและรอบการรายงาน", "Frameworks and rounds", (Perm.ORG_VIEW,)),
    ("web:monitoring_targets", "ค่าเป้าหมาย", "Targets", (Perm.MONITORING_MANAGE,)),
    ("web:monitoring_external_import", "นำเข้าข้อมูลจากแหล่งภายนอก", "Import external values", (Perm.MONITORING_MANAGE,)),
)  # fmt: skip


@dataclass(frozen=True)
class RoundRow:
    round: Round
    phase: str
    phase_label: str
    own_reports: list[Report]


@login_required
def monitoring_home(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if not actor.can_anywhere(Perm.ORG_VIEW):
        raise DjangoPermissionDenied
    language = current_language()
    day = today()
    rounds = list(Round.objects.select_related("framework").filter(opens_on__lte=day, locks_on__gte=day))
    upcoming = Round.objects.select_related("framework").filter(opens_on__gt=day).order_by("opens_on").first()
    own: dict[int, list[Report]] = {}
    if actor.can_anywhere(Perm.REPORT_EDIT) and rounds:
        for report in (
            reports_visible_to(actor)
            .filter(round__in=rounds)
            .filter(actor.scope_q(Perm.REPORT_EDIT, "esa__path"))
            .select_related("esa")
            .order_by("esa__code")
        ):
            own.setdefault(report.round_id, []).append(report)
    rows = [
        RoundRow(r, r.phase(day), pick(*PHASE_LABELS[r.phase(day)], language), own.get(r.pk, []))
        for r in rounds
    ]
    links = []
    for name, th, en, perms in LINKS:
        if any(actor.can_anywhere(p) for p in perms):
            url = maybe_reverse(name)
            if url is not None:
                links.append({"url": url, "label": pick(th, en, language), "key": name.split(":")[1]})
    return render(
        request,
        "web/monitoring/home.html",
        {"rows": rows, "upcoming": upcoming, "links": links, "today": day},
    )


urlpatterns: list[URLPattern] = [path("monitoring/", monitoring_home, name="monitoring_home")]

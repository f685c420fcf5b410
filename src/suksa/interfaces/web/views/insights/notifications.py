"""In-app notifications: one's own list, and marking one read.

- ``notifications`` (``?unread=1&page=``): the viewer's notifications, newest first, unread marked.
- ``notification_read`` ``<notification_id>`` (POST, optional ``open=1``): marks it read, then goes
  back to the list, or to what it is about when ``open`` is given. Someone else's is not found.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from suksa.core.errors import NotFoundOrNoAccess
from suksa.core.i18n import pick
from suksa.domains.insights import selectors_alerts as sel
from suksa.domains.insights.services import alerts as svc
from suksa.interfaces.web.context import request_actor

TEMPLATES = "web/insights/notifications/"
PAGE_SIZE = 50
PAGE_MAX = 10**6


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    unread = request.GET.get("unread") == "1"
    raw = request.GET.get("page", "1")
    page_no = int(raw) if raw.isdigit() and 0 < int(raw) <= PAGE_MAX else 1
    page = Paginator(sel.notifications_for(actor, unread_only=unread), PAGE_SIZE).get_page(page_no)
    context = {
        "crumbs": [{"label": pick("การแจ้งเตือนถึงฉัน", "My notifications"), "url": None}],
        "page": page,
        "unread": unread,
    }
    return render(request, TEMPLATES + "list.html", context)


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    actor = request_actor(request)
    try:
        n = svc.mark_read(actor, notification_id)
    except NotFoundOrNoAccess:
        raise Http404 from None
    if (
        request.POST.get("open") == "1"
        and n.url
        and url_has_allowed_host_and_scheme(n.url, allowed_hosts=None)
    ):
        return redirect(n.url)
    return redirect("web:notifications")


urlpatterns: list[URLPattern] = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/<int:notification_id>/read/", notification_read, name="notification_read"),
]

"""The unread-notifications link of the top bar (one count query, signed-in users only)."""

from __future__ import annotations

from typing import Any

from django import template

from suksa.core.notify import unread_count
from suksa.interfaces.web.context import maybe_reverse

register = template.Library()


@register.inclusion_tag("web/insights/notifications/_topbar.html", takes_context=True)
def notifications_link(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    url = maybe_reverse("web:notifications")
    if user is None or not user.is_authenticated or url is None:
        return {"url": None, "unread": 0}
    return {"url": url, "unread": unread_count(user.pk)}

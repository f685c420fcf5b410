"""Query-string values the web pages share: ids parsed with a bilingual problem naming the field."""

from __future__ import annotations

from django.http import HttpRequest

from suksa.core.errors import Problem

# The largest primary key a bigint column holds: a larger number is not an id of anything.
PK_MAX = 2**63 - 1


def id_param(request: HttpRequest, name: str, th: str, en: str) -> tuple[int | None, list[Problem]]:
    """A positive whole number from the query string (None when absent), or a bilingual problem
    naming the parameter (``th``/``en`` are its label, e.g. "รอบการรายงาน" / "round")."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None, []
    try:
        n = int(raw)
        if 0 < n <= PK_MAX:
            return n, []
    except ValueError:
        pass
    return None, [
        Problem(
            code="invalid_filter",
            th=f"ค่า{th} ({name}) ไม่ถูกต้อง ต้องเป็นเลขจำนวนเต็มบวก",
            en=f"Invalid {en} ({name}); a positive whole number",
            field=name,
        )
    ]

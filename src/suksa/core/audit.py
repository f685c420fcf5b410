"""Write audit entries. Every service calls :func:`record` inside its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import models

from suksa.core.middleware import current_context
from suksa.core.models import AuditEntry
from suksa.core.policy import Actor


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {
        k: [_jsonable(before.get(k)), _jsonable(after.get(k))]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int = "",
    object_repr: str = "",
    unit_path: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    ctx = current_context()
    return AuditEntry.objects.create(
        actor_id=actor.user_id,
        actor_username=actor.username,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:255],
        unit_path=unit_path,
        changes={k: _jsonable(v) for k, v in (changes or {}).items()},
        source=ctx.source if ctx.source != "cli" else actor.source,
        ip_address=ctx.ip_address,
        user_agent=ctx.user_agent,
        request_id=ctx.request_id,
    )


def record_many(entries: list[AuditEntry]) -> None:
    """Bulk-append entries built by an import (one row per changed object)."""
    ctx = current_context()
    for e in entries:
        e.ip_address, e.user_agent, e.request_id = ctx.ip_address, ctx.user_agent, ctx.request_id
    AuditEntry.objects.bulk_create(entries, batch_size=2000)

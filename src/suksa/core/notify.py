"""Tell users something: an in-app :class:`~suksa.core.models.Notification` and, for users with an
e-mail address, an e-mail through Django's configured backend (Thai first, English second).

:func:`notify` is idempotent per (user, kind, subject): telling the same user about the same
alert twice makes one notification. E-mail failures never undo the in-app notification; they are
logged and the notification keeps ``emailed_at`` empty.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from suksa.core.models import Notification

log = logging.getLogger(__name__)


def notify(
    *,
    users: Iterable[int],
    kind: str,
    title_th: str,
    title_en: str,
    body_th: str = "",
    body_en: str = "",
    url: str = "",
    subject_type: str = "",
    subject_id: int | None = None,
    email: bool = True,
) -> list[Notification]:
    """Create one notification per user (skipping those already told about this subject) and
    e-mail each new one. Returns the notifications created."""
    user_ids = sorted(set(users))
    if not user_ids:
        return []
    already: set[int] = set()
    if subject_type and subject_id is not None:
        already = set(
            Notification.objects.filter(
                user_id__in=user_ids, kind=kind, subject_type=subject_type, subject_id=subject_id
            ).values_list("user_id", flat=True)
        )
    created = Notification.objects.bulk_create(
        [
            Notification(
                user_id=uid,
                kind=kind,
                title_th=title_th,
                title_en=title_en,
                body_th=body_th,
                body_en=body_en,
                url=url,
                subject_type=subject_type,
                subject_id=subject_id,
            )
            for uid in user_ids
            if uid not in already
        ]
    )
    if email and created:
        _email(created)
    return created


def _email(items: list[Notification]) -> None:
    emails = dict(
        get_user_model()
        .objects.filter(pk__in=[n.user_id for n in items], is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    messages = []
    sent_ids = []
    for n in items:
        address = emails.get(n.user_id)
        if not address:
            continue
        body = "\n\n".join(part for part in (n.body_th, n.body_en, n.url) if part)
        messages.append(
            EmailMessage(
                subject=f"[Suksa] {n.title_th} / {n.title_en}"[:250],
                body=body or n.title_th,
                from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
                to=[address],
            )
        )
        sent_ids.append(n.pk)
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except Exception:  # a mail server that is down must not lose the in-app notification
        log.exception("notification e-mail failed for %d messages", len(messages))
        return
    Notification.objects.filter(pk__in=sent_ids).update(emailed_at=timezone.now())


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()

"""Optional rephrasing of a brief by an LLM behind an OpenAI-compatible endpoint.

Never required: with no endpoint configured (``SUKSA_LLM_BASE_URL`` blank) briefs keep the template
writer's text. When configured, the template text is sent to ``<base>/chat/completions`` with a
prompt that forbids new numbers; the answer must be JSON with the same parts and keys, and its
text must pass the same number trace (:func:`suksa.analytics.briefs.trace_numbers`) against the same
table of numbers. Anything else — endpoint down, time-out, an error status, garbage, a missing part,
an invented or changed number — falls back to the template text, and the version records why
(``writer = template``, note ``LLM output rejected: …``).
"""

from __future__ import annotations

import copy
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from suksa.domains.insights.services.briefs import trace_version

SYSTEM_PROMPT = (
    "คุณเป็นบรรณาธิการเอกสารนโยบายการศึกษาของไทย เรียบเรียงข้อความให้อ่านง่ายและเป็นทางการ "
    "ห้ามเพิ่มตัวเลขใหม่ ห้ามเปลี่ยนตัวเลข ห้ามปัดเศษ ใช้ตัวเลขทุกตัวตามที่เขียนไว้เท่านั้น "
    "ห้ามเพิ่มข้อเท็จจริงใหม่\n"
    "You edit Thai education policy briefs. Rephrase for clarity in a formal register. Do NOT add, "
    "change or round any number: every number must appear exactly as written in the input. Add no new "
    "facts. Answer with JSON only, with exactly the same structure and keys as the input: "
    '{"summary": {"th": ..., "en": ...}, "findings": [{"key", "text_th", "text_en"}], '
    '"recommendations": [{"key", "text_th", "text_en"}]}.'
)


@dataclass(frozen=True)
class Outcome:
    body: dict[str, Any]
    writer: str  # "llm:<model>" or "template"
    note: str
    accepted: bool
    reason: str = ""  # why the LLM's text was rejected ("" when accepted)


def configured() -> bool:
    return bool(getattr(settings, "SUKSA_LLM_BASE_URL", ""))


class Rejected(Exception):
    """The LLM's answer cannot be used (the message says why, in English)."""


def _payload(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": dict(body.get("summary") or {}),
        "findings": [
            {"key": f["key"], "text_th": f["text_th"], "text_en": f["text_en"]} for f in body["findings"]
        ],
        "recommendations": [
            {"key": r["key"], "text_th": r["text_th"], "text_en": r["text_en"]}
            for r in body["recommendations"]
        ],
    }


def _call(base_url: str, model: str, api_key: str, timeout: float, payload: dict[str, Any]) -> str:
    request_body = {
        "model": model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
        ],
    }
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    url = base_url.rstrip("/") + "/chat/completions"
    req = urllib.request.Request(  # noqa: S310 - the URL comes from the operator's settings
        url, data=json.dumps(request_body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            raw = resp.read(2_000_000)
    except urllib.error.HTTPError as exc:
        raise Rejected(f"the endpoint answered HTTP {exc.code}") from None
    except TimeoutError:
        raise Rejected(f"no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise Rejected(f"no answer within {timeout:g} s") from None
        raise Rejected(f"the endpoint cannot be reached ({exc.reason})") from None
    except OSError as exc:
        raise Rejected(f"the endpoint cannot be reached ({exc})") from None
    try:
        data = json.loads(raw)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise Rejected("the answer is not an OpenAI chat completion") from None
    if not isinstance(content, str):
        raise Rejected("the answer has no text")
    return content


def _parse(content: str, original: dict[str, Any]) -> dict[str, Any]:
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`")
        text = text[text.find("{") :] if "{" in text else text
    try:
        data = json.loads(text)
    except ValueError:
        raise Rejected("the text is not the JSON asked for") from None
    if not isinstance(data, dict):
        raise Rejected("the text is not the JSON asked for")
    body = copy.deepcopy(original)
    summary = data.get("summary")
    if not isinstance(summary, dict) or not all(
        isinstance(summary.get(k), str) and summary[k].strip() for k in ("th", "en")
    ):
        raise Rejected("the summary is missing")
    body["summary"] = {"th": summary["th"].strip(), "en": summary["en"].strip()}
    for part in ("findings", "recommendations"):
        items = data.get(part)
        if not isinstance(items, list) or len(items) != len(original[part]):
            raise Rejected(f"the {part} do not match the input")
        for new, old in zip(items, body[part], strict=True):
            if not isinstance(new, dict) or new.get("key") != old["key"]:
                raise Rejected(f"the {part} keys do not match the input")
            for lang in ("text_th", "text_en"):
                value = new.get(lang)
                if not isinstance(value, str) or not value.strip():
                    raise Rejected(f"{part} {old['key']} has no {lang}")
                old[lang] = value.strip()
    return body


def rephrase(
    body: dict[str, Any],
    numbers: dict[str, dict[str, Any]],
    *,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    timeout: float | None = None,
) -> Outcome:
    """The LLM's rephrasing of ``body`` when it passes every check, else the template text with
    the reason it was rejected."""
    base_url = base_url if base_url is not None else getattr(settings, "SUKSA_LLM_BASE_URL", "")
    model = model if model is not None else (getattr(settings, "SUKSA_LLM_MODEL", "") or "default")
    api_key = api_key if api_key is not None else getattr(settings, "SUKSA_LLM_API_KEY", "")
    timeout = timeout if timeout is not None else float(getattr(settings, "SUKSA_LLM_TIMEOUT", 30))
    try:
        if not base_url:
            raise Rejected("no endpoint is configured")
        content = _call(base_url, model, api_key, timeout, _payload(body))
        candidate = _parse(content, body)
        trace = trace_version(candidate, numbers)
        if not trace["ok"]:
            bad = ", ".join(str(f["number"]) for f in trace["failures"][:10])
            raise Rejected(f"numbers not in the brief's table: {bad}")
    except Rejected as exc:
        reason = str(exc)
        return Outcome(
            body=body,
            writer="template",
            note=f"ไม่ใช้ข้อความจาก LLM ({reason}) ใช้ข้อความจากแม่แบบแทน / LLM output rejected: {reason}; "
            "the template text is kept",
            accepted=False,
            reason=reason,
        )
    return Outcome(
        body=candidate,
        writer=f"llm:{model}"[:80],
        note=f"เรียบเรียงใหม่โดย LLM ({model}) ตัวเลขผ่านการตรวจสอบ / Rephrased by LLM {model}; every number traced",
        accepted=True,
    )

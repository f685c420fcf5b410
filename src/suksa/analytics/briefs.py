"""Policy briefs: a deterministic template writer and the number trace.

A brief's text is written from structured findings (trends, strengths, school models, practices,
alerts, case studies) whose every value is an entry of a ``numbers`` table::

    {ref: {value, display, unit_id, unit_code, indicator, period, source: {model, id}, decimals}}

The writer only ever writes a number as ``numbers[ref]["display"]``; :func:`trace_numbers` reads
the finished text back, extracts every number in it and checks that each one is an entry of the
table (after rounding as displayed). Text that passes the trace says nothing numeric that cannot
be traced to a stored value, a period and an org unit — whoever (or whatever) wrote it.

What the trace reads as a number: runs of Arabic (0-9) or Thai (๐-๙) digits, with thousands
separators (``1,234``), a decimal part (``85.2``) and an optional per cent sign (``85.2%``). Signs are
not read: the writer says "fell"/"ลดลง" and writes magnitudes, so ``-1.2`` and ``1.2`` match the same
entry and an entry matches its absolute value.

Exempt (not numbers about the data, see ``EXEMPT_REASONS``):

* ``year``: a 4-digit number *without* thousands separator between 2400 and 2700 (Buddhist Era) or
  1900 and 2100 (Common Era). The writer writes every count of 1,000 or more with a separator, so a
  bare 4-digit number in that range is always a year;
* ``date``: a day of the month before a Thai or English month name (``1 ต.ค. 2568``, ``1 October``)
  and ``d/m/yyyy``;
* ``grade``: a class level (``ป.6``, ``ม.3``, ``อ.2``, ``P.6``, ``M3``, ``Grade 9``);
* ``identifier``: digits glued to a Latin letter (``m12`` in the round key ``2569/m12``, ``FY2568``,
  ``SDG4``);
* ``label``: digits inside one of the caller's ``labels`` (names of org units such as
  ``สพป.เชียงใหม่ เขต 1``, indicator names), and ``เขต N`` / ``Area N`` / ``Region N`` / ``ภาค N``.

A number matches an entry when it equals the entry's ``display`` (its numeric part), or the entry's
value rounded half-up to as many decimals as the text shows (``85.24`` matches "85.2" and "85"), or,
for a per cent written from a share stored as a fraction, 100 × value rounded the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
_D = "[0-9๐-๙]"

# A number: grouped thousands or a plain run of digits, an optional decimal part, optional %.
NUMBER_RE = re.compile(rf"(?P<num>{_D}{{1,3}}(?:,{_D}{{3}})+(?:\.{_D}+)?|{_D}+(?:\.{_D}+)?)(?P<pct>\s?%)?")
_THAI_MONTHS = (
    "มกราคม|กุมภาพันธ์|มีนาคม|เมษายน|พฤษภาคม|มิถุนายน|กรกฎาคม|สิงหาคม|กันยายน|ตุลาคม|พฤศจิกายน|ธันวาคม|"
    r"ม\.ค\.|ก\.พ\.|มี\.ค\.|เม\.ย\.|พ\.ค\.|มิ\.ย\.|ก\.ค\.|ส\.ค\.|ก\.ย\.|ต\.ค\.|พ\.ย\.|ธ\.ค\."
)
_EN_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# Spans whose digits are not numbers about the data (the reason is the group name).
_EXEMPT_SPANS = re.compile(
    rf"(?P<date>\b{_D}{{1,2}}/{_D}{{1,2}}/{_D}{{2,4}}|{_D}{{1,2}}\s?(?:{_THAI_MONTHS})"
    rf"|{_D}{{1,2}}\s(?:{_EN_MONTHS})\b|\b(?:{_EN_MONTHS})\s{_D}{{1,2}}\b)"
    rf"|(?P<grade>(?<![ก-๙])(?:ป|ม|อ)\.\s?{_D}(?:\s?[-–]\s?{_D})?|\b(?:P|M)\.?\s?{_D}\b|\b(?:Grade|grade)\s{_D}{{1,2}}\b)"
    rf"|(?P<identifier>[A-Za-z]+{_D}+)"
    rf"|(?P<label>เขต\s?{_D}+|\b(?:Area|Region|Zone)\s{_D}+|ภาค\s?{_D}+)"
)
EXEMPT_REASONS = {
    "year": "ปี พ.ศ./ค.ศ. / a year",
    "date": "วันที่ / a date",
    "grade": "ระดับชั้น / a class level",
    "identifier": "รหัส / an identifier",
    "label": "ชื่อหน่วยงานหรือตัวชี้วัด / a name",
}
WHY_NOT_FOUND = "ไม่มีในตารางตัวเลขของรายงาน / not in the brief's table of numbers"
WHY_ROUNDING = "ไม่ตรงกับค่าที่ปัดเศษแล้ว ({display}) / does not match the rounded value ({display})"


@dataclass(frozen=True)
class TraceFailure:
    text: str  # the sentence (or text) holding the number
    number: str  # the number as written
    why: str  # bilingual reason
    index: int  # which of the texts
    near: str = ""  # the closest entry's ref, when a digit differs

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "number": self.number,
            "why": self.why,
            "index": self.index,
            "near": self.near,
        }


@dataclass(frozen=True)
class TraceResult:
    """The trace of some texts against a table of numbers.

    ``checked`` counts the numbers read and checked; ``matched`` says which entry each checked number
    matched (``[(number, ref)]``); ``exempt`` the numbers set aside (``[(number, reason)]``).
    """

    ok: bool
    checked: int
    failures: tuple[TraceFailure, ...] = ()
    matched: tuple[tuple[str, str], ...] = ()
    exempt: tuple[tuple[str, str], ...] = ()
    texts: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "failures": [f.as_dict() for f in self.failures],
            "matched": [list(m) for m in self.matched],
            "exempt": [list(e) for e in self.exempt],
            "texts": self.texts,
        }


def to_arabic(text: str) -> str:
    """Thai digits replaced by Arabic ones."""
    return text.translate(_TO_ARABIC)


def parse_number(written: str) -> Decimal | None:
    """The value of a number as written (Thai or Arabic digits, separators, ``%``), or None."""
    s = to_arabic(written).replace(",", "").replace("%", "").strip().lstrip("+-−")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _decimals(written: str) -> int:
    s = to_arabic(written).replace("%", "").strip()
    return len(s.split(".", 1)[1]) if "." in s else 0


def _round(value: Decimal, places: int, mode: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=mode)


def _display_number(display: str) -> Decimal | None:
    m = NUMBER_RE.search(display or "")
    return parse_number(m.group("num")) if m else None


def _entry_matches(token: Decimal, places: int, entry: Mapping[str, Any], percent: bool) -> bool:
    shown = _display_number(str(entry.get("display", "")))
    if shown is not None and abs(shown) == token:
        return True
    raw = entry.get("value")
    if raw is None or isinstance(raw, bool):
        return False
    try:
        value = abs(Decimal(str(raw)))
    except InvalidOperation:
        return False
    candidates = [value]
    if percent and value <= 1:
        candidates.append(value * 100)
    for v in candidates:
        for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN):
            if _round(v, places, mode) == token:
                return True
    return False


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding ``text[start:end]`` (for the failure report)."""
    left = max(text.rfind(sep, 0, start) for sep in (". ", "\n", "  ", "। "))
    rights = [i for i in (text.find(sep, end) for sep in (". ", "\n", "  ")) if i != -1]
    right = min(rights) if rights else len(text)
    return text[left + 1 if left >= 0 else 0 : right].strip()


def _exempt_mask(text: str, labels: Sequence[str]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for label in labels:
        if not any(ch.isdigit() for ch in label) or not any(ch.isalpha() for ch in label):
            continue
        start = text.find(label)
        while start != -1:
            spans.append((start, start + len(label), "label"))
            start = text.find(label, start + 1)
    for m in _EXEMPT_SPANS.finditer(text):
        kind = m.lastgroup or "label"
        spans.append((m.start(), m.end(), kind))
    return spans


def _is_year(written: str) -> bool:
    s = to_arabic(written)
    if not re.fullmatch(r"\d{4}", s):
        return False
    n = int(s)
    return 2400 <= n <= 2700 or 1900 <= n <= 2100


def trace_numbers(
    texts: Iterable[str], numbers: Mapping[str, Mapping[str, Any]], *, labels: Iterable[str] = ()
) -> TraceResult:
    """Check that every number in ``texts`` is an entry of ``numbers`` (see the module docstring for
    what counts as a number, what is exempt and how a number matches an entry)."""
    label_list = sorted({lab for lab in labels if lab}, key=len, reverse=True)
    failures: list[TraceFailure] = []
    matched: list[tuple[str, str]] = []
    exempt: list[tuple[str, str]] = []
    checked = 0
    count = 0
    for index, text in enumerate(texts):
        count += 1
        if not text:
            continue
        spans = _exempt_mask(text, label_list)
        for m in NUMBER_RE.finditer(text):
            written = m.group(0).strip()
            start, end = m.start("num"), m.end("num")
            reason = next((kind for s, e, kind in spans if s <= start and end <= e), None)
            # "2569/m12": the digits after a slash glued to letters are part of the key.
            if reason is None and m.group("pct") is None and _is_year(m.group("num")):
                reason = "year"
            if reason is not None:
                exempt.append((written, reason))
                continue
            token = parse_number(m.group("num"))
            if token is None:  # pragma: no cover - the pattern only matches digits
                continue
            checked += 1
            places = _decimals(m.group("num"))
            percent = m.group("pct") is not None
            ref = next(
                (r for r, entry in numbers.items() if _entry_matches(token, places, entry, percent)),
                None,
            )
            if ref is not None:
                matched.append((written, ref))
                continue
            near = _nearest(token, numbers)
            why = WHY_NOT_FOUND
            if near:
                why = WHY_ROUNDING.format(display=numbers[near].get("display", ""))
            failures.append(
                TraceFailure(
                    text=_sentence_around(text, start, end), number=written, why=why, index=index, near=near
                )
            )
    return TraceResult(
        ok=not failures,
        checked=checked,
        failures=tuple(failures),
        matched=tuple(matched),
        exempt=tuple(exempt),
        texts=count,
    )


def _nearest(token: Decimal, numbers: Mapping[str, Mapping[str, Any]]) -> str:
    """The ref of an entry that differs from ``token`` by one digit or a decimal shift (a likely
    typo), else ``""``."""
    digits = str(token).replace(".", "")
    for ref, entry in numbers.items():
        shown = _display_number(str(entry.get("display", "")))
        if shown is None:
            continue
        other = str(abs(shown)).replace(".", "")
        if len(other) == len(digits) and sum(a != b for a, b in zip(other, digits, strict=True)) == 1:
            return ref
    return ""


# --- numbers -------------------------------------------------------------------------------------


def format_number(value: float | int, decimals: int = 1) -> str:
    """A value as the brief writes it: thousands separators, ``decimals`` places (half-up)."""
    d = (
        _round(Decimal(str(value)), decimals, ROUND_HALF_UP)
        if decimals > 0
        else _round(Decimal(str(value)), 0, ROUND_HALF_UP)
    )
    return f"{d:,.{decimals}f}" if decimals > 0 else f"{int(d):,}"


def number_entry(
    value: float | int,
    *,
    decimals: int = 1,
    unit_id: int | None = None,
    unit_code: str = "",
    unit_name: str = "",
    indicator: str = "",
    period: str = "",
    source: Mapping[str, Any] | None = None,
    what: str = "",
    measure: str = "",
    percent: bool = False,
) -> dict[str, Any]:
    """One entry of a brief's table of numbers (``display`` is what the text writes)."""
    display = format_number(abs(value), decimals)
    return {
        "value": value,
        "display": display + ("%" if percent else ""),
        "decimals": decimals,
        "unit_id": unit_id,
        "unit_code": unit_code,
        "unit_name": unit_name,
        "indicator": indicator,
        "period": period,
        "what": what,
        "measure": measure,  # the indicator's unit (persons, percent, …): exports suppress small persons
        "source": dict(source) if source else {},
    }


# --- the template writer -------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One finding as the writer gets it. ``kind`` selects the sentence; ``names`` hold the
    words (``{name}_th``/``{name}_en``), ``refs`` map the sentence's number slots to refs of the
    numbers table."""

    key: str
    kind: str  # trend | strength | school_model | practice | alert | case
    names: Mapping[str, str]
    refs: Mapping[str, str]
    tone: str = "neutral"  # good | bad | neutral: orders findings (bad first in warnings)
    priority: float = 0.0  # larger first


@dataclass(frozen=True)
class BriefDraft:
    """The writer's output: the body as stored on a ``BriefVersion`` and the labels to exempt."""

    body: dict[str, Any]
    labels: tuple[str, ...] = field(default_factory=tuple)

    def texts(self) -> list[str]:
        return body_texts(self.body)


def body_texts(body: Mapping[str, Any]) -> list[str]:
    """Every text of a brief body, in reading order (Thai then English of each part)."""
    out: list[str] = []
    summary = body.get("summary") or {}
    out += [str(summary.get("th", "")), str(summary.get("en", ""))]
    for part in ("findings", "recommendations"):
        for item in body.get(part) or []:
            out += [str(item.get("text_th", "")), str(item.get("text_en", ""))]
    return out


_DIRECTION = {
    ("up", True): ("ดีขึ้นต่อเนื่อง", "improved steadily"),
    ("down", True): ("ดีขึ้นต่อเนื่อง", "improved steadily"),
    ("up", False): ("แย่ลงต่อเนื่อง", "worsened steadily"),
    ("down", False): ("แย่ลงต่อเนื่อง", "worsened steadily"),
}
_MOVE = {"up": ("เพิ่มขึ้น", "rose"), "down": ("ลดลง", "fell")}


def _n(numbers: Mapping[str, Mapping[str, Any]], refs: Mapping[str, str], slot: str) -> str:
    return str(numbers[refs[slot]]["display"])


def _sentence(fact: Fact, numbers: Mapping[str, Mapping[str, Any]]) -> tuple[str, str]:
    n = fact.names
    r = fact.refs

    def num(slot: str) -> str:
        return _n(numbers, r, slot)

    def period_en(slot: str) -> str:
        return n.get(f"{slot}_period_en") or n[f"{slot}_period"]

    if fact.kind == "trend":
        direction = n.get("direction", "flat")
        good = n.get("good") == "yes"
        if direction in _MOVE:
            move_th, move_en = _MOVE[direction]
            verdict_th, verdict_en = _DIRECTION[(direction, good)]
            th = (
                f"{n['indicator_th']} ของ{n['unit_th']} {move_th}จาก {num('first')} ในปี {n['first_period']} "
                f"เป็น {num('last')} ในปี {n['last_period']} ({verdict_th} ประมาณ {num('slope')} ต่อปี)"
            )
            en = (
                f"{n['indicator_en']} in {n['unit_en']} {move_en} from {num('first')} in {period_en('first')} "
                f"to {num('last')} in {period_en('last')} ({verdict_en}, about {num('slope')} a year)"
            )
        else:
            th = (
                f"{n['indicator_th']} ของ{n['unit_th']} ไม่เปลี่ยนแปลงอย่างมีนัยสำคัญ "
                f"(ล่าสุด {num('last')} ในปี {n['last_period']})"
            )
            en = (
                f"{n['indicator_en']} in {n['unit_en']} shows no significant trend "
                f"(latest {num('last')} in {period_en('last')})"
            )
        return th + ".", en + "."
    if fact.kind == "strength":
        strong = n.get("verdict") == "strong"
        th = (
            f"{n['unit_th']} {'โดดเด่น' if strong else 'ต้องพัฒนา'}ด้าน{n['domain_th']} เมื่อเทียบกับเขตพื้นที่ที่มีบริบทคล้ายกัน "
            f"(อันดับ {num('rank')} จาก {num('peers')} เขต)"
        )
        en = (
            f"{n['unit_en']} is {'strong' if strong else 'weak'} in {n['domain_en']} against offices of similar "
            f"context (rank {num('rank')} of {num('peers')})"
        )
        return th + ".", en + "."
    if fact.kind == "school_model":
        th = (
            f"ในกลุ่มโรงเรียน{n['group_th']} มีโรงเรียน {num('deviants')} แห่งจาก {num('schools')} แห่ง "
            f"ที่ผลลัพธ์ดีกว่าที่คาดไว้อย่างต่อเนื่อง"
        )
        en = (
            f"Among {n['group_en']} schools, {num('deviants')} of {num('schools')} do consistently better "
            f"than expected"
        )
        if n.get("practice_th"):
            th += f" และมักใช้แนวปฏิบัติ{n['practice_th']}"
            en += f", and they often use {n['practice_en']}"
        return th + ".", en + "."
    if fact.kind == "practice":
        th = (
            f"แนวปฏิบัติ{n['practice_th']} ถูกกล่าวถึงโดย {num('esas')} เขตพื้นที่ "
            f"และสัมพันธ์กับการเปลี่ยนแปลงที่วัดได้ใน{n['indicator_th']}"
        )
        en = (
            f"The practice {n['practice_en']} is described by {num('esas')} offices and goes with measured "
            f"change in {n['indicator_en']}"
        )
        return th + ".", en + "."
    if fact.kind == "alert":
        subject_th = n["title_th"] + (f" — {n['indicator_th']}" if n.get("indicator_th") else "")
        subject_en = n["title_en"] + (f" — {n['indicator_en']}" if n.get("indicator_en") else "")
        if "value" in r and "target" in r:
            th = f"{n['unit_th']}: {subject_th} (ค่า {num('value')} เทียบกับเป้าหมาย {num('target')})"
            en = f"{n['unit_en']}: {subject_en} (value {num('value')} against a target of {num('target')})"
        elif "count" in r:
            th = f"{subject_th}: {num('count')} เขตพื้นที่"
            en = f"{subject_en}: {num('count')} offices"
        else:
            th = f"{n['unit_th']}: {subject_th}"
            en = f"{n['unit_en']}: {subject_en}"
        return th + ".", en + "."
    if fact.kind == "case":
        th = f"{n['unit_th']} เป็นกรณีศึกษาที่ควรถอดบทเรียนด้าน{n['theme_th']}"
        en = f"{n['unit_en']} is a case study worth documenting on {n['theme_en']}"
        if "score" in r:
            th += f" (คะแนนคัดเลือก {num('score')})"
            en += f" (selection score {num('score')})"
        return th + ".", en + "."
    raise ValueError(f"unknown fact kind {fact.kind!r}")


def _recommendation(fact: Fact) -> tuple[str, str] | None:
    n = fact.names
    if fact.kind == "trend" and fact.tone == "bad":
        return (
            f"ให้{n['unit_th']}วิเคราะห์สาเหตุที่{n['indicator_th']}แย่ลง และกำหนดมาตรการแก้ไขพร้อมตัวชี้วัดติดตามในรอบถัดไป",
            f"{n['unit_en']} should analyse why {n['indicator_en']} worsened and set corrective measures "
            f"with indicators to follow in the next round",
        )
    if fact.kind == "trend" and fact.tone == "good":
        return (
            f"ถอดบทเรียนปัจจัยที่ทำให้{n['indicator_th']}ของ{n['unit_th']}ดีขึ้น เพื่อเผยแพร่แก่เขตพื้นที่อื่น",
            f"Document what improved {n['indicator_en']} in {n['unit_en']} and share it with other offices",
        )
    if fact.kind == "strength" and n.get("verdict") == "weak":
        return (
            f"จับคู่{n['unit_th']}กับเขตพื้นที่ที่โดดเด่นด้าน{n['domain_th']}ในกลุ่มบริบทเดียวกันเพื่อแลกเปลี่ยนเรียนรู้",
            f"Pair {n['unit_en']} with offices strong in {n['domain_en']} among its peers to learn from them",
        )
    if fact.kind == "school_model":
        return (
            f"ขยายผลแนวทางของโรงเรียนต้นแบบในกลุ่ม{n['group_th']} ไปยังโรงเรียนอื่นในกลุ่มเดียวกัน",
            f"Scale up what the model {n['group_en']} schools do to the other schools of the group",
        )
    if fact.kind == "practice":
        return (
            f"ส่งเสริมแนวปฏิบัติ{n['practice_th']}ในเขตพื้นที่ที่ยังไม่ได้นำไปใช้ พร้อมติดตามผลด้วยข้อมูล",
            f"Promote {n['practice_en']} where offices do not use it yet, and follow the results with data",
        )
    if fact.kind == "alert":
        return (
            f"ให้{n['unit_th']}รายงานแผนแก้ไขเรื่อง{n['title_th']} และติดตามอย่างใกล้ชิดก่อนรอบรายงานถัดไป",
            f"{n['unit_en']} should report a plan for: {n['title_en']}, followed closely before the next round",
        )
    if fact.kind == "case":
        return (
            f"จัดทำกรณีศึกษาของ{n['unit_th']}ด้าน{n['theme_th']} เพื่อเป็นแหล่งเรียนรู้ของเขตพื้นที่อื่น",
            f"Write up the case of {n['unit_en']} on {n['theme_en']} as a resource for other offices",
        )
    return None


# The names whose digits are part of a name (``เขต 1``, ``ป.3``), not data: exempt from the trace.
# Free text (an alert's title) is never a label: its numbers must trace like any other.
LABEL_NAMES = frozenset({"unit", "indicator", "group", "practice", "domain", "theme"})

_NO_FINDINGS = (
    "ยังไม่มีข้อค้นพบจากการวิเคราะห์ในรอบนี้สำหรับหัวข้อนี้ ข้อมูลที่มีอยู่ยังไม่เพียงพอ",
    "The analysis of this round has no finding on this topic yet: the data are not sufficient.",
)


def write_brief(
    *,
    topic: str,
    title_th: str,
    title_en: str,
    round_th: str,
    round_en: str,
    facts: Sequence[Fact],
    numbers: Mapping[str, Mapping[str, Any]],
    labels: Iterable[str] = (),
    max_findings: int = 6,
) -> BriefDraft:
    """The brief body written from ``facts`` (deterministic: same input, same text).

    Findings come in order of ``priority`` (then key); the summary names the leading finding;
    each finding's ``evidence`` lists its refs; recommendations follow from the findings (one per
    finding that calls for action) and cite the same refs.
    """
    ordered = sorted(facts, key=lambda f: (-f.priority, f.key))[:max_findings]
    findings: list[dict[str, Any]] = []
    recommendations: list[dict[str, Any]] = []
    for i, fact in enumerate(ordered, start=1):
        missing = [slot for slot, ref in fact.refs.items() if ref not in numbers]
        if missing:
            raise KeyError(f"fact {fact.key}: no number for {missing}")
        th, en = _sentence(fact, numbers)
        evidence = [fact.refs[slot] for slot in sorted(fact.refs)]
        findings.append({"key": f"f{i}", "kind": fact.kind, "source_key": fact.key, "text_th": th,
                         "text_en": en, "evidence": evidence, "tone": fact.tone})  # fmt: skip
        rec = _recommendation(fact)
        if rec is not None:
            recommendations.append({"key": f"r{len(recommendations) + 1}", "text_th": rec[0],
                                    "text_en": rec[1], "evidence": evidence, "finding": f"f{i}"})  # fmt: skip
    if findings:
        lead = findings[0]
        bad = sum(1 for f in findings if f["tone"] == "bad")
        summary_th = f"{title_th} ({round_th}): ข้อค้นพบหลักคือ {lead['text_th']} " + (
            "มีประเด็นที่ต้องเฝ้าระวังร่วมด้วย" if bad else "ไม่พบประเด็นที่แย่ลงอย่างมีนัยสำคัญในหัวข้อนี้"
        )
        summary_en = (
            f"{title_en} ({round_en}): the main finding is that {lead['text_en'][0].lower()}{lead['text_en'][1:]} "
            + (
                "Some issues need watching as well."
                if bad
                else "Nothing on this topic worsened significantly."
            )
        )
    else:
        summary_th = f"{title_th} ({round_th}): {_NO_FINDINGS[0]}"
        summary_en = f"{title_en} ({round_en}): {_NO_FINDINGS[1]}"
    all_labels = {round_th, round_en, title_th, title_en, *labels}
    for fact in ordered:
        all_labels.update(v for k, v in fact.names.items() if v and k.rsplit("_", 1)[0] in LABEL_NAMES)
    label_list = sorted(lab for lab in all_labels if any(ch.isalpha() for ch in lab))
    body: dict[str, Any] = {
        "topic": topic,
        "title": {"th": title_th, "en": title_en},
        "summary": {"th": summary_th, "en": summary_en},
        "findings": findings,
        "recommendations": recommendations,
        # Names whose digits are not data (``เขต 1``): the trace sets them aside.
        "labels": label_list,
    }
    return BriefDraft(body=body, labels=tuple(label_list))

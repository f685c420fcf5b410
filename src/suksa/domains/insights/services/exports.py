"""A brief as it leaves the office: PDF (Thai font, HTML template), Word and Excel.

Every export shows the text of one version, the evidence behind each finding and recommendation
(the numbers with their unit, indicator, period and stored source) and the trace status. Counts of
persons between 1 and 4 are suppressed in the numbers table (PDPA; the writer already leaves such
findings out of the text).
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string

from suksa.analytics.suppression import is_small, suppressed_label
from suksa.core import audit
from suksa.core.models import AuditEntry
from suksa.core.pdf import FONT_FAMILY, html_to_pdf
from suksa.core.policy import Actor
from suksa.domains.insights.models import Brief, BriefVersion

PDF_TEMPLATE = "web/insights/briefs/pdf.html"


def publishable_numbers(numbers: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The numbers table with counts of 1-4 persons withheld."""
    out: dict[str, dict[str, Any]] = {}
    th, en = suppressed_label()
    for ref, entry in numbers.items():
        value = entry.get("value")
        if entry.get("measure") == "persons" and isinstance(value, int | float) and is_small(abs(value)):
            out[ref] = {**entry, "value": None, "display": f"{th} / {en}", "suppressed": True}
        else:
            out[ref] = entry
    return out


def _evidence(refs: list[str], numbers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"ref": ref, **numbers[ref]} for ref in refs if ref in numbers]


def context(brief: Brief, version: BriefVersion) -> dict[str, Any]:
    """What every export (and the brief page) shows of one version."""
    numbers = publishable_numbers(version.numbers or {})
    body = version.body or {}
    findings = [
        {**f, "numbers": _evidence(f.get("evidence") or [], numbers)} for f in body.get("findings") or []
    ]
    recommendations = [
        {**r, "numbers": _evidence(r.get("evidence") or [], numbers)}
        for r in body.get("recommendations") or []
    ]
    return {
        "brief": brief,
        "version": version,
        "summary": body.get("summary") or {"th": "", "en": ""},
        "findings": findings,
        "recommendations": recommendations,
        "numbers": sorted(({"ref": k, **v} for k, v in numbers.items()), key=lambda n: n["ref"]),
        "trace": version.trace or {},
        "font_family": FONT_FAMILY,
    }


def record_export(actor: Actor, brief: Brief, version: BriefVersion, fmt: str) -> None:
    """Audit a download: the brief's aggregates leave the platform."""
    audit.record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        object_type="insights.Brief",
        object_id=brief.pk,
        object_repr=f"{brief.topic} v{version.number} {fmt}",
        changes={"format": fmt, "version": version.number},
    )


def brief_html(brief: Brief, version: BriefVersion) -> str:
    return render_to_string(PDF_TEMPLATE, context(brief, version))


def brief_pdf(brief: Brief, version: BriefVersion) -> bytes:
    return html_to_pdf(brief_html(brief, version))


def pdf_texts(brief: Brief, version: BriefVersion) -> list[str]:
    """The texts the PDF writes, in order (what ``pdftotext`` should read back)."""
    body = version.body or {}
    out = [
        brief.title_th,
        brief.title_en,
        body.get("summary", {}).get("th", ""),
        body.get("summary", {}).get("en", ""),
    ]
    for part in ("findings", "recommendations"):
        for item in body.get(part) or []:
            out += [item["text_th"], item["text_en"]]
    return out


def _set_font(run: Any, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT_FAMILY
    run.bold = bold
    if size is not None:
        run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT_FAMILY)
    if size is not None:  # Thai is a complex script: Word sizes it with szCs
        rpr = run._element.get_or_add_rPr()
        szcs = rpr.find(qn("w:szCs"))
        if szcs is None:
            szcs = rpr.makeelement(qn("w:szCs"), {})
            rpr.append(szcs)
        szcs.set(qn("w:val"), str(int(size * 2)))


def brief_docx(brief: Brief, version: BriefVersion) -> bytes:
    from docx import Document

    ctx = context(brief, version)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT_FAMILY

    def para(text: str, size: float = 14, bold: bool = False) -> None:
        _set_font(doc.add_paragraph().add_run(text), size, bold)

    para(brief.title_th, 20, True)
    para(brief.title_en, 16, True)
    para(f"ฉบับที่ {version.number} / Version {version.number}", 11)
    para("สรุป / Summary", 16, True)
    para(ctx["summary"].get("th", ""))
    para(ctx["summary"].get("en", ""))
    for heading, items in (
        ("ข้อค้นพบ / Findings", ctx["findings"]),
        ("ข้อเสนอแนะ / Recommendations", ctx["recommendations"]),
    ):
        para(heading, 16, True)
        for item in items:
            para(item["text_th"])
            para(item["text_en"])
            for n in item["numbers"]:
                src = n.get("source") or {}
                para(
                    f"  • {n['display']} — {n.get('unit_name') or n.get('unit_code', '')} · {n.get('indicator', '')} · "
                    f"{n.get('period', '')} · {src.get('model', '')} #{src.get('id', '')}",
                    10,
                )
    para(_trace_line(ctx["trace"]), 11)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _trace_line(trace: dict[str, Any]) -> str:
    if trace.get("ok"):
        n = trace.get("checked", 0)
        return f"ตรวจสอบย้อนกลับตัวเลขครบ {n} ค่า / All {n} numbers traced"
    failures = trace.get("failures") or []
    return f"ตัวเลขตรวจสอบย้อนกลับไม่ได้ {len(failures)} ค่า / {len(failures)} numbers not traced"


NUMBER_COLUMNS = [
    ("ref", "รหัสอ้างอิง / Ref"),
    ("display", "ค่าที่เขียน / As written"),
    ("value", "ค่า / Value"),
    ("unit_code", "รหัสหน่วยงาน / Unit code"),
    ("unit_name", "หน่วยงาน / Unit"),
    ("indicator", "ตัวชี้วัด / Indicator"),
    ("period", "ช่วงเวลา / Period"),
    ("what", "ชนิด / Kind"),
    ("source_model", "แหล่งข้อมูล / Source"),
    ("source_id", "รหัสแหล่งข้อมูล / Source id"),
]


def brief_xlsx(brief: Brief, version: BriefVersion) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    ctx = context(brief, version)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "findings"
    ws.append(["ส่วน / Part", "รหัส / Key", "ข้อความ (ไทย) / Thai", "English", "หลักฐาน / Evidence refs"])
    ws.append(["summary", "", ctx["summary"].get("th", ""), ctx["summary"].get("en", ""), ""])
    for part in ("findings", "recommendations"):
        for item in ctx[part]:
            ws.append(
                [part, item["key"], item["text_th"], item["text_en"], ", ".join(item.get("evidence") or [])]
            )
    nums = wb.create_sheet("numbers")
    nums.append([label for _, label in NUMBER_COLUMNS])
    for n in ctx["numbers"]:
        src = n.get("source") or {}
        row = {**n, "source_model": src.get("model", ""), "source_id": src.get("id", "")}
        nums.append([_cell(row.get(key)) for key, _ in NUMBER_COLUMNS])
    for sheet in (ws, nums):
        for cell in sheet[1]:
            cell.font = Font(name=FONT_FAMILY, bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)

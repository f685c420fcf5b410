"""Brief exports: the PDF's extracted text equals the text written (Thai shaping, word breaks),
Word with the Thai font, Excel with the numbers and their sources, small counts suppressed."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from pythainlp.tokenize import word_tokenize

from suksa.core.pdf import html_to_pdf
from suksa.core.tests.pdftext import needs_pdftotext, pdf_text
from suksa.domains.insights.models import Brief
from suksa.domains.insights.services.briefs import new_version
from suksa.domains.insights.services.exports import (
    brief_docx,
    brief_pdf,
    brief_xlsx,
    pdf_texts,
    publishable_numbers,
)
from suksa.domains.monitoring.tests.factories import make_framework, round_of
from tests.factories import make_world

pytestmark = needs_pdftotext

TEXT_TH = (
    "อัตราการออกกลางคันของสำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 1 ลดลงจาก 1.8 ในปี 2564 "
    "เป็น 0.9 ในปี 2568 (ดีขึ้นต่อเนื่อง ประมาณ 0.22 ต่อปี) โรงเรียนที่นำแนวปฏิบัติการนิเทศแบบกัลยาณมิตรไปใช้"
    "มีผลสัมฤทธิ์สูงขึ้นอย่างสม่ำเสมอ น้ำใจ ทำ ค่ำ ซ้ำ กล้ำ ปั๊ม ฤๅษี ฐาน ญาติ ปฏิบัติ ศึกษา"
)


def _text(pdf: bytes) -> str:
    out = pdf_text(pdf)
    return re.sub(r"\d+ / \d+\s*$", "", out.strip())  # the page number footer


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _brief() -> Brief:
    world = make_world()
    rnd = round_of(make_framework(2569))
    brief = Brief.objects.create(round=rnd, unit=world.nation, topic="retention",
                                 title_th="การคงอยู่ในระบบ — รอบ 12 เดือน", title_en="Retention — 12-month round")  # fmt: skip
    body = {
        "summary": {"th": TEXT_TH, "en": "Dropout fell from 1.8 to 0.9."},
        "findings": [{"key": "f1", "text_th": TEXT_TH, "text_en": "Dropout fell from 1.8 in 2564 to 0.9 in 2568.",
                      "evidence": ["a", "b"]}],
        "recommendations": [{"key": "r1", "text_th": "ขยายผลการนิเทศแบบกัลยาณมิตรไปยังเขตพื้นที่อื่น",
                             "text_en": "Scale up peer coaching.", "evidence": ["a"]}],
        "labels": ["สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 1"],
    }  # fmt: skip
    numbers = {
        "a": {"value": 1.84, "display": "1.8", "unit_code": "OBEC", "indicator": "dropout", "period": "2564",
              "source": {"model": "core.IndicatorValue", "id": 11}, "measure": "percent"},
        "b": {"value": 0.91, "display": "0.9", "unit_code": "OBEC", "indicator": "dropout", "period": "2568",
              "source": {"model": "core.IndicatorValue", "id": 12}, "measure": "percent"},
        "c": {"value": 0.22, "display": "0.22", "source": {"model": "insights.Trend", "id": 3}},
    }  # fmt: skip
    new_version(brief=brief, body=body, numbers=numbers, actor=None)
    return brief


@pytest.mark.django_db
def test_pdf_text_extracted_equals_the_brief_text() -> None:
    brief = _brief()
    version = brief.versions.get()
    assert version.trace_ok
    pdf = brief_pdf(brief, version)
    assert pdf.startswith(b"%PDF")
    extracted = _squash(_text(pdf))
    written = _squash("".join(pdf_texts(brief, version)))
    # The text part of the PDF comes first, in order, exactly; the evidence table follows.
    assert extracted.startswith(_squash(brief.title_th + brief.title_en))
    position = 0
    for text in pdf_texts(brief, version):
        found = extracted.find(_squash(text), position)
        assert found >= position, f"not found in order: {text!r}"
        position = found + len(_squash(text))
    assert written  # non-empty
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Sarabun" in fonts


def test_pdf_breaks_thai_lines_between_words_only() -> None:
    text = (
        "การติดตามและประเมินผลการจัดการศึกษาขั้นพื้นฐานของสำนักงานเขตพื้นที่การศึกษาทุกแห่งพบว่าผู้เรียน"
        "อ่านออกเขียนได้เพิ่มขึ้นอย่างต่อเนื่องและครูได้รับการนิเทศแบบกัลยาณมิตรอย่างสม่ำเสมอ"
    )
    pdf = html_to_pdf(f"<html lang='th'><body><p>{text}</p></body></html>", extra_css="body { width: 6cm; }")
    lines = [line for line in _text(pdf).splitlines() if line.strip()]
    assert len(lines) >= 4  # it did wrap
    assert _squash("".join(lines)) == _squash(text)
    bounds = {0}
    for word in word_tokenize(text, engine="newmm", keep_whitespace=False):
        bounds.add(max(bounds) + len(word))
    position = 0
    for line in lines[:-1]:
        position += len(_squash(line))
        assert position in bounds, f"line broken inside a word after {line!r}"


@pytest.mark.django_db
def test_docx_and_xlsx_carry_the_text_the_font_and_the_sources() -> None:
    from docx import Document
    from openpyxl import load_workbook

    brief = _brief()
    version = brief.versions.get()
    doc = Document(io.BytesIO(brief_docx(brief, version)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == brief.title_th
    assert TEXT_TH in texts
    run = doc.paragraphs[0].runs[0]
    assert run.font.name == "Sarabun"
    assert 'w:cs="Sarabun"' in run._element.xml
    wb = load_workbook(io.BytesIO(brief_xlsx(brief, version)))
    findings = [list(r) for r in wb["findings"].iter_rows(values_only=True)]
    assert findings[2][:4] == ["findings", "f1", TEXT_TH, "Dropout fell from 1.8 in 2564 to 0.9 in 2568."]
    assert findings[2][4] == "a, b"
    rows = [list(r) for r in wb["numbers"].iter_rows(values_only=True)]
    assert rows[1][:3] == ["a", "1.8", 1.84]
    assert rows[1][-2:] == ["core.IndicatorValue", 11]


def test_small_counts_of_persons_are_suppressed() -> None:
    numbers = {
        "p3": {"value": 3, "display": "3", "measure": "persons"},
        "p0": {"value": 0, "display": "0", "measure": "persons"},
        "s3": {"value": 3, "display": "3", "measure": "count"},
        "p7": {"value": 7, "display": "7", "measure": "persons"},
    }
    out = publishable_numbers(numbers)
    assert out["p3"]["value"] is None
    assert out["p3"]["display"] == "ปกปิด (<5) / suppressed (<5)"
    assert out["p0"] == numbers["p0"]
    assert out["s3"] == numbers["s3"]
    assert out["p7"] == numbers["p7"]

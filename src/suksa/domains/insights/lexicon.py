"""The practices and programmes ESAs name in their narratives: keys, names, Thai aliases, aims.

:data:`PRACTICES` is what the lessons stage looks for in every narrative and outstanding work
(``NarrativeDoc.practices`` holds these keys; the school-models slice reads them too). Each entry
has Thai and English names, the aliases a writer uses (matched longest first; Latin aliases only
as whole words, so ``PA`` is not found in ``PAPER``), its ``kind`` (a teaching or support
``practice``, an OBEC ``programme``, or a ``school_model`` a school carries) and ``outcomes``: the
catalogue indicators the practice *aims* to move, which are the ones the lessons stage tests it
against. Outcomes come from each programme's stated purpose, not from any result — a popular
practice that aims at O-NET and moves nothing is reported as ``no_change``.

The names are those of real OBEC programmes and practices (the demo history uses the first eleven
and the three school models; the demo package cannot be imported from domains, so they are
written here). :func:`custom_words` is the tokeniser's custom dictionary: every name and Thai
alias, so that ``โครงการครูพี่เลี้ยง`` stays one token.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PRIMARY_PREFIX_TH = "สำนักงานเขตพื้นที่การศึกษาประถมศึกษา"
SECONDARY_PREFIX_TH = "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษา"

LEARNING = ("onet_mean_p6", "onet_mean_m3", "nt_mean_p3")


@dataclass(frozen=True)
class PracticeName:
    key: str
    name_th: str
    name_en: str
    aliases: tuple[str, ...]
    outcomes: tuple[str, ...]
    kind: str = "practice"  # practice | programme | school_model

    @property
    def all_aliases(self) -> tuple[str, ...]:
        return (self.name_th, *self.aliases)


_ENTRIES: tuple[PracticeName, ...] = (
    PracticeName("mentoring", "โครงการครูพี่เลี้ยง", "Teacher mentoring programme",
                 ("ครูพี่เลี้ยง", "ระบบพี่เลี้ยง", "Coaching and Mentoring", "การโค้ชครู"),
                 ("onet_mean_p6", "nt_mean_p3", "onet_mean_m3"), "programme"),
    PracticeName("active_learning", "การสอนแบบ Active Learning", "Active learning",
                 ("Active Learning", "การเรียนรู้เชิงรุก", "การจัดการเรียนรู้เชิงรุก"),
                 ("onet_mean_m3", "onet_mean_m6", "onet_mean_p6")),
    PracticeName("reading", "การอ่านออกเขียนได้", "Reading and writing for every child",
                 ("คลินิกการอ่าน", "แจกลูกสะกดคำ", "อ่านออกเขียนได้ทุกคน"),
                 ("reading_literacy_rate", "rt_mean_p1"), "programme"),
    PracticeName("student_care", "ระบบดูแลช่วยเหลือนักเรียน", "Student care and support system",
                 ("ดูแลช่วยเหลือนักเรียน", "เยี่ยมบ้านนักเรียน"),
                 ("dropout_rate", "chronic_absenteeism_rate", "attendance_rate")),
    PracticeName("zero_dropout", "โครงการพาน้องกลับมาเรียน", "Bring children back to school",
                 ("พาน้องกลับมาเรียน", "Zero Dropout"),
                 ("out_of_school_rate", "children_returned"), "programme"),
    PracticeName("kalayanamit", "การนิเทศแบบกัลยาณมิตร", "Collegial (kalyanamitra) supervision",
                 ("นิเทศแบบกัลยาณมิตร", "กัลยาณมิตรนิเทศ"),
                 ("supervision_coverage", "nt_mean_p3")),
    PracticeName("dltv", "การเรียนการสอนทางไกลผ่านดาวเทียม (DLTV)", "Distance learning television (DLTV)",
                 ("DLTV", "การศึกษาทางไกลผ่านดาวเทียม", "การเรียนการสอนทางไกลผ่านดาวเทียม"),
                 ("dltv_usage_rate",), "programme"),
    PracticeName("plc", "ชุมชนการเรียนรู้ทางวิชาชีพ (PLC)", "Professional learning communities (PLC)",
                 ("PLC", "ชุมชนการเรียนรู้ทางวิชาชีพ"), LEARNING),
    PracticeName("quality_classroom", "ห้องเรียนคุณภาพ", "Quality classrooms", (), LEARNING, "programme"),
    PracticeName("vpa", "การพัฒนางานตามข้อตกลง (PA)", "Performance agreements (PA)",
                 ("PA", "วPA", "ข้อตกลงในการพัฒนางาน", "การพัฒนางานตามข้อตกลง"), LEARNING),
    PracticeName("coding", "การจัดการเรียนรู้ Coding", "Coding for all",
                 ("Coding", "โค้ดดิ้ง"), ("onet_mean_m3", "onet_mean_m6")),
    # School models (what positive-deviant schools share).
    PracticeName("multigrade", "โรงเรียนขนาดเล็กรวมชั้นเรียน", "Small-school multi-grade teaching",
                 ("การจัดการเรียนรู้แบบคละชั้น", "สอนแบบคละชั้น", "คละชั้น"),
                 ("onet_mean_p6",), "school_model"),
    PracticeName("tambon", "โรงเรียนคุณภาพประจำตำบล", "Quality school of the subdistrict",
                 ("โรงเรียนคุณภาพของชุมชน",), ("onet_mean_p6", "onet_mean_m3"), "school_model"),
    PracticeName("competency", "การจัดการเรียนรู้ฐานสมรรถนะ", "Competency-based learning",
                 ("ฐานสมรรถนะ", "หลักสูตรฐานสมรรถนะ"), ("onet_mean_m3", "onet_mean_m6"), "school_model"),
    # Other OBEC programmes ESAs report on (not in the demo's texts).
    PracticeName("partnership_school", "โรงเรียนร่วมพัฒนา (Partnership School)", "Partnership schools",
                 ("โรงเรียนร่วมพัฒนา", "Partnership School"), LEARNING, "programme"),
    PracticeName("sufficiency", "สถานศึกษาพอเพียง", "Sufficiency-economy schools",
                 ("ปรัชญาของเศรษฐกิจพอเพียง", "โรงเรียนพอเพียง"), ("dropout_rate",), "programme"),
    PracticeName("white_school", "โรงเรียนสีขาว", "Drug-free (white) schools",
                 ("ปลอดยาเสพติดและอบายมุข",), ("safety_incident_rate",), "programme"),
    PracticeName("english_bootcamp", "English Boot Camp", "English Boot Camp",
                 ("Boot Camp", "ค่ายพัฒนาครูภาษาอังกฤษ"), ("onet_mean_m3", "onet_mean_m6"), "programme"),
    PracticeName("safe_school", "มาตรการความปลอดภัยในสถานศึกษา (MOE Safety Center)", "School safety measures",
                 ("MOE Safety Center", "ศูนย์ความปลอดภัย กระทรวงศึกษาธิการ"),
                 ("safety_incident_rate",), "programme"),
)  # fmt: skip

PRACTICES: dict[str, PracticeName] = {p.key: p for p in _ENTRIES}


def practice_aliases() -> dict[str, tuple[str, ...]]:
    """``{key: (name_th, alias, …)}`` for :func:`suksa.analytics.text.find_aliases`."""
    return {p.key: p.all_aliases for p in _ENTRIES}


def esa_short_name(name_th: str) -> str:
    """``สพป.นนทบุรี เขต 1`` from an ESA's full Thai name (the way narratives name offices)."""
    return name_th.replace(PRIMARY_PREFIX_TH, "สพป.").replace(SECONDARY_PREFIX_TH, "สพม.")


def custom_words(esa_names: Iterable[str] = ()) -> list[str]:
    """The tokeniser's custom dictionary: practice names and Thai aliases, and ESA names (full and
    short). Latin-only aliases are left out (``newmm`` keeps Latin words whole anyway)."""
    words: set[str] = set()
    for p in _ENTRIES:
        for alias in p.all_aliases:
            if any("\u0e00" <= ch <= "\u0e7f" for ch in alias):
                words.add(alias)
    for name in esa_names:
        if name:
            words.add(name)
            words.add(esa_short_name(name))
    return sorted(words)

"""Thai narratives, outstanding-work nominations and reviewers' words for the synthetic history.

Texts are assembled from sentence templates and the names of real Thai programmes and practices,
picked by a random stream per ESA, round and section, so they vary from ESA to ESA and round to
round but are the same for the same seed. An ESA names the practices it adopted (from the year it
adopted them) and the popular ones it likes to mention; the planted truth says which of them
actually moved the numbers (:data:`suksa.demo.monitoring.plan.PRACTICES`). Numbers quoted are the
ESA's own figures of the round unless a claim is planted as unsupported (then the ESA quotes only
"the schools in the project", as real nominations often do).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from suksa.demo.monitoring.plan import (
    PRACTICE,
    SCHOOL_MODEL,
    SPEC,
    EsaTraits,
    claim_label,
)
from suksa.demo.plan import PRIMARY_PREFIX_TH, SECONDARY_PREFIX_TH

INDICATOR_TH = {
    "dropout_rate": "อัตราการออกกลางคัน",
    "repetition_rate": "อัตราการซ้ำชั้น",
    "survival_rate_p6": "อัตราการคงอยู่ถึง ป.6",
    "attendance_rate": "อัตราการมาเรียน",
    "chronic_absenteeism_rate": "อัตราการขาดเรียนเรื้อรัง",
    "out_of_school_rate": "อัตราเด็กนอกระบบการศึกษา",
    "onet_mean_p6": "คะแนนเฉลี่ย O-NET ป.6",
    "onet_mean_m3": "คะแนนเฉลี่ย O-NET ม.3",
    "onet_mean_m6": "คะแนนเฉลี่ย O-NET ม.6",
    "nt_mean_p3": "คะแนนเฉลี่ย NT ป.3",
    "rt_mean_p1": "คะแนนเฉลี่ยการอ่าน RT ป.1",
    "reading_literacy_rate": "ร้อยละนักเรียน ป.1 ที่อ่านออกเขียนได้",
    "safety_incident_rate": "อัตราเหตุความไม่ปลอดภัยในสถานศึกษา",
    "budget_disbursement_rate": "อัตราการเบิกจ่ายงบประมาณ",
    "internet_coverage_rate": "ร้อยละโรงเรียนที่มีอินเทอร์เน็ตใช้งานได้",
    "dltv_usage_rate": "ร้อยละโรงเรียน DLTV ที่ใช้งานสม่ำเสมอ",
    "supervision_coverage": "ร้อยละโรงเรียนที่ได้รับการนิเทศ",
    "teacher_pd_hours": "ชั่วโมงพัฒนาครูเฉลี่ย",
    "action_plan_completion": "ร้อยละโครงการตามแผนที่ดำเนินการแล้ว",
    "children_returned": "จำนวนเด็กที่นำกลับเข้าสู่ระบบ",
    "stakeholder_satisfaction": "ความพึงพอใจของผู้รับบริการ",
    "sar_submission_rate": "ร้อยละโรงเรียนที่ส่งรายงาน SAR",
}

PRACTICE_TEXT: dict[str, tuple[str, ...]] = {
    "mentoring": (
        "จับคู่ครูที่มีประสบการณ์กับครูบรรจุใหม่และครูที่สอนไม่ตรงวิชาเอก สังเกตการสอนในชั้นเรียนเดือนละครั้งและให้ข้อมูลย้อนกลับทันที",
        "ให้ครูแกนนำกลุ่มสาระภาษาไทย คณิตศาสตร์ และวิทยาศาสตร์เป็นพี่เลี้ยงครูในโรงเรียนเครือข่าย ร่วมออกแบบแผนการจัดการเรียนรู้และสื่อการสอน",
        "คัดเลือกครูพี่เลี้ยงจากครูที่มีผลงานดีเด่น อบรมทักษะการโค้ชและการสะท้อนคิด แล้วให้ดูแลครูไม่เกินคนละ 3 คน",
    ),
    "active_learning": (
        "ส่งเสริมให้ครูออกแบบกิจกรรมที่ผู้เรียนได้ลงมือปฏิบัติ ใช้คำถามกระตุ้นการคิด และทำงานเป็นกลุ่ม ลดการบรรยายหน้าชั้นเรียน",
        "จัดอบรมเชิงปฏิบัติการการเรียนรู้เชิงรุกแบบเข้มข้น และติดตามผลผ่านการเปิดชั้นเรียน (Open Class) ภาคเรียนละ 2 ครั้ง",
        "พัฒนาคลังแผนการจัดการเรียนรู้เชิงรุกที่ครูนำไปปรับใช้ได้ทันที พร้อมเกณฑ์การประเมินชิ้นงานของผู้เรียน",
    ),
    "reading": (
        "คัดกรองความสามารถด้านการอ่านของนักเรียน ป.1–ป.3 รายบุคคลทุกภาคเรียน และสอนซ่อมเสริมวันละ 20 นาทีสำหรับนักเรียนที่ยังอ่านไม่คล่อง",
        "ใช้แบบฝึกแจกลูกสะกดคำและกิจกรรมอ่านร่วมกับผู้ปกครองที่บ้าน ติดตามผลทุกเดือนผ่านสมุดบันทึกการอ่าน",
        "จัดตั้งคลินิกการอ่านระดับกลุ่มเครือข่าย ให้ครูภาษาไทยที่มีความเชี่ยวชาญช่วยเหลือโรงเรียนขนาดเล็ก",
    ),
    "student_care": (
        "เยี่ยมบ้านนักเรียนทุกคน คัดกรองนักเรียนกลุ่มเสี่ยง และจัดทำแผนช่วยเหลือรายบุคคลร่วมกับผู้ปกครอง",
        "ติดตามการมาเรียนรายวันผ่านระบบสารสนเทศ เมื่อนักเรียนขาดเรียนติดต่อกัน 3 วัน ครูที่ปรึกษาติดต่อผู้ปกครองทันที",
        "ประสานทุนเสมอภาคกับกองทุนเพื่อความเสมอภาคทางการศึกษา (กสศ.) ให้นักเรียนยากจนพิเศษได้รับความช่วยเหลือครบทุกคน",
    ),
    "zero_dropout": (
        "ร่วมกับองค์กรปกครองส่วนท้องถิ่น ผู้นำชุมชน และอาสาสมัครสาธารณสุข ค้นหาเด็กนอกระบบรายบุคคลจากข้อมูลทะเบียนราษฎร์",
        "จัดทางเลือกการเรียนที่ยืดหยุ่น เช่น การเรียนแบบโมดูลและการเทียบโอนผลการเรียน ให้เด็กที่ออกกลางคันกลับมาเรียนได้",
        "ตั้งศูนย์ติดตามเด็กนอกระบบระดับอำเภอ และรายงานความก้าวหน้าต่อคณะกรรมการศึกษาธิการจังหวัดทุกเดือน",
    ),
    "kalayanamit": (
        "ศึกษานิเทศก์ลงพื้นที่นิเทศแบบกัลยาณมิตร ร่วมวางแผนการสอนกับครูและสังเกตการสอนในห้องเรียนจริง เน้นการเสริมพลังมากกว่าการตรวจ",
        "แบ่งศึกษานิเทศก์รับผิดชอบกลุ่มโรงเรียนเครือข่าย นิเทศต่อเนื่องอย่างน้อยภาคเรียนละ 2 ครั้ง และบันทึกผลการนิเทศผ่านแอปพลิเคชัน",
        "จัดทีมนิเทศร่วมระหว่างศึกษานิเทศก์ ผู้บริหาร และครูแกนนำ ให้ข้อเสนอแนะรายบุคคลภายในหนึ่งสัปดาห์หลังการนิเทศ",
    ),
    "dltv": (
        "ติดตามการใช้การศึกษาทางไกลผ่านดาวเทียม (DLTV) ในโรงเรียนขนาดเล็ก ซ่อมบำรุงอุปกรณ์รับสัญญาณ และจัดครูช่วยสอนประจำห้อง",
        "จัดตารางเรียนให้สอดคล้องกับการออกอากาศ DLTV และให้ครูปลายทางเตรียมกิจกรรมเสริมหลังรับชมทุกคาบ",
    ),
    "plc": (
        "ส่งเสริมให้ครูรวมกลุ่มชุมชนการเรียนรู้ทางวิชาชีพ (PLC) ในโรงเรียนและระหว่างโรงเรียน ครูทุกคนมีชั่วโมง PLC อย่างน้อย 50 ชั่วโมงต่อปี",
        "จัดเวทีแลกเปลี่ยนเรียนรู้ PLC ระดับเขตพื้นที่ภาคเรียนละครั้ง และคัดเลือกกลุ่ม PLC ต้นแบบ",
    ),
    "quality_classroom": (
        "พัฒนาห้องเรียนคุณภาพตามเกณฑ์ของ สพฐ. ครอบคลุมบรรยากาศในชั้นเรียน สื่อการเรียนรู้ และการวัดผล",
        "จัดประกวดห้องเรียนคุณภาพระดับเขตพื้นที่ และมอบเกียรติบัตรแก่ครูที่ผ่านเกณฑ์",
    ),
    "vpa": (
        "ให้ครูทุกคนจัดทำข้อตกลงในการพัฒนางานที่เชื่อมโยงกับผลลัพธ์ของผู้เรียน และติดตามผลภาคเรียนละครั้ง",
        "อบรมผู้บริหารสถานศึกษาให้ประเมินการพัฒนางานตามข้อตกลง (PA) อย่างเป็นระบบและโปร่งใส",
    ),
    "coding": (
        "จัดการเรียนรู้ Coding ในรายวิชาวิทยาการคำนวณ และอบรมครูผู้สอนผ่านระบบออนไลน์",
        "จัดค่าย Coding สำหรับนักเรียนและครู ร่วมกับสถาบันส่งเสริมการสอนวิทยาศาสตร์และเทคโนโลยี (สสวท.)",
    ),
}

MODEL_TEXT = {
    "multigrade": "จัดการเรียนรู้แบบคละชั้น ใช้แผนการสอนบูรณาการ และให้นักเรียนรุ่นพี่ช่วยสอนรุ่นน้อง",
    "tambon": "พัฒนาเป็นโรงเรียนคุณภาพประจำตำบล มีครูครบชั้น มีห้องปฏิบัติการ และรับนักเรียนจากโรงเรียนขนาดเล็กใกล้เคียง",
    "competency": "จัดการเรียนรู้ฐานสมรรถนะ ให้นักเรียนทำโครงงานที่เชื่อมโยงกับชุมชนและประเมินผลจากชิ้นงานจริง",
}

WEAK_TEXT = {
    "learning": "ผลสัมฤทธิ์ทางการเรียนยังต่ำกว่าเขตพื้นที่ที่มีบริบทใกล้เคียงกัน โดยเฉพาะวิชาคณิตศาสตร์และภาษาอังกฤษ",
    "flow": "อัตราการออกกลางคันยังสูง โดยเฉพาะในโรงเรียนขยายโอกาสและนักเรียนที่ครอบครัวย้ายถิ่นตามฤดูกาล",
    "access": "นักเรียนบางส่วนยังขาดเรียนบ่อย และยังมีเด็กวัยเรียนในพื้นที่ที่ไม่ได้อยู่ในระบบการศึกษา",
    "management": "การดำเนินโครงการและการเบิกจ่ายงบประมาณยังล่าช้ากว่าแผน",
    "digital": "โรงเรียนขนาดเล็กในพื้นที่ห่างไกลยังมีสัญญาณอินเทอร์เน็ตไม่เสถียร ทำให้ใช้สื่อดิจิทัลได้ไม่เต็มที่",
    "safety": "ยังมีเหตุความไม่ปลอดภัยในสถานศึกษา เช่น อุบัติเหตุระหว่างการเดินทางและการกลั่นแกล้งกัน",
}
STRONG_TEXT = {
    "learning": "ผลสัมฤทธิ์ทางการเรียนของนักเรียนอยู่ในระดับสูงอย่างต่อเนื่องเมื่อเทียบกับเขตพื้นที่ใกล้เคียง",
    "flow": "นักเรียนคงอยู่ในระบบและเลื่อนชั้นได้ตามเกณฑ์ อัตราการออกกลางคันอยู่ในระดับต่ำ",
    "access": "นักเรียนมาเรียนสม่ำเสมอ และเด็กวัยเรียนในพื้นที่เกือบทั้งหมดอยู่ในระบบการศึกษา",
    "management": "การบริหารงบประมาณและโครงการเป็นไปตามแผน เบิกจ่ายได้ตามเป้าหมายทุกไตรมาส",
    "digital": "โรงเรียนเกือบทุกแห่งเชื่อมต่ออินเทอร์เน็ตได้และใช้สื่อดิจิทัลในการจัดการเรียนรู้อย่างสม่ำเสมอ",
    "safety": "สถานศึกษามีความปลอดภัย เหตุความไม่ปลอดภัยที่รายงานอยู่ในระดับต่ำ",
}
DOMAIN_TH = {
    "learning": "ผลสัมฤทธิ์ทางการเรียน",
    "flow": "การคงอยู่ในระบบของนักเรียน",
    "access": "การมาเรียนของนักเรียน",
    "management": "การบริหารจัดการ",
    "digital": "การใช้เทคโนโลยีดิจิทัล",
    "safety": "ความปลอดภัยในสถานศึกษา",
}

S1_OPEN = (
    "{esa} จัดทำแผนปฏิบัติการประจำปีงบประมาณ {fy} โดยวิเคราะห์ผลการดำเนินงานปีที่ผ่านมาร่วมกับผู้บริหารสถานศึกษาและคณะกรรมการติดตาม ตรวจสอบ ประเมินผลและนิเทศการศึกษา (ก.ต.ป.น.)",
    "ใน{round} {esa} ทบทวนแผนพัฒนาการศึกษาให้สอดคล้องกับนโยบายของกระทรวงศึกษาธิการและจุดเน้นของ สพฐ.",
    "{esa} ขับเคลื่อนการดำเนินงานผ่านคณะทำงานรายกลยุทธ์ มีผู้รับผิดชอบตัวชี้วัดชัดเจนทุกตัว",
    "ผู้บริหาร {esa} กำหนดให้ทุกกลุ่มงานรายงานความก้าวหน้าของโครงการต่อที่ประชุมผู้บริหารทุกเดือน",
)
S1_NUMBERS = (
    "ณ สิ้น{round} ดำเนินโครงการตามแผนแล้วเสร็จร้อยละ {action_plan_completion}",
    "ผลการสำรวจความพึงพอใจของผู้รับบริการอยู่ที่ร้อยละ {stakeholder_satisfaction}",
    "โรงเรียนส่งรายงานการประเมินตนเอง (SAR) ภายในกำหนดร้อยละ {sar_submission_rate}",
)
S1_IMPROVE = (
    "นำผลการประเมินมาปรับปรุงการให้บริการ เช่น ลดขั้นตอนการขออนุมัติ และเปิดช่องทางยื่นคำร้องออนไลน์",
    "จัดประชุมสรุปบทเรียนหลังการปฏิบัติงาน (AAR) ทุกสิ้นภาคเรียน เพื่อปรับแผนในรอบถัดไป",
    "พัฒนาระบบสารสนเทศเพื่อการบริหาร ให้ผู้บริหารโรงเรียนเข้าถึงข้อมูลนักเรียนรายบุคคลได้ทันที",
    "ใช้ข้อมูลที่ระบบเติมให้ล่วงหน้าแทนการขอข้อมูลซ้ำจากโรงเรียน ช่วยลดภาระงานเอกสารของครู",
    "ปรับโครงสร้างการทำงานเป็นทีมข้ามกลุ่มงาน เพื่อให้ตอบสนองความต้องการของโรงเรียนได้เร็วขึ้น",
)
S2A_OPEN = (
    "{esa} ส่งเสริมการจัดการเรียนรู้และการนิเทศโดยยึดโรงเรียนเป็นฐาน",
    "ใน{round} กลุ่มนิเทศ ติดตามและประเมินผลการจัดการศึกษาเน้นการพัฒนาครูในห้องเรียนจริง",
    "{esa} กำหนดจุดเน้นด้านวิชาการให้ทุกโรงเรียนพัฒนาทักษะการอ่าน การคิดคำนวณ และสมรรถนะของผู้เรียน",
)
S2A_PRACTICE = (
    "{esa} ดำเนินงานด้าน{practice} โดย{how}",
    "ในด้าน{practice} สำนักงาน{how}",
    "สำหรับ{practice} {esa} {how}",
)
S2A_NUMBERS = (
    "ศึกษานิเทศก์ออกนิเทศ ติดตามโรงเรียนได้ร้อยละ {supervision_coverage} ของโรงเรียนในสังกัด",
    "ครูได้รับการพัฒนาเฉลี่ย {teacher_pd_hours} ชั่วโมงต่อคนใน{round}",
)
S2R_TEXT = (
    "เบิกจ่ายงบประมาณได้ร้อยละ {budget_disbursement_rate} ของงบประมาณที่ได้รับจัดสรร",
    "มีโรงเรียนขนาดเล็ก {small} แห่งจากทั้งหมด {schools} แห่ง จึงจัดสรรงบประมาณและอัตรากำลังตามความจำเป็นของแต่ละโรงเรียน",
    "บริหารอัตรากำลังครูโดยจัดสรรพนักงานราชการและครูอัตราจ้างให้โรงเรียนที่ขาดครูก่อน",
    "ส่งเสริมโรงเรียนขนาดเล็กให้บริหารจัดการร่วมกันแบบกลุ่มเครือข่าย ใช้ครูและสื่อร่วมกัน",
    "ประสานหน่วยงานภายนอกสนับสนุนอุปกรณ์อินเทอร์เน็ตให้โรงเรียนในพื้นที่ห่างไกล",
    "ตรวจสอบการใช้จ่ายงบประมาณของโรงเรียนผ่านระบบติดตามรายไตรมาส และให้คำปรึกษาด้านพัสดุ",
    "จัดระบบดูแลความปลอดภัยของนักเรียนร่วมกับตำรวจและองค์กรปกครองส่วนท้องถิ่น",
)
S3_OPEN = (
    "ผลการดำเนินงานใน{round} แสดงให้เห็นความก้าวหน้าในหลายด้าน",
    "{esa} สรุปผลที่เกิดกับผู้เรียนและบทเรียนจากการดำเนินงานดังนี้",
    "เมื่อเทียบกับปีที่ผ่านมา {esa} มีผลการดำเนินงานที่สำคัญดังนี้",
)
S3_LESSONS = (
    "บทเรียนสำคัญ คือ การใช้ข้อมูลนักเรียนรายบุคคลทำให้ช่วยเหลือได้ตรงจุด",
    "การมีส่วนร่วมของผู้ปกครองและชุมชนเป็นปัจจัยที่ทำให้โครงการดำเนินได้อย่างต่อเนื่อง",
    "การนิเทศที่ต่อเนื่องในห้องเรียนจริงได้ผลมากกว่าการอบรมครั้งเดียว",
    "โรงเรียนขนาดเล็กต้องการการสนับสนุนที่ยืดหยุ่น มากกว่าเกณฑ์เดียวกันสำหรับทุกโรงเรียน",
    "การติดตามผลเป็นรายเดือนช่วยให้ปรับแผนได้ทันก่อนสิ้นปีงบประมาณ",
)


def esa_short_name(name_th: str) -> str:
    """``สพป.นนทบุรี เขต 1`` from the office's full Thai name."""
    return name_th.replace(PRIMARY_PREFIX_TH, "สพป.").replace(SECONDARY_PREFIX_TH, "สพม.")


def round_th(fy: int, months: int) -> str:
    return f"รอบ {months} เดือน ปีงบประมาณ {fy}"


def fmt(value: float | None, decimals: int = 2) -> str:
    if value is None:
        return "-"
    if decimals == 0 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{decimals}f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class ModelSchool:
    name: str  # the school's Thai name
    code: str
    model: str
    deviant: bool  # truly a positive deviant (else an ESA's over-claim)
    indicator: str  # the O-NET the ESA cites


@dataclass(frozen=True)
class Story:
    """What the texts of one ESA's report may say."""

    seed: int
    esa: str  # short Thai name
    traits: EsaTraits
    fy: int
    months: int
    at: float  # academic-year time of the round
    values: Mapping[str, float | None]  # this round's figures (catalogue units)
    previous: Mapping[str, float | None]  # the same round a year earlier
    schools: int
    small: int
    models: Sequence[ModelSchool] = ()
    decoy_claim: tuple[str, float] | None = None  # (indicator, typed value) of an x10 decoy

    def rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, "narr", self.traits.code, self.fy, self.months, *parts)))  # fmt: skip

    @property
    def round(self) -> str:
        return round_th(self.fy, self.months)

    def number(self, code: str) -> str:
        spec = SPEC.get(code)
        value = self.values.get(code)
        return fmt(value, 0 if code == "children_returned" else spec.decimals if spec else 2)


class _Keys(dict[str, str]):
    """Template keys; indicator figures are formatted only when a template asks for them."""

    def __init__(self, story: Story, extra: Mapping[str, object]) -> None:
        super().__init__(esa=story.esa, fy=str(story.fy), round=story.round, small=f"{story.small:,}",
                         schools=f"{story.schools:,}")  # fmt: skip
        self.update({k: str(v) for k, v in extra.items()})
        self.story = story

    def __missing__(self, key: str) -> str:
        if key in INDICATOR_TH:
            return self.story.number(key)
        raise KeyError(key)


def _fill(template: str, story: Story, **extra: object) -> str:
    return template.format_map(_Keys(story, extra))


def _has(story: Story, template: str) -> bool:
    """A numeric sentence only when the figure exists."""
    return all(story.values.get(code) is not None for code in INDICATOR_TH if "{" + code + "}" in template)


def _join(sentences: Sequence[str]) -> str:
    return tidy(" ".join(s.strip() for s in sentences if s.strip()))


def narrative(story: Story, section: str) -> str:
    """The Thai text of one narrative section."""
    rng = story.rng(section)
    named = story.traits.named_practices(story.at)
    out: list[str] = []
    if section == "s1_management":
        out.append(_fill(rng.choice(S1_OPEN), story))
        out += [_fill(t, story) for t in S1_NUMBERS if _has(story, t) and rng.random() < 0.8]
        out += [_fill(t, story) for t in rng.sample(S1_IMPROVE, 2)]
        if "vpa" in named:
            out.append(_practice_sentence(story, rng, "vpa"))
    elif section == "s2_academic":
        out.append(_fill(rng.choice(S2A_OPEN), story))
        academic = [p for p in named if p not in ("vpa", "dltv")]
        rng.shuffle(academic)
        out += [_practice_sentence(story, rng, p) for p in academic[:4]]
        out += [_fill(t, story) for t in S2A_NUMBERS if _has(story, t)]
    elif section == "s2_resources":
        out += [_fill(t, story) for t in rng.sample(S2R_TEXT, 3) if _has(story, t)]
        if "dltv" in named:
            out.append(_practice_sentence(story, rng, "dltv"))
        for m in story.models:
            if m.model == "multigrade":
                out.append(
                    f"สนับสนุนให้โรงเรียน{m.name}เป็นแบบอย่างการจัดการเรียนรู้แบบคละชั้นของ"
                    f"{SCHOOL_MODEL['multigrade'].name_th}"
                )
                break
    else:
        out.append(_fill(rng.choice(S3_OPEN), story))
        out += _results(story, rng, named)
        for m in story.models[:2]:
            out.append(
                f"โรงเรียน{m.name}เป็นต้นแบบ{SCHOOL_MODEL[m.model].name_th} โดย{MODEL_TEXT[m.model]} "
                f"มี{INDICATOR_TH[m.indicator]} สูงกว่าโรงเรียนที่มีบริบทใกล้เคียงกัน จึงขยายผลสู่โรงเรียนอื่นในสังกัด"
            )
        for shock in story.traits.shocks:
            if shock.year <= story.at < shock.year + (1.5 if shock.kind == "dip" else 9):
                out.append(_shock_sentence(shock.kind, shock.year, shock.domain))
        for domain in story.traits.strong[:1]:
            out.append(STRONG_TEXT[domain])
        if story.traits.weak:
            out.append("สิ่งที่ต้องพัฒนาต่อ คือ " + WEAK_TEXT[rng.choice(story.traits.weak)])
        out.append(rng.choice(S3_LESSONS))
    return _join(out)


def spaced(name: str) -> str:
    """A name set in Thai text: a space where it starts or ends with a Latin letter, a digit or a
    bracket (Thai runs words together; Latin words and numbers are set apart)."""
    head = " " if name[:1].isascii() else ""
    tail = " " if name[-1:].isascii() else ""
    return f"{head}{name}{tail}"


def tidy(text: str) -> str:
    return " ".join(text.split())


def _practice_sentence(story: Story, rng: random.Random, key: str) -> str:
    how = rng.choice(PRACTICE_TEXT[key])
    return tidy(_fill(rng.choice(S2A_PRACTICE), story, practice=spaced(PRACTICE[key].name_th), how=how))


def _shock_sentence(kind: str, year: int, domain: str) -> str:
    if kind == "dip":
        return (
            f"ในปีการศึกษา {year} พื้นที่ประสบอุทกภัยรุนแรง โรงเรียนหลายแห่งต้องปิดการเรียนการสอนหลายสัปดาห์ "
            f"ส่งผลต่อ{DOMAIN_TH[domain]}ของนักเรียนในปีนั้น"
        )
    return (
        f"ตั้งแต่ปีการศึกษา {year} ครูย้ายออกและแรงงานในพื้นที่ย้ายถิ่นจำนวนมาก "
        f"ส่งผลต่อ{DOMAIN_TH[domain]}อย่างต่อเนื่อง สำนักงานกำลังหาแนวทางแก้ไข"
    )


def _change(story: Story, code: str) -> str | None:
    """'เพิ่มขึ้นจาก x เป็น y' from the ESA's own figures, or None without both."""
    now, before = story.values.get(code), story.previous.get(code)
    if now is None or before is None:
        return None
    spec = SPEC[code]
    decimals = 0 if code == "children_returned" else spec.decimals
    if now == before:
        return f"{INDICATOR_TH[code]} คงที่ที่ {fmt(now, decimals)}"
    verb = "เพิ่มขึ้น" if now > before else "ลดลง"
    return f"{INDICATOR_TH[code]} {verb}จาก {fmt(before, decimals)} เป็น {fmt(now, decimals)}"


def _improved(story: Story, code: str) -> bool | None:
    now, before = story.values.get(code), story.previous.get(code)
    if now is None or before is None or now == before:
        return None
    return (now - before) * SPEC[code].direction > 0


def _results(story: Story, rng: random.Random, named: list[str]) -> list[str]:
    out = []
    for key in named:
        practice = PRACTICE[key]
        if not practice.effective:
            if rng.random() < 0.3:
                out.append(f"ครูและโรงเรียนให้ความร่วมมือในการดำเนินงานด้าน{spaced(practice.name_th)}เป็นอย่างดี")
            continue
        codes = [c for c in practice.effects if story.values.get(c) is not None]
        if not codes:
            continue
        code = rng.choice(codes)
        change = _change(story, code)
        if change and _improved(story, code):
            out.append(f"ผลจากการดำเนินงานด้าน{spaced(practice.name_th)} ทำให้{change}")
        elif change:
            out.append(
                f"แม้{change} สำนักงานยังคงดำเนินงานด้าน{spaced(practice.name_th)}อย่างต่อเนื่องและติดตามผลใกล้ชิด"
            )
    return out


# --- outstanding works ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkText:
    title: str
    description: str
    practices: str
    results_claimed: str
    standard: str  # "1" | "2" | "3"
    indicator_codes: list[str]
    label: str  # supported | unsupported | no_data (the planted truth of its claim)
    basis: dict[str, str] = field(default_factory=dict)  # what the claim rests on


TITLE_PREFIX = ("การยกระดับคุณภาพผู้เรียนด้วย", "การขับเคลื่อน", "รูปแบบการบริหารจัดการ", "นวัตกรรม")
TITLE_SUFFIX = ("", " สู่ความเป็นเลิศ", " แบบมีส่วนร่วม", " ของ{esa}")
PRACTICE_STANDARD = {
    "vpa": "1",
    "plc": "2",
    "quality_classroom": "2",
    "coding": "2",
    "kalayanamit": "2",
    "dltv": "2",
}


def works(story: Story, count: int) -> list[WorkText]:
    """Up to ``count`` ranked nominations: adopted practices, model schools, a strength, the
    popular practices — each with its claim and the claim's planted truth."""
    rng = story.rng("works")
    traits = story.traits
    candidates: list[WorkText] = []
    if story.decoy_claim is not None:
        code, typed = story.decoy_claim
        candidates.append(
            WorkText(
                title=f"ติดตามเด็กนอกระบบกลับสู่ห้องเรียน {story.esa}" if code == "children_returned"
                else "การพัฒนาครูทั้งระบบแบบเข้มข้น",
                description="ระดมทุกภาคส่วนดำเนินงานอย่างเข้มข้นตลอดรอบการรายงาน",
                practices=PRACTICE["zero_dropout" if code == "children_returned" else "mentoring"].name_th,
                results_claimed=f"{INDICATOR_TH[code]} {fmt(typed, 0)} ซึ่งสูงที่สุดในรอบ 5 ปี",
                standard="3",
                indicator_codes=[code],
                label="unsupported",
                basis={"kind": "decoy", "indicator": code},
            )
        )  # fmt: skip
    for a in traits.adoptions:
        if a.start > story.at + 0.25:
            continue
        practice = PRACTICE[a.practice]
        codes = [c for c in practice.effects if story.values.get(c) is not None]
        if not codes:
            continue
        code = rng.choice(codes)
        label = claim_label(traits, code)
        candidates.append(_practice_work(story, rng, a.practice, code, label))
    for m in story.models:
        label = "supported" if m.deviant else "unsupported"
        candidates.append(
            WorkText(
                title=f"ต้นแบบ{SCHOOL_MODEL[m.model].name_th}: โรงเรียน{m.name}",
                description=f"โรงเรียน{m.name} {MODEL_TEXT[m.model]} และเป็นแหล่งเรียนรู้ให้โรงเรียนอื่นในสังกัด",
                practices=SCHOOL_MODEL[m.model].name_th,
                results_claimed=f"{INDICATOR_TH[m.indicator]} ของโรงเรียนสูงกว่าค่าเฉลี่ยของโรงเรียนขนาดเดียวกันต่อเนื่อง 3 ปี",
                standard="3",
                indicator_codes=[m.indicator],
                label=label,
                basis={"kind": "school_model", "school": m.code, "model": m.model},
            )
        )
    for domain in traits.strong[:1]:
        strong_code = _level_code(story, domain)
        if strong_code:
            candidates.append(_level_work(story, domain, strong_code, "supported"))
    buzz = list(traits.buzz)
    rng.shuffle(buzz)
    for key in buzz:
        candidates.append(_buzz_work(story, rng, key))
    if len(candidates) < count:  # an ESA that claims excellence where it has none
        domain = rng.choice([d for d in ("management", "learning", "access") if d not in traits.strong])
        claim_code = _level_code(story, domain)
        if claim_code:
            candidates.append(_level_work(story, domain, claim_code, "unsupported"))
    generic = list(GENERIC_WORKS)
    rng.shuffle(generic)
    for title, description, practices in generic[: max(0, count - len(candidates))]:
        candidates.append(
            WorkText(
                title=_fill(title, story), description=description, practices=practices,
                results_claimed="โรงเรียนและผู้เกี่ยวข้องพึงพอใจ และนำไปใช้ได้จริง", standard="1",
                indicator_codes=[], label="no_data", basis={"kind": "generic"},
            )
        )  # fmt: skip
    return candidates[:count]


GENERIC_WORKS = (
    (
        "ระบบสารสนเทศเพื่อการบริหาร {esa}",
        "รวบรวมข้อมูลโรงเรียน นักเรียน และครูไว้ในที่เดียว ผู้บริหารใช้ประกอบการตัดสินใจได้ทันที",
        "การบริหารด้วยข้อมูล",
    ),
    (
        "ศูนย์ช่วยเหลือโรงเรียนขนาดเล็ก",
        "ให้คำปรึกษาด้านงบประมาณ พัสดุ และงานวิชาการแก่โรงเรียนขนาดเล็กแบบจุดเดียวเบ็ดเสร็จ",
        "การบริการแบบเบ็ดเสร็จ",
    ),
    (
        "เครือข่ายความร่วมมือเพื่อการศึกษา {esa}",
        "ระดมทรัพยากรจากองค์กรปกครองส่วนท้องถิ่น ภาคเอกชน และชุมชน สนับสนุนโรงเรียนในสังกัด",
        "การมีส่วนร่วมของภาคีเครือข่าย",
    ),
)


def _title(story: Story, rng: random.Random, name: str) -> str:
    return tidy(
        f"{rng.choice(TITLE_PREFIX)}{spaced(name)}{rng.choice(TITLE_SUFFIX)}".replace("{esa}", story.esa)
    )


def _practice_work(story: Story, rng: random.Random, key: str, code: str, label: str) -> WorkText:
    practice = PRACTICE[key]
    if label == "supported":
        change = _change(story, code) or f"{INDICATOR_TH[code]}ดีขึ้นต่อเนื่อง"
        claim = f"{change} ระหว่างปีที่ผ่านมาถึง{story.round}"
    else:  # the ESA's own figures do not show it; the nomination quotes the project's schools
        claim = f"{INDICATOR_TH[code]} ของโรงเรียนที่เข้าร่วมโครงการดีขึ้นอย่างชัดเจน"
    standard = "3" if SPEC[code].domain in ("learning", "flow", "access") else "2"
    return WorkText(
        title=_title(story, rng, practice.name_th),
        description=rng.choice(PRACTICE_TEXT[key]),
        practices=practice.name_th,
        results_claimed=claim,
        standard=standard,
        indicator_codes=[code],
        label=label,
        basis={"kind": "practice", "practice": key},
    )


def _level_code(story: Story, domain: str) -> str | None:
    codes = [c for c, s in SPEC.items() if s.domain == domain and story.values.get(c) is not None]
    return sorted(codes)[0] if codes else None


def _level_work(story: Story, domain: str, code: str, label: str) -> WorkText:
    return WorkText(
        title=f"ความเป็นเลิศด้าน{DOMAIN_TH[domain]} {story.esa}",
        description=STRONG_TEXT[domain],
        practices="การบริหารแบบมุ่งผลสัมฤทธิ์",
        results_claimed=f"{INDICATOR_TH[code]} {story.number(code)} สูงกว่าเขตพื้นที่ที่มีบริบทใกล้เคียงกัน",
        standard="1" if domain == "management" else "3",
        indicator_codes=[code],
        label=label,
        basis={"kind": "level", "domain": domain},
    )


def _buzz_work(story: Story, rng: random.Random, key: str) -> WorkText:
    practice = PRACTICE[key]
    outcome = [c for c in ("onet_mean_p6", "onet_mean_m3", "nt_mean_p3") if story.values.get(c) is not None]
    if outcome and rng.random() < 0.6:
        code = rng.choice(outcome)
        label = claim_label(story.traits, code)
        claim = f"{INDICATOR_TH[code]} ของโรงเรียนที่เข้าร่วมดีขึ้น ครูมีความรู้และทักษะเพิ่มขึ้น"
        codes = [code]
    else:
        label, codes = "no_data", []
        claim = "ครูเข้าร่วมกิจกรรมครบทุกคน และมีความพึงพอใจต่อกิจกรรมในระดับมากที่สุด"
    return WorkText(
        title=_title(story, rng, practice.name_th),
        description=rng.choice(PRACTICE_TEXT[key]),
        practices=practice.name_th,
        results_claimed=claim,
        standard=PRACTICE_STANDARD.get(key, "2"),
        indicator_codes=codes,
        label=label,
        basis={"kind": "buzz", "practice": key},
    )


# --- reviewers and ESAs' comments ----------------------------------------------------------------

RETURN_REASONS = (
    "ขอให้เพิ่มหลักฐานประกอบผลงานที่เสนอเป็นผลงานที่ประสบความสำเร็จ และระบุตัวชี้วัดที่ใช้วัดผลให้ชัดเจน",
    "การรายงานเชิงบรรยายมาตรฐานที่ 3 ยังไม่ระบุผลที่เกิดกับผู้เรียน ขอให้ปรับปรุงและส่งใหม่",
    "ขอให้ทบทวนค่าที่รายงานบางรายการซึ่งไม่สอดคล้องกับข้อมูลปีที่ผ่านมา และอธิบายเหตุผล",
)
TYPO_REASON = "ร้อยละโรงเรียนที่ได้รับการนิเทศที่รายงาน ({typed}) เกินร้อยละ 100 ขอให้ตรวจสอบและแก้ไขให้ถูกต้อง"
TYPO_COMMENT = "ค่าที่รายงานเกินร้อยละ 100 น่าจะพิมพ์ผิดตำแหน่งทศนิยม"
SCORE_COMMENTS = {
    1: "ยังขาดหลักฐานและผลลัพธ์ที่ชัดเจน ควรปรับปรุงอย่างเร่งด่วน",
    2: "ดำเนินการได้ตามแผนบางส่วน ควรเพิ่มการติดตามผลที่เป็นรูปธรรม",
    3: "ดำเนินการได้ดี มีหลักฐานประกอบ และมีการใช้ข้อมูลในการพัฒนา",
    4: "ดำเนินการได้ดีมาก มีผลลัพธ์ชัดเจนและเป็นแบบอย่างให้เขตพื้นที่อื่นได้",
}
ITEM_COMMENTS = (
    "ข้อมูลสอดคล้องกับหลักฐาน",
    "ควรแนบภาพกิจกรรมและรายงานผลการดำเนินงานเพิ่มเติม",
    "เห็นควรขยายผลไปยังเขตพื้นที่อื่นในเขตตรวจราชการเดียวกัน",
    "ผลลัพธ์ที่อ้างถึงควรเทียบกับข้อมูลปีก่อนหน้า",
)
VERIFY_NOTES = {
    "verified": "ตรวจสอบแล้ว ผลที่อ้างสอดคล้องกับข้อมูลในระบบ",
    "partly": "ผลบางส่วนสอดคล้องกับข้อมูล แต่ยังขาดหลักฐานยืนยันผลต่อผู้เรียน",
    "not_verified": "ข้อมูลในระบบไม่แสดงการเปลี่ยนแปลงตามที่อ้าง",
}
VALUE_COMMENTS = {
    "supervision_low": "ศึกษานิเทศก์มีจำนวนจำกัดและมีภารกิจเร่งด่วนในรอบนี้ จะนิเทศโรงเรียนที่เหลือในรอบถัดไป",
    "pd_high": "รวมชั่วโมงการเรียนรู้ออนไลน์ด้วยตนเองของครูผ่านระบบของ สพฐ. ทั้งหมด",
    "returned_high": "รวมเด็กที่ติดตามร่วมกับองค์กรปกครองส่วนท้องถิ่นและภาคีเครือข่ายทั้งหมดในพื้นที่",
}
PROBLEM_TEXTS = (
    "จำนวนนักเรียนในระบบไม่ตรงกับข้อมูลของสำนักงาน ขอให้ตรวจสอบการรับรองข้อมูลของโรงเรียน",
    "อัตราที่แสดงต่ำกว่าข้อมูลที่สำนักงานเก็บเองมาก อาจใช้ตัวหารไม่ถูกต้อง",
    "ข้อมูลจากแหล่งภายนอกยังไม่รวมโรงเรียนที่เปิดใหม่ในปีนี้",
)
PROBLEM_RESOLUTION = "ตรวจสอบแล้ว ข้อมูลถูกต้องตามการรับรองของโรงเรียน ณ วันที่ 10 มิถุนายน"
AMEND_REASON = "แก้ไขตามข้อมูลที่ตรวจสอบซ้ำหลังปิดรายงาน ตามบันทึกของกลุ่มนโยบายและแผน"

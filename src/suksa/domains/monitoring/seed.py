"""The seeded catalogue: the three ESA standards and a realistic indicator set (data, not code).

``catalogue_seed()`` upserts it idempotently (a data migration runs it, so every database has the
catalogue; the demo and tests call it again harmlessly). Changing an entry here does not rewrite an
existing indicator: definitions change through ``services.catalogue.indicator_revise``, which
writes a new version.
"""

from __future__ import annotations

from typing import Any

STANDARDS: tuple[tuple[str, str, str, str, str], ...] = (
    ("1", "การบริหารองค์การสู่ความเป็นเลิศ", "Organisational management toward excellence",
     "สำนักงานเขตพื้นที่การศึกษามีการบริหารจัดการองค์การอย่างมีประสิทธิภาพ มีแผน ติดตาม และปรับปรุงอย่างต่อเนื่อง",
     "The ESA manages itself efficiently: it plans, monitors and improves continuously."),
    ("2", "การบริหารและการจัดการศึกษา", "Efficient administration of education",
     "การบริหารงานวิชาการ งบประมาณ บุคคล และบริหารทั่วไป ส่งเสริมให้สถานศึกษาจัดการศึกษาได้อย่างมีคุณภาพ",
     "Academic, budget, personnel and general administration that lets schools teach well."),
    ("3", "ผลการบริหารและการจัดการศึกษา", "Achievement",
     "ผลลัพธ์ด้านการเข้าถึง คุณภาพ และความเสมอภาคทางการศึกษา และผลงานที่ประสบความสำเร็จเป็นแบบอย่างได้",
     "Results in access, quality and equity, and successful work that can serve as a model."),
)  # fmt: skip

ALL_LEVELS = ["school", "esa", "region", "nation"]
AREA_LEVELS = ["esa", "region", "nation"]


def _ind(
    code: str,
    name_th: str,
    name_en: str,
    definition_th: str,
    definition_en: str,
    *,
    unit: str,
    direction: str,
    domain: str,
    kind: str,
    source: dict[str, Any] | None = None,
    standards: tuple[str, ...] = ("3",),
    levels: list[str] | None = None,
    disaggregations: list[str] | None = None,
    formula: str = "",
    min_value: float | None = None,
    max_value: float | None = None,
    value_type: str = "decimal",
) -> dict[str, Any]:
    if unit == "percent":
        min_value = 0.0 if min_value is None else min_value
        max_value = 100.0 if max_value is None else max_value
    return {
        "code": code, "name_th": name_th, "name_en": name_en, "definition_th": definition_th,
        "definition_en": definition_en, "unit": unit, "direction": direction, "domain": domain,
        "source_kind": kind, "source": source or {}, "standards": standards,
        "levels": levels or AREA_LEVELS, "disaggregations": disaggregations or [], "formula": formula,
        "min_value": min_value, "max_value": max_value, "value_type": value_type,
    }  # fmt: skip


def _students(code: str, period: str = "year", scale: float = 100.0, lag_days: int = 71) -> dict[str, Any]:
    src: dict[str, Any] = {
        "producer": "students.indicators",
        "indicator": code,
        "breakdown": "",
        "period": period,
    }
    if scale != 1:
        src["scale"] = scale
    if period == "year":
        src["lag_days"] = lag_days
    return src


def _imported(dataset: str, code: str, period: str, scale: float = 1.0) -> dict[str, Any]:
    src: dict[str, Any] = {
        "producer": f"import:{dataset}",
        "dataset": dataset,
        "indicator": code,
        "period": period,
    }
    if scale != 1:
        src["scale"] = scale
    return src


INDICATORS: tuple[dict[str, Any], ...] = (
    # --- computed from the platform's own records (students domain, school profiles) -------------
    _ind("enrolment", "จำนวนนักเรียน", "Enrolment",
         "จำนวนนักเรียนทั้งหมด ณ วันที่ 10 มิถุนายน จากการสำรวจที่ผู้อำนวยการรับรองแล้ว",
         "All learners on the 10 June census, from certified returns.",
         unit="persons", direction="neutral", domain="access", kind="computed", value_type="integer",
         source=_students("enrolment", "census", 1), disaggregations=["sex", "grade", "level"],
         formula="E: certified counts + amendments", min_value=0),
    _ind("dropout_rate", "อัตราการออกกลางคัน", "Dropout rate",
         "ร้อยละของนักเรียนที่ไม่ได้เลื่อนชั้นและไม่ได้ซ้ำชั้นในปีถัดไป (วิธี UIS)",
         "Share of learners neither promoted nor repeating the next year (UIS method).",
         unit="percent", direction="lower", domain="flow", kind="computed", source=_students("dropout_rate"),
         disaggregations=["sex", "grade", "level"], formula="DR = 1 − PR − RR"),
    _ind("repetition_rate", "อัตราการซ้ำชั้น", "Repetition rate",
         "ร้อยละของนักเรียนที่เรียนซ้ำชั้นเดิมในปีถัดไป", "Share of learners repeating their grade the next year.",
         unit="percent", direction="lower", domain="flow", kind="computed", source=_students("repetition_rate"),
         disaggregations=["sex", "grade", "level"], formula="RR[g] = R[g,t+1] / E[g,t]"),
    _ind("transition_rate_p6_m1", "อัตราการเรียนต่อ ป.6 → ม.1", "Transition rate P6 → M1",
         "ร้อยละของนักเรียน ป.6 ที่เข้าเรียน ม.1 ในปีถัดไป", "Share of P6 pupils entering M1 the next year.",
         unit="percent", direction="higher", domain="flow", kind="computed",
         source=_students("transition_rate_p6_m1"), levels=["region", "nation"], max_value=150.0,
         formula="(E[M1,t+1] − R[M1,t+1]) / E[P6,t]"),
    _ind("survival_rate_p6", "อัตราการคงอยู่ถึง ป.6", "Survival rate to P6",
         "ร้อยละของนักเรียนที่เข้า ป.1 แล้วเรียนถึง ป.6 (วิธีรุ่นจำลอง)",
         "Share of a P1 cohort reaching P6 (reconstructed cohort).",
         unit="percent", direction="higher", domain="flow", kind="computed", source=_students("survival_rate_p6"),
         disaggregations=["sex"], formula="reconstructed cohort of 1,000, at most 2 repeats per grade"),
    _ind("attendance_rate", "อัตราการมาเรียน", "Attendance rate",
         "ร้อยละของวันที่นักเรียนมาเรียน (มาและสาย) ต่อวันที่บันทึกทั้งหมด",
         "Days present or late over all recorded days.",
         unit="percent", direction="higher", domain="access", kind="computed",
         source=_students("attendance_rate", lag_days=0), formula="(P + L) / (P + L + S + E + A)"),
    _ind("chronic_absenteeism_rate", "อัตราการขาดเรียนเรื้อรัง", "Chronic absenteeism rate",
         "ร้อยละของนักเรียนที่ขาดเรียนตั้งแต่ร้อยละ 10 ของวันที่บันทึก",
         "Share of learners missing at least 10 % of their recorded days.",
         unit="percent", direction="lower", domain="access", kind="computed",
         source=_students("chronic_absenteeism_rate", lag_days=0), standards=("2", "3")),
    _ind("pupil_teacher_ratio", "อัตราส่วนนักเรียนต่อครู", "Pupil–teacher ratio",
         "จำนวนนักเรียนต่อครูหนึ่งคน", "Learners per teacher.",
         unit="ratio", direction="lower", domain="teachers", kind="computed",
         source=_students("pupil_teacher_ratio", scale=1, lag_days=0), standards=("2",), min_value=0,
         max_value=200, formula="E / teachers"),
    _ind("adjusted_gpi_enrolment", "ดัชนีความเท่าเทียมทางเพศ (ปรับแล้ว)", "Adjusted gender parity index",
         "อัตราส่วนนักเรียนหญิงต่อชาย ปรับให้อยู่ในช่วง 0–2", "Female to male enrolment, adjusted to 0–2.",
         unit="index", direction="neutral", domain="equity", kind="computed",
         source=_students("adjusted_gpi_enrolment", "census", 1), min_value=0, max_value=2),
    _ind("small_school_share", "สัดส่วนโรงเรียนขนาดเล็ก", "Share of small schools",
         "ร้อยละของโรงเรียนที่มีนักเรียนไม่เกิน 120 คน", "Share of schools with at most 120 learners.",
         unit="percent", direction="lower", domain="management", kind="computed", standards=("2",),
         source={"producer": "monitoring.platform", "indicator": "small_school_share", "breakdown": "",
                 "period": "census", "scale": 100},
         formula="schools with 1–120 learners / schools with learners"),
    _ind("teacher_shortage_rate", "อัตราโรงเรียนที่ขาดครู", "Schools short of teachers",
         "ร้อยละของโรงเรียนที่มีครูต่ำกว่าเกณฑ์ (นักเรียนต่อครูเกิน 25 คนในระดับประถม 30 คนในระดับมัธยม)",
         "Share of schools above the norm of learners per teacher (25 primary, 30 secondary).",
         unit="percent", direction="lower", domain="teachers", kind="computed", standards=("2",),
         source={"producer": "monitoring.platform", "indicator": "teacher_shortage_rate", "breakdown": "",
                 "period": "census", "scale": 100},
         formula="schools with learners / teachers above the norm / schools with learners"),
    # --- imported from external sources --------------------------------------------------------
    _ind("onet_mean_p6", "คะแนนเฉลี่ย O-NET ป.6", "O-NET mean, P6",
         "คะแนนเฉลี่ยรวม 4 วิชาของการทดสอบ O-NET ชั้น ป.6 (สทศ.)", "Mean of the four P6 O-NET subjects (NIETS).",
         unit="score", direction="higher", domain="learning", kind="imported",
         source=_imported("niets_onet", "onet_mean_p6", "year"), min_value=0, max_value=100),
    _ind("onet_mean_m3", "คะแนนเฉลี่ย O-NET ม.3", "O-NET mean, M3",
         "คะแนนเฉลี่ยรวม 4 วิชาของการทดสอบ O-NET ชั้น ม.3 (สทศ.)", "Mean of the four M3 O-NET subjects (NIETS).",
         unit="score", direction="higher", domain="learning", kind="imported",
         source=_imported("niets_onet", "onet_mean_m3", "year"), min_value=0, max_value=100),
    _ind("onet_mean_m6", "คะแนนเฉลี่ย O-NET ม.6", "O-NET mean, M6",
         "คะแนนเฉลี่ยรวม 5 วิชาของการทดสอบ O-NET ชั้น ม.6 (สทศ.)", "Mean of the five M6 O-NET subjects (NIETS).",
         unit="score", direction="higher", domain="learning", kind="imported",
         source=_imported("niets_onet", "onet_mean_m6", "year"), min_value=0, max_value=100),
    _ind("nt_mean_p3", "คะแนนเฉลี่ย NT ป.3", "NT mean, P3",
         "คะแนนเฉลี่ยการประเมินคุณภาพผู้เรียน (NT) ชั้น ป.3", "Mean National Test (NT) score, P3.",
         unit="score", direction="higher", domain="learning", kind="imported",
         source=_imported("obec_nt", "nt_mean_p3", "year"), min_value=0, max_value=100),
    _ind("rt_mean_p1", "คะแนนเฉลี่ยการอ่าน RT ป.1", "Reading test (RT) mean, P1",
         "คะแนนเฉลี่ยการประเมินความสามารถด้านการอ่าน (RT) ชั้น ป.1", "Mean Reading Test (RT) score, P1.",
         unit="score", direction="higher", domain="learning", kind="imported",
         source=_imported("obec_rt", "rt_mean_p1", "year"), min_value=0, max_value=100),
    _ind("reading_literacy_rate", "ร้อยละนักเรียน ป.1 อ่านออกเขียนได้", "Reading literacy, P1",
         "ร้อยละของนักเรียน ป.1 ที่ผลการประเมิน RT อยู่ในระดับดีขึ้นไป",
         "Share of P1 pupils rated good or better in the Reading Test.",
         unit="percent", direction="higher", domain="learning", kind="imported",
         source=_imported("obec_rt", "reading_literacy_rate", "year")),
    _ind("budget_disbursement_rate", "อัตราการเบิกจ่ายงบประมาณ", "Budget disbursement rate",
         "ร้อยละของงบประมาณที่ได้รับจัดสรรซึ่งเบิกจ่ายแล้ว ณ สิ้นรอบ (ระบบ GFMIS)",
         "Share of the allocated budget disbursed by the end of the round (GFMIS).",
         unit="percent", direction="higher", domain="management", kind="imported", standards=("1", "2"),
         source=_imported("gfmis", "budget_disbursement_rate", "round")),
    _ind("internet_coverage_rate", "ร้อยละโรงเรียนที่มีอินเทอร์เน็ตใช้งานได้", "Schools with working internet",
         "ร้อยละของโรงเรียนที่เชื่อมต่ออินเทอร์เน็ตความเร็วตามเกณฑ์ได้ตลอดรอบ (ระบบติดตามการเชื่อมต่อ)",
         "Share of schools whose connection met the speed norm through the round (connectivity monitor).",
         unit="percent", direction="higher", domain="digital", kind="imported", standards=("2",),
         source=_imported("connectivity", "internet_coverage_rate", "round")),
    _ind("dltv_usage_rate", "ร้อยละโรงเรียน DLTV ที่ใช้งานสม่ำเสมอ", "DLTV schools using it regularly",
         "ร้อยละของโรงเรียนปลายทาง DLTV ที่รับชมการสอนอย่างน้อย 4 วันต่อสัปดาห์",
         "Share of DLTV schools watching at least four days a week.",
         unit="percent", direction="higher", domain="digital", kind="imported", standards=("2",),
         source=_imported("dltv", "dltv_usage_rate", "round")),
    _ind("safety_incident_rate", "อัตราเหตุความไม่ปลอดภัยในสถานศึกษา", "School safety incidents",
         "จำนวนเหตุที่รายงานต่อศูนย์ความปลอดภัย ต่อนักเรียน 10,000 คน ในปีงบประมาณ",
         "Incidents reported to the MoE Safety Center per 10,000 learners in the fiscal year.",
         unit="per_10k", direction="lower", domain="safety", kind="imported", standards=("2",),
         source=_imported("moe_safety", "safety_incident_rate", "fiscal_year"), min_value=0, max_value=1000),
    _ind("out_of_school_rate", "อัตราเด็กนอกระบบการศึกษา", "Out-of-school rate",
         "ร้อยละของเด็กวัยเรียนในพื้นที่ที่ไม่อยู่ในระบบการศึกษา (ข้อมูลทะเบียนราษฎร์เทียบกับทะเบียนนักเรียน)",
         "Share of school-age children in the area not enrolled (civil registry matched with learners).",
         unit="percent", direction="lower", domain="access", kind="imported",
         source=_imported("eef_isee", "out_of_school_rate", "year")),
    # --- reported by the ESA: what the platform cannot know ----------------------------------
    _ind("supervision_coverage", "ร้อยละโรงเรียนที่ได้รับการนิเทศ", "Schools supervised",
         "ร้อยละของโรงเรียนในสังกัดที่ศึกษานิเทศก์ไปนิเทศ ติดตาม อย่างน้อยหนึ่งครั้งในรอบ",
         "Share of the ESA's schools visited by a supervisor at least once in the round.",
         unit="percent", direction="higher", domain="management", kind="reported", standards=("2",)),
    _ind("teacher_pd_hours", "ชั่วโมงพัฒนาครูเฉลี่ย", "Teacher development hours",
         "จำนวนชั่วโมงพัฒนาวิชาชีพเฉลี่ยต่อครูหนึ่งคนในรอบ", "Mean professional-development hours per teacher in the round.",
         unit="hours", direction="higher", domain="teachers", kind="reported", standards=("2",),
         min_value=0, max_value=500),
    _ind("action_plan_completion", "ร้อยละโครงการตามแผนที่ดำเนินการแล้ว", "Action plan completion",
         "ร้อยละของโครงการในแผนปฏิบัติการประจำปีที่ดำเนินการแล้วเสร็จ ณ สิ้นรอบ",
         "Share of the annual action plan's projects completed by the end of the round.",
         unit="percent", direction="higher", domain="management", kind="reported", standards=("1",)),
    _ind("children_returned", "จำนวนเด็กที่นำกลับเข้าสู่ระบบ", "Children brought back to school",
         "จำนวนเด็กนอกระบบหรือออกกลางคันที่ สพท. ติดตามกลับเข้าเรียนในรอบ",
         "Out-of-school children or dropouts the ESA brought back into school in the round.",
         unit="persons", direction="higher", domain="access", kind="reported", value_type="integer",
         min_value=0, max_value=20000),
    _ind("stakeholder_satisfaction", "ความพึงพอใจของผู้รับบริการ", "Stakeholder satisfaction",
         "ร้อยละของผู้รับบริการที่พึงพอใจระดับมากขึ้นไป จากแบบสำรวจของ สพท.",
         "Share of service users satisfied or very satisfied (the ESA's survey).",
         unit="percent", direction="higher", domain="management", kind="reported", standards=("1",)),
    _ind("sar_submission_rate", "ร้อยละโรงเรียนที่ส่งรายงาน SAR", "Schools that filed their SAR",
         "ร้อยละของโรงเรียนที่ส่งรายงานการประเมินตนเอง (SAR) ภายในกำหนด",
         "Share of schools that filed their self-assessment report (SAR) on time.",
         unit="percent", direction="higher", domain="management", kind="reported", standards=("1",)),
)  # fmt: skip

# Narrative sections of a framework: one or two per standard.
SECTIONS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("1", "s1_management", "การบริหารองค์การและการพัฒนาคุณภาพ", "Organisational management and improvement",
     "อธิบายการวางแผน การติดตาม และการปรับปรุงการดำเนินงานของสำนักงานในรอบนี้ พร้อมผลที่เกิดขึ้น",
     "How the office planned, monitored and improved its work this round, and what came of it."),
    ("2", "s2_academic", "การบริหารงานวิชาการและการนิเทศ", "Academic administration and supervision",
     "อธิบายการส่งเสริมงานวิชาการ การนิเทศ และการพัฒนาครู ระบุโครงการหรือแนวปฏิบัติที่ใช้",
     "How the office supported teaching, supervision and teacher development; name the programmes and practices used."),
    ("2", "s2_resources", "การบริหารงบประมาณ บุคคล และบริหารทั่วไป", "Budget, personnel and general administration",
     "อธิบายการบริหารงบประมาณ อัตรากำลัง และการสนับสนุนโรงเรียนขนาดเล็ก", "Budget, staffing and support to small schools."),
    ("3", "s3_results", "ผลการดำเนินงานและบทเรียน", "Results and lessons",
     "สรุปผลที่เกิดกับผู้เรียน สิ่งที่ได้ผล สิ่งที่ต้องปรับปรุง และบทเรียนที่ได้",
     "What changed for learners, what worked, what needs improving and what was learned."),
)  # fmt: skip

# Rules every framework checks (framework-less).
RULES: tuple[dict[str, Any], ...] = (
    {"code": "children_returned_le_enrolment", "kind": "compare", "severity": "blocking",
     "params": {"left": "children_returned", "op": "<=", "right": "enrolment", "factor": 1.0, "tolerance": 0.0},
     "message_th": "จำนวนเด็กที่นำกลับเข้าสู่ระบบต้องไม่เกินจำนวนนักเรียนทั้งหมดของเขตพื้นที่",
     "message_en": "Children brought back cannot exceed the area's enrolment"},
    {"code": "dropout_vs_out_of_school", "kind": "compare", "severity": "warning",
     "params": {"left": "dropout_rate", "op": "<=", "right": "out_of_school_rate", "factor": 10.0, "tolerance": 0.0},
     "message_th": "อัตราออกกลางคันสูงกว่า 10 เท่าของอัตราเด็กนอกระบบ ตรวจสอบความสอดคล้องของข้อมูล",
     "message_en": "Dropout rate is more than ten times the out-of-school rate: check that the two agree"},
    {"code": "supervision_required", "kind": "required", "severity": "blocking",
     "params": {"indicator": "supervision_coverage"},
     "message_th": "ต้องกรอกร้อยละโรงเรียนที่ได้รับการนิเทศ", "message_en": "Schools supervised must be filled in"},
    {"code": "supervision_low_comment", "kind": "required_comment", "severity": "warning",
     "params": {"indicator": "supervision_coverage", "op": "<", "value": 50},
     "message_th": "โรงเรียนได้รับการนิเทศน้อยกว่าร้อยละ 50 โปรดอธิบายเหตุผล",
     "message_en": "Fewer than half of the schools were supervised: please explain why"},
    {"code": "plan_completion_range", "kind": "range", "severity": "blocking",
     "params": {"indicator": "action_plan_completion", "min": 0, "max": 100},
     "message_th": "ร้อยละโครงการที่ดำเนินการแล้วต้องอยู่ระหว่าง 0 ถึง 100",
     "message_en": "Action plan completion must be between 0 and 100"},
    {"code": "pd_hours_high_comment", "kind": "required_comment", "severity": "warning",
     "params": {"indicator": "teacher_pd_hours", "op": ">", "value": 120},
     "message_th": "ชั่วโมงพัฒนาครูเฉลี่ยเกิน 120 ชั่วโมงในรอบเดียว โปรดอธิบาย",
     "message_en": "More than 120 development hours per teacher in one round: please explain"},
)  # fmt: skip


def catalogue_seed(standard_model: Any, indicator_model: Any, rule_model: Any) -> dict[str, int]:
    """Upsert the standards, the current version 1 of each seeded indicator and the global rules.

    Takes the model classes so that a data migration can pass its historical models. An indicator
    code that already exists is left as it is (it may have been revised since).
    """
    created = {"standards": 0, "indicators": 0, "rules": 0}
    standards = {}
    for order, (code, name_th, name_en, desc_th, desc_en) in enumerate(STANDARDS, start=1):
        std, made = standard_model.objects.get_or_create(
            code=code,
            defaults={"name_th": name_th, "name_en": name_en, "description_th": desc_th,
                      "description_en": desc_en, "order": order},
        )  # fmt: skip
        standards[code] = std
        created["standards"] += int(made)
    existing = set(indicator_model.objects.values_list("code", flat=True))
    for spec in INDICATORS:
        if spec["code"] in existing:
            continue
        fields = {k: v for k, v in spec.items() if k != "standards"}
        ind = indicator_model.objects.create(version=1, is_current=True, created_by="system", **fields)
        ind.standards.set([standards[c] for c in spec["standards"]])
        created["indicators"] += 1
    for rule in RULES:
        _, made = rule_model.objects.get_or_create(framework=None, code=rule["code"], defaults=rule)
        created["rules"] += int(made)
    return created

"""Code lists of the monitoring domain (values stored; labels Thai / English)."""

from __future__ import annotations

from django.db import models


class SourceKind(models.TextChoices):
    COMPUTED = "computed", "คำนวณจากข้อมูลในระบบ / Computed from platform data"
    IMPORTED = "imported", "นำเข้าจากแหล่งภายนอก / Imported from an external source"
    REPORTED = "reported", "สพท. รายงาน / Reported by the ESA"


class Direction(models.TextChoices):
    HIGHER = "higher", "ยิ่งสูงยิ่งดี / Higher is better"
    LOWER = "lower", "ยิ่งต่ำยิ่งดี / Lower is better"
    NEUTRAL = "neutral", "ใกล้เป้าหมายดีที่สุด / Closest to target"


class Unit(models.TextChoices):
    PERCENT = "percent", "ร้อยละ / Percent"
    RATIO = "ratio", "อัตราส่วน / Ratio"
    PERSONS = "persons", "คน / Persons"
    COUNT = "count", "จำนวน / Count"
    SCORE = "score", "คะแนน / Score"
    HOURS = "hours", "ชั่วโมง / Hours"
    PER_10K = "per_10k", "ต่อนักเรียน 10,000 คน / Per 10,000 learners"
    INDEX = "index", "ดัชนี / Index"


class ValueType(models.TextChoices):
    DECIMAL = "decimal", "ทศนิยม / Decimal"
    INTEGER = "integer", "จำนวนเต็ม / Integer"


class Level(models.TextChoices):
    SCHOOL = "school", "โรงเรียน / School"
    ESA = "esa", "สำนักงานเขตพื้นที่ / ESA"
    REGION = "region", "เขตตรวจราชการ / Inspection region"
    NATION = "nation", "ประเทศ / Nation"


class Domain(models.TextChoices):
    """What an indicator is about: lets insights say what an ESA is strong *at*."""

    ACCESS = "access", "การเข้าถึง / Access"
    FLOW = "flow", "การเลื่อนชั้นและการคงอยู่ / Flow and retention"
    LEARNING = "learning", "ผลสัมฤทธิ์ทางการเรียน / Learning outcomes"
    TEACHERS = "teachers", "ครูและบุคลากร / Teachers"
    EQUITY = "equity", "ความเสมอภาค / Equity"
    MANAGEMENT = "management", "การบริหารจัดการ / Management"
    DIGITAL = "digital", "ดิจิทัล / Digital"
    SAFETY = "safety", "ความปลอดภัย / Safety"


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", "ร่าง / Draft"
    ACTIVE = "active", "ใช้งาน / Active"
    CLOSED = "closed", "ปิดแล้ว / Closed"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "ร่าง / Draft"
    SUBMITTED = "submitted", "ส่งแล้ว / Submitted"
    IN_REVIEW = "in_review", "อยู่ระหว่างพิจารณา / In review"
    RETURNED = "returned", "ส่งกลับแก้ไข / Returned"
    APPROVED = "approved", "อนุมัติ / Approved"
    LOCKED = "locked", "ปิดรายงาน / Locked"


class ValueOrigin(models.TextChoices):
    PREFILLED = "prefilled", "เติมจากระบบ / Pre-filled"
    REPORTED = "reported", "สพท. กรอก / Reported"


class Verification(models.TextChoices):
    PENDING = "pending", "รอตรวจสอบ / Pending"
    VERIFIED = "verified", "ยืนยันแล้ว / Verified"
    PARTLY = "partly", "ยืนยันบางส่วน / Partly verified"
    NOT_VERIFIED = "not_verified", "ไม่ยืนยัน / Not verified"


class Severity(models.TextChoices):
    BLOCKING = "blocking", "ต้องแก้ไข / Blocking"
    WARNING = "warning", "คำเตือน / Warning"


class RuleKind(models.TextChoices):
    RANGE = "range", "ช่วงค่า / Range"
    REQUIRED = "required", "ต้องกรอก / Required"
    REQUIRED_COMMENT = "required_comment", "ต้องมีคำอธิบายเมื่อเข้าเงื่อนไข / Comment required when"
    COMPARE = "compare", "เปรียบเทียบตัวชี้วัด / Cross-indicator comparison"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "รอดำเนินการ / Open"
    RESOLVED = "resolved", "แก้ไขแล้ว / Resolved"
    REJECTED = "rejected", "ไม่พบปัญหา / Rejected"


class Decision(models.TextChoices):
    RETURNED = "returned", "ส่งกลับแก้ไข / Returned"
    APPROVED = "approved", "อนุมัติ / Approved"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "ใกล้ครบกำหนด / Due soon"
    OVERDUE = "overdue", "เลยกำหนด / Overdue"

"""Choices shared by the insights models (labels ``ไทย / English``)."""

from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued", "รอคิว / Queued"
    RUNNING = "running", "กำลังคำนวณ / Running"
    DONE = "done", "เสร็จ / Done"
    FAILED = "failed", "ไม่สำเร็จ / Failed"


class RunTrigger(models.TextChoices):
    CLI = "cli", "คำสั่ง / Command line"
    WEB = "web", "ปุ่มบนหน้าเว็บ / Web button"
    API = "api", "API / API"
    APPROVAL = "approval", "เมื่ออนุมัติรายงาน / Report approved"
    DEMO = "demo", "ข้อมูลตัวอย่าง / Demo"


class TrendDirection(models.TextChoices):
    UP = "up", "เพิ่มขึ้น / Rising"
    DOWN = "down", "ลดลง / Falling"
    FLAT = "flat", "ไม่เปลี่ยนอย่างมีนัยสำคัญ / No significant trend"
    TOO_FEW = "too_few", "ข้อมูลน้อยเกินไป / Too few periods"
    CONSTANT = "constant", "คงที่ทุกช่วงเวลา / Constant series"


class Verdict(models.TextChoices):
    """A unit's standing against its peers of similar context."""

    STRONG = "strong", "เข้มแข็ง / Strong"
    WEAK = "weak", "ต้องพัฒนา / Weak"
    TYPICAL = "typical", "ใกล้เคียงกลุ่ม / Typical"
    NO_PEERS = "no_peers", "ไม่มีกลุ่มเทียบ / No peers"
    NO_DATA = "no_data", "ไม่มีข้อมูล / No data"


class ClaimVerdict(models.TextChoices):
    SUPPORTED = "supported", "มีข้อมูลสนับสนุน / Supported"
    UNSUPPORTED = "unsupported", "ข้อมูลไม่สนับสนุน / Unsupported"
    NO_DATA = "no_data", "ไม่มีข้อมูล / No data"


class AlertKind(models.TextChoices):
    BELOW_TARGET = "below_target", "ต่ำกว่าค่าเป้าหมาย / Below target"
    DETERIORATION = "deterioration", "แย่ลงต่อเนื่อง / Sustained deterioration"
    MISSED_DEADLINE = "missed_deadline", "ไม่ส่งรายงานตามกำหนด / Missed deadline"
    DATA_GAP = "data_gap", "ข้อมูลขาดหาย / Data gap"
    RISK = "risk", "แบบจำลองคาดว่าจะไม่บรรลุเป้า / Predicted to miss target"


class AlertSeverity(models.TextChoices):
    HIGH = "high", "สูง / High"
    MEDIUM = "medium", "กลาง / Medium"
    LOW = "low", "ต่ำ / Low"


class AlertStatus(models.TextChoices):
    NEW = "new", "ใหม่ / New"
    ACKNOWLEDGED = "acknowledged", "รับทราบแล้ว / Acknowledged"
    ACTION = "action", "บันทึกการดำเนินการแล้ว / Action recorded"
    RESOLVED = "resolved", "ปิดแล้ว / Resolved"


class DataQuality(models.TextChoices):
    """Whether the data behind a result passed the quality checks."""

    OK = "ok", "ข้อมูลผ่านการตรวจสอบ / Data checked"
    LABELLED = "labelled", "ข้อมูลมีข้อสังเกต / Data flagged"
    HELD = "held", "ระงับไว้จนกว่าข้อมูลจะถูกต้อง / Held back: data fail checks"


class BriefStatus(models.TextChoices):
    DRAFT = "draft", "ร่าง / Draft"
    CONSULTATION = "consultation", "เปิดรับความคิดเห็น / In consultation"
    PUBLISHED = "published", "เผยแพร่แล้ว / Published"
    WITHDRAWN = "withdrawn", "ถอนแล้ว / Withdrawn"


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", "เสนอแล้ว / Proposed"
    ACCEPTED = "accepted", "รับแล้ว / Accepted"
    REJECTED = "rejected", "ไม่รับ / Rejected"

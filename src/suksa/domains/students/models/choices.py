"""Code lists of the students domain (bilingual labels, codes stable for import and export)."""

from __future__ import annotations

from django.db import models


class Grade(models.TextChoices):
    K1 = "K1", "อ.1 / K1"
    K2 = "K2", "อ.2 / K2"
    K3 = "K3", "อ.3 / K3"
    P1 = "P1", "ป.1 / P1"
    P2 = "P2", "ป.2 / P2"
    P3 = "P3", "ป.3 / P3"
    P4 = "P4", "ป.4 / P4"
    P5 = "P5", "ป.5 / P5"
    P6 = "P6", "ป.6 / P6"
    M1 = "M1", "ม.1 / M1"
    M2 = "M2", "ม.2 / M2"
    M3 = "M3", "ม.3 / M3"
    M4 = "M4", "ม.4 / M4"
    M5 = "M5", "ม.5 / M5"
    M6 = "M6", "ม.6 / M6"


GRADE_ORDER: tuple[str, ...] = tuple(g.value for g in Grade)
GRADE_SHORT_TH: dict[str, str] = {g.value: g.label.split(" / ")[0] for g in Grade}


class Sex(models.TextChoices):
    MALE = "M", "ชาย / Male"
    FEMALE = "F", "หญิง / Female"


class EntryKind(models.TextChoices):
    """How an enrolment began."""

    ADMITTED = "admitted", "รับเข้าใหม่ / Admitted"
    PROMOTED = "promoted", "เลื่อนชั้น / Promoted"
    REPEATED = "repeated", "ซ้ำชั้น / Repeating"
    TRANSFER_IN = "transfer_in", "ย้ายเข้า / Transferred in"


class EnrolmentStatus(models.TextChoices):
    """Where an enrolment stands. The first two are open; the rest close it."""

    ACTIVE = "active", "กำลังศึกษา / Studying"
    PENDING_TRANSFER = "pending_transfer", "รอย้าย / Pending transfer"
    TRANSFERRED_OUT = "transferred_out", "ย้ายออก / Transferred out"
    DROPPED_OUT = "dropped_out", "ออกกลางคัน / Dropped out"
    PROMOTED = "promoted", "เลื่อนชั้น / Promoted"
    REPEATED = "repeated", "ซ้ำชั้น / Repeated"
    GRADUATED = "graduated", "จบการศึกษา / Graduated"


OPEN_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PENDING_TRANSFER)
YEAR_END_STATUSES = (EnrolmentStatus.PROMOTED, EnrolmentStatus.REPEATED, EnrolmentStatus.GRADUATED)


class DropoutReason(models.TextChoices):
    """Why a learner left school (after the DMC code list; codes are stable)."""

    POVERTY = "01", "ฐานะยากจน / Poverty"
    FAMILY_PROBLEMS = "02", "มีปัญหาครอบครัว / Family problems"
    MIGRATION = "03", "อพยพตามผู้ปกครอง / Moved with family"
    WORK = "04", "ต้องหาเลี้ยงครอบครัว / Working to support the family"
    MARRIAGE = "05", "สมรสแล้ว / Married"
    ADJUSTMENT = "06", "ปรับตัวไม่ได้ / Could not adjust"
    ILLNESS = "07", "เจ็บป่วย / Illness or accident"
    PREGNANCY = "08", "ตั้งครรภ์ / Pregnancy"
    LEGAL = "09", "มีปัญหาทางกฎหมาย / Legal problems"
    DISTANCE = "10", "การเดินทางไม่สะดวก / Distance or travel"
    UNTRACEABLE = "11", "หาตัวไม่พบ / Cannot be traced"
    OTHER = "99", "อื่น ๆ / Other"


class Disability(models.TextChoices):
    """The nine disability categories of the Ministry of Education (2552), plus none."""

    NONE = "", "ไม่มี / None"
    VISUAL = "1", "บกพร่องทางการเห็น / Visual impairment"
    HEARING = "2", "บกพร่องทางการได้ยิน / Hearing impairment"
    INTELLECTUAL = "3", "บกพร่องทางสติปัญญา / Intellectual disability"
    PHYSICAL = "4", "บกพร่องทางร่างกายหรือสุขภาพ / Physical or health impairment"
    LEARNING = "5", "บกพร่องทางการเรียนรู้ / Learning disability"
    SPEECH = "6", "บกพร่องทางการพูดและภาษา / Speech and language impairment"
    BEHAVIOURAL = "7", "มีปัญหาทางพฤติกรรมหรืออารมณ์ / Behavioural or emotional disorder"
    AUTISM = "8", "ออทิสติก / Autism"
    MULTIPLE = "9", "พิการซ้อน / Multiple disabilities"


class Religion(models.TextChoices):
    UNSTATED = "", "ไม่ระบุ / Not stated"
    BUDDHISM = "buddhism", "พุทธ / Buddhism"
    ISLAM = "islam", "อิสลาม / Islam"
    CHRISTIANITY = "christianity", "คริสต์ / Christianity"
    HINDUISM = "hinduism", "ฮินดู / Hinduism"
    SIKHISM = "sikhism", "ซิกข์ / Sikhism"
    OTHER = "other", "อื่น ๆ / Other"
    NONE = "none", "ไม่นับถือศาสนา / None"


class AttendanceCode(models.TextChoices):
    PRESENT = "P", "มา / Present"
    LATE = "L", "สาย / Late"
    SICK = "S", "ป่วย / Sick"
    LEAVE = "E", "ลา / Leave"
    ABSENT = "A", "ขาด / Absent"

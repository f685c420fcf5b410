"""Data tables behind the synthetic nation: regions, ESA layout, scales, personas and name parts.

Everything here is data, not logic, so that a better source can replace a table without touching
the generator. Province codes are the official two-digit codes (as in ``geothai`` / core.Province).
"""

from __future__ import annotations

from dataclasses import dataclass

from suksa.core.policy import Role

# The 18 inspection regions (เขตตรวจราชการ) and their provinces.
# Source/assumption: the grouping of the Prime Minister's Office regulation on government
# inspection (ระเบียบสำนักนายกรัฐมนตรีว่าด้วยการตรวจราชการ, 18 regions) that the Ministry of
# Education's inspection order follows, as recalled from public ministry and OBEC pages; it was not
# checked against the current order, so treat it as plausible rather than authoritative.
# The PMO inspects Bangkok separately ("ส่วนกลาง"); OBEC needs every province in one region, so
# Bangkok is placed in region 1 with its neighbouring provinces.
REGION_PROVINCES: dict[int, tuple[str, ...]] = {
    1: ("10", "12", "13", "14", "19"),  # กรุงเทพฯ นนทบุรี ปทุมธานี พระนครศรีอยุธยา สระบุรี
    2: ("15", "16", "17", "18"),  # อ่างทอง ลพบุรี สิงห์บุรี ชัยนาท
    3: ("71", "72", "73", "70"),  # กาญจนบุรี สุพรรณบุรี นครปฐม ราชบุรี
    4: ("74", "75", "76", "77"),  # สมุทรสาคร สมุทรสงคราม เพชรบุรี ประจวบคีรีขันธ์
    5: ("80", "84", "86", "93"),  # นครศรีธรรมราช สุราษฎร์ธานี ชุมพร พัทลุง
    6: ("81", "82", "83", "85", "92"),  # กระบี่ พังงา ภูเก็ต ระนอง ตรัง
    7: ("90", "91", "94", "95", "96"),  # สงขลา สตูล ปัตตานี ยะลา นราธิวาส
    8: ("20", "21", "22", "23"),  # ชลบุรี ระยอง จันทบุรี ตราด
    9: ("11", "24", "25", "26", "27"),  # สมุทรปราการ ฉะเชิงเทรา ปราจีนบุรี นครนายก สระแก้ว
    10: ("41", "42", "43", "39", "38"),  # อุดรธานี เลย หนองคาย หนองบัวลำภู บึงกาฬ
    11: ("47", "48", "49"),  # สกลนคร นครพนม มุกดาหาร
    12: ("40", "44", "45", "46"),  # ขอนแก่น มหาสารคาม ร้อยเอ็ด กาฬสินธุ์
    13: ("34", "33", "35", "37"),  # อุบลราชธานี ศรีสะเกษ ยโสธร อำนาจเจริญ
    14: ("30", "31", "32", "36"),  # นครราชสีมา บุรีรัมย์ สุรินทร์ ชัยภูมิ
    15: ("50", "51", "52", "58"),  # เชียงใหม่ ลำพูน ลำปาง แม่ฮ่องสอน
    16: ("57", "55", "56", "54"),  # เชียงราย น่าน พะเยา แพร่
    17: ("65", "63", "64", "53", "67"),  # พิษณุโลก ตาก สุโขทัย อุตรดิตถ์ เพชรบูรณ์
    18: ("60", "61", "62", "66"),  # นครสวรรค์ อุทัยธานี กำแพงเพชร พิจิตร
}

# Primary ESAs (สพป.) per province: 183 in all. Large provinces have several areas, as they do in
# reality (นครราชสีมา 7, เชียงใหม่ 6, ขอนแก่น and อุบลราชธานี 5 …); the per-province numbers are a
# plausible reconstruction, not the official list.
PRIMARY_AREAS: dict[str, int] = {
    "10": 1, "11": 2, "12": 2, "13": 2, "14": 2, "15": 1, "16": 2, "17": 1, "18": 1, "19": 2,
    "20": 3, "21": 2, "22": 2, "23": 1, "24": 2, "25": 2, "26": 1, "27": 2,
    "30": 7, "31": 4, "32": 3, "33": 4, "34": 5, "35": 2, "36": 3, "37": 1, "38": 1, "39": 2,
    "40": 5, "41": 4, "42": 3, "43": 2, "44": 3, "45": 3, "46": 3, "47": 3, "48": 2, "49": 1,
    "50": 6, "51": 2, "52": 3, "53": 2, "54": 2, "55": 2, "56": 2, "57": 4, "58": 2,
    "60": 3, "61": 2, "62": 2, "63": 2, "64": 2, "65": 3, "66": 2, "67": 3,
    "70": 2, "71": 4, "72": 3, "73": 2, "74": 1, "75": 1, "76": 2, "77": 2,
    "80": 4, "81": 1, "82": 1, "83": 1, "84": 3, "85": 1, "86": 2,
    "90": 3, "91": 1, "92": 2, "93": 2, "94": 3, "95": 3, "96": 3,
}  # fmt: skip

# Secondary ESAs (สพม.): 62 offices. Most cover one province; some cover two or three (the office
# sits in the first). Bangkok has two areas. Plausible reconstruction of the post-2021 layout.
# Each entry: (provinces covered, number of areas).
SECONDARY_OFFICES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("10",), 2),
    (("11",), 1), (("12",), 1), (("13",), 1), (("14",), 1), (("19",), 1),
    (("16",), 1), (("17", "15"), 1), (("18",), 1),
    (("71",), 1), (("72",), 1), (("73",), 1), (("70",), 1),
    (("74", "75"), 1), (("76",), 1), (("77",), 1),
    (("80",), 1), (("84", "86"), 1), (("93",), 1),
    (("92", "81"), 1), (("82", "83", "85"), 1),
    (("90", "91"), 1), (("94",), 1), (("95",), 1), (("96",), 1),
    (("20", "21"), 1), (("22", "23"), 1),
    (("24",), 1), (("25", "26"), 1), (("27",), 1),
    (("41",), 1), (("42", "39"), 1), (("43", "38"), 1),
    (("47",), 1), (("48",), 1), (("49",), 1),
    (("40",), 1), (("44",), 1), (("45",), 1), (("46",), 1),
    (("34", "37"), 1), (("33", "35"), 1),
    (("30",), 1), (("31",), 1), (("32",), 1), (("36",), 1),
    (("50",), 1), (("52", "51"), 1), (("58",), 1),
    (("57",), 1), (("55",), 1), (("56",), 1), (("54",), 1),
    (("65", "53"), 1), (("63",), 1), (("64",), 1), (("67",), 1),
    (("60",), 1), (("61",), 1), (("62",), 1), (("66",), 1),
)  # fmt: skip


@dataclass(frozen=True)
class Scale:
    """How much of the nation to generate."""

    name: str
    regions: tuple[int, ...] | None  # whole regions; None = every region
    provinces: tuple[str, ...] | None  # or a handful of provinces
    # Schools per ESA when fixed (tiny); None = full density, as in the real country.
    primary_schools_per_esa: int | None = None
    secondary_schools_per_esa: int | None = None


SCALES: dict[str, Scale] = {
    # Two regions, three provinces: นนทบุรี (R01) and เลย + หนองบัวลำภู (R10, one shared สพม.).
    "tiny": Scale("tiny", None, ("12", "42", "39"), primary_schools_per_esa=7, secondary_schools_per_esa=5),
    # Two whole regions at full density: Bangkok and its neighbours, and the upper north-east.
    "province": Scale("province", (1, 10), None),
    "national": Scale("national", None, None),
}

# Full-density targets (AY 2565 OBEC figures: 29,449 schools, 6.6 M students; ~26,500 schools
# under primary ESAs and ~2,400 under secondary ESAs). Primary schools are spread in proportion to
# subdistricts, secondary schools in proportion to districts; Bangkok has few OBEC primary schools
# (the city runs its own), so it gets a fixed number.
PRIMARY_SCHOOLS_NATIONAL = 26_500
SECONDARY_SCHOOLS_NATIONAL = 2_400
BANGKOK = "10"
BANGKOK_PRIMARY_SCHOOLS = 110

# The demo's academic calendar: today is in AY 2569 (started 16 May 2026); counts are the
# 10 June census of that year.
CURRENT_ACADEMIC_YEAR_BE = 2569
CALENDAR_YEARS_BE = range(2565, 2570)

DEMO_PASSWORD = "suksa-demo-2569"  # noqa: S105 - the published password of synthetic personas

# Where the personas sit. Both ESAs exist at every scale, so the logins are the same everywhere.
HOME_ESA_CODE = "11201"  # สพป.นนทบุรี เขต 1
OTHER_ESA_CODE = "14201"  # สพป.เลย เขต 1 (another region: shows that scopes do not leak)


@dataclass(frozen=True)
class Persona:
    """A synthetic demo user. Names are invented; no real person is meant."""

    username: str
    role: Role
    unit: str  # nation | home_region | home_esa | other_esa | home_school | other_school
    title_th: str
    first_name_th: str
    last_name_th: str
    first_name: str
    last_name: str


PERSONAS: tuple[Persona, ...] = (
    Persona("executive", Role.NATIONAL_EXECUTIVE, "nation", "ดร.", "วิมลรัตน์", "ศรีสุขวัฒนากูล", "Wimonrat", "Srisukwatthanakun"),
    Persona("me_officer", Role.NATIONAL_ME_OFFICER, "nation", "นาง", "ปราณี", "ทองประเสริฐกุล", "Pranee", "Thongprasoetkun"),
    Persona("reviewer", Role.ME_REVIEWER, "nation", "นาง", "จันทร์เพ็ญ", "ศักดิ์สิทธิ์ธำรง", "Chanphen", "Saksitthamrong"),
    Persona("inspector", Role.INSPECTOR, "home_region", "นาย", "ธนพล", "วงศ์ไพบูลย์ชัย", "Thanaphon", "Wongphaibunchai"),
    Persona("esa_director", Role.ESA_DIRECTOR, "home_esa", "ดร.", "สมชาย", "รุ่งเรืองศักดิ์ดี", "Somchai", "Rungrueangsakdi"),
    Persona("esa_officer", Role.ESA_OFFICER, "home_esa", "นางสาว", "กนกวรรณ", "แสงอรุณทิพย์", "Kanokwan", "Saengarunthip"),
    Persona("esa_officer_2", Role.ESA_OFFICER, "other_esa", "นาย", "อนุชา", "พรหมวิเศษกุล", "Anucha", "Phromwisetkun"),
    Persona("school_director", Role.SCHOOL_DIRECTOR, "home_school", "นาง", "สุนีย์", "บุญประคองศรี", "Sunee", "Bunprakhongsi"),
    Persona("school_staff", Role.SCHOOL_STAFF, "home_school", "นางสาว", "พิมพ์ชนก", "ใจมั่นคงดี", "Phimchanok", "Chaimankhongdi"),
    Persona("teacher", Role.TEACHER, "home_school", "นาย", "ณัฐวุฒิ", "คำแสนสุขใส", "Natthawut", "Khamsaensuksai"),
    Persona("school_director_2", Role.SCHOOL_DIRECTOR, "other_school", "นาย", "วีระพงษ์", "ศรีนวลจันทร์", "Weeraphong", "Sinuanchan"),
    Persona("dpo", Role.DPO, "nation", "นาง", "อรอุมา", "เลิศวิริยะนันท์", "On-uma", "Loetwiriyanan"),
    Persona("sysadmin", Role.SYSADMIN, "nation", "นาย", "ภาคภูมิ", "ดิจิทัลวงศ์ไพศาล", "Phakphum", "Dijitanwongphaisan"),
)  # fmt: skip

# Village-name parts for schools that are not named after their subdistrict (Thai, romanised).
VILLAGE_HEADS: tuple[tuple[str, str], ...] = (
    ("หนอง", "Nong"), ("โนน", "Non"), ("ดอน", "Don"), ("ห้วย", "Huai"), ("นา", "Na"), ("โคก", "Khok"),
    ("ท่า", "Tha"), ("บึง", "Bueng"), ("ป่า", "Pa"), ("ทุ่ง", "Thung"), ("บ่อ", "Bo"), ("คลอง", "Khlong"),
    ("สระ", "Sa"), ("วังน้ำ", "Wang Nam"), ("หัวนา", "Hua Na"), ("โพธิ์", "Pho"),
)  # fmt: skip
VILLAGE_TAILS: tuple[tuple[str, str], ...] = (
    ("แก", "Kae"), ("ใหญ่", "Yai"), ("ยาง", "Yang"), ("แดง", "Daeng"), ("ขาม", "Kham"), ("บัว", "Bua"),
    ("คำ", "Kham"), ("ทอง", "Thong"), ("สะแก", "Sakae"), ("ไผ่", "Phai"), ("ตะเคียน", "Takhian"),
    ("หว้า", "Wa"), ("ม่วง", "Muang"), ("มะค่า", "Makha"), ("กุง", "Kung"), ("เรือ", "Ruea"),
    ("จาน", "Chan"), ("สองห้อง", "Song Hong"), ("ศรีสุข", "Si Suk"), ("งาม", "Ngam"),
)  # fmt: skip
# Added when a name is already taken in the same ESA, as real villages split into new ones.
NAME_MODIFIERS: tuple[tuple[str, str], ...] = (
    ("ใหม่", "Mai"), ("เหนือ", "Nuea"), ("ใต้", "Tai"), ("น้อย", "Noi"), ("กลาง", "Klang"),
    ("ตะวันออก", "Tawan Ok"), ("ตะวันตก", "Tawan Tok"), ("พัฒนา", "Phatthana"), ("สามัคคี", "Samakkhi"),
)  # fmt: skip
# Secondary-school name endings.
SECONDARY_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("วิทยา", "Witthaya"), ("พิทยาคม", "Phitthayakhom"), ("วิทยาคาร", "Witthayakhan"),
    ("วิทยาคม", "Witthayakhom"), ("ศึกษา", "Suksa"), ("พิทยาสรรพ์", "Phitthayasan"),
    ("ราษฎร์บำรุง", "Rat Bamrung"),
)  # fmt: skip

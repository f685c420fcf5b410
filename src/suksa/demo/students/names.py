"""Name parts for synthetic learners and guardians: (Thai, simple romanisation) pairs.

Invented personas only. First names are common Thai given names by sex (plus a short list of
Malay-Muslim names used for learners recorded as Muslim); surnames are built from a head and a
tail part (``ศรี`` + ``สุข`` → ``ศรีสุข``), which gives several hundred plausible, invented family
names. Romanisation follows the Royal Thai General System loosely; it is a demo, not a reference.
"""

from __future__ import annotations

MALE_FIRST: tuple[tuple[str, str], ...] = (
    ("ธนากร", "Thanakon"), ("ณัฐพล", "Natthaphon"), ("ภูมิพัฒน์", "Phumiphat"), ("กิตติพัฒน์", "Kittiphat"),
    ("ธีรภัทร", "Thiraphat"), ("ปัณณวัฒน์", "Pannawat"), ("ศุภกร", "Suphakon"), ("อภิวัฒน์", "Aphiwat"),
    ("วรเมธ", "Woramet"), ("พีรพัฒน์", "Phiraphat"), ("ชยพล", "Chayaphon"), ("ธนภัทร", "Thanaphat"),
    ("กฤตภาส", "Krittaphat"), ("ภาคิน", "Phakhin"), ("ณภัทร", "Naphat"), ("รัชชานนท์", "Ratchanon"),
    ("จิรายุ", "Chirayu"), ("ปกรณ์", "Pakon"), ("ธนวัฒน์", "Thanawat"), ("อนุชิต", "Anuchit"),
    ("สิรวิชญ์", "Sirawit"), ("พงศกร", "Phongsakon"), ("วชิรวิทย์", "Wachirawit"), ("ศิวกร", "Siwakon"),
    ("ชินวัตร", "Chinnawat"), ("ภูริณัฐ", "Phurinat"), ("นนทพัทธ์", "Nonthaphat"), ("ปวริศ", "Pawarit"),
    ("เตชินท์", "Techin"), ("กันตภณ", "Kantaphon"), ("ธีรดนย์", "Thiradon"), ("ภัทรพล", "Phattharaphon"),
    ("สมชาย", "Somchai"), ("สมศักดิ์", "Somsak"), ("ประเสริฐ", "Prasoet"), ("วิชัย", "Wichai"),
    ("สุรชัย", "Surachai"), ("อำนาจ", "Amnat"), ("บุญมี", "Bunmi"), ("ทองดี", "Thongdi"),
    ("เกียรติศักดิ์", "Kiattisak"), ("วีรยุทธ", "Weerayut"), ("ชัยวัฒน์", "Chaiwat"), ("ณรงค์", "Narong"),
    ("ปิยะพงษ์", "Piyaphong"), ("สุทธิพงษ์", "Sutthiphong"), ("อดิศร", "Adison"), ("ยุทธนา", "Yutthana"),
    ("ศักดิ์ชัย", "Sakchai"), ("ธวัชชัย", "Thawatchai"), ("ภานุวัฒน์", "Phanuwat"), ("จักรพันธ์", "Chakkraphan"),
    ("ณัฐวุฒิ", "Natthawut"), ("พิชิตชัย", "Phichitchai"), ("ธนพนธ์", "Thanaphon"), ("อัครพล", "Akkharaphon"),
    ("ภูวดล", "Phuwadon"), ("รุ่งโรจน์", "Rungrot"), ("สิทธิชัย", "Sitthichai"), ("ก้องภพ", "Kongphop"),
)  # fmt: skip

FEMALE_FIRST: tuple[tuple[str, str], ...] = (
    ("ณัฐธิดา", "Natthida"), ("พิมพ์ชนก", "Phimchanok"), ("ปุณยวีร์", "Punyawi"), ("กัญญาณัฐ", "Kanyanat"),
    ("ธนัชพร", "Thanatchaphon"), ("ศิริประภา", "Siriprapha"), ("อรปรียา", "Onpriya"), ("ชญานิศ", "Chayanit"),
    ("ภัทรวดี", "Phatthrawadi"), ("พิชชาพร", "Phitchaphon"), ("กมลชนก", "Kamonchanok"), ("ณิชาภัทร", "Nichaphat"),
    ("สุชานันท์", "Suchanan"), ("ปาณิสรา", "Panitsara"), ("จิราพัชร", "Chiraphat"), ("วรัญญา", "Waranya"),
    ("อริสรา", "Aritsara"), ("ธัญชนก", "Thanchanok"), ("นันทิชา", "Nanticha"), ("เบญญาภา", "Benyapha"),
    ("ขวัญข้าว", "Khwankhao"), ("ปภาวรินท์", "Paphawarin"), ("ลลิตา", "Lalita"), ("มนัสนันท์", "Manatsanan"),
    ("สุภาวดี", "Suphawadi"), ("กนกพร", "Kanokphon"), ("อัญชลี", "Anchali"), ("วิไลวรรณ", "Wilaiwan"),
    ("สมหญิง", "Somying"), ("บุษบา", "Butsaba"), ("ประภาพร", "Praphaphon"), ("จันทร์เพ็ญ", "Chanphen"),
    ("นงลักษณ์", "Nongluck"), ("รัตนา", "Rattana"), ("สุนิสา", "Sunisa"), ("ดวงใจ", "Duangchai"),
    ("พรทิพย์", "Phonthip"), ("เยาวลักษณ์", "Yaowalak"), ("อรุณี", "Aruni"), ("ศศิธร", "Sasithon"),
    ("ทิพวรรณ", "Thippawan"), ("นภัสสร", "Naphatson"), ("ปวีณา", "Pawina"), ("กาญจนา", "Kanchana"),
    ("ชุติมา", "Chutima"), ("วันวิสา", "Wanwisa"), ("ณัฐนิชา", "Natnicha"), ("ศุภิสรา", "Suphitsara"),
    ("อภิญญา", "Aphinya"), ("ภัคจิรา", "Phakchira"), ("รินรดา", "Rinrada"), ("ปริยากร", "Pariyakon"),
    ("สิริกร", "Sirikon"), ("ธิดารัตน์", "Thidarat"), ("เกศินี", "Kesini"), ("พัชราภา", "Phatcharapha"),
    ("อิงฟ้า", "Ingfa"), ("น้ำฝน", "Namfon"), ("แพรวา", "Praewa"), ("ใบเฟิร์น", "Baifern"),
)  # fmt: skip

# Given names common among Malay-Muslim families of the deep south (and Muslims elsewhere).
MUSLIM_MALE_FIRST: tuple[tuple[str, str], ...] = (
    ("มูฮัมหมัด", "Muhammad"), ("อับดุลเลาะ", "Abdullah"), ("อาหมัด", "Ahmad"), ("ซัมซูดิง", "Samsuding"),
    ("อิสมาแอ", "Ismae"), ("ฮาฟิซ", "Hafiz"), ("ยูโซะ", "Yuso"), ("อาริฟ", "Arif"), ("ฟาริส", "Faris"),
    ("มะรอนิง", "Maroning"), ("ซุลกิฟลี", "Sulkifli"), ("อิรฟาน", "Irfan"), ("รุสลัน", "Ruslan"),
    ("ฮากิม", "Hakim"), ("อัซฮาร์", "Azhar"),
)  # fmt: skip
MUSLIM_FEMALE_FIRST: tuple[tuple[str, str], ...] = (
    ("ฟาตีมะห์", "Fatimah"), ("นูรีซัน", "Nurisan"), ("ซารีฟะห์", "Sarifah"), ("อัสมะ", "Asma"),
    ("นูรฮายาตี", "Nurhayati"), ("ซิตีนูร", "Sitinur"), ("อามีเนาะ", "Aminoh"), ("ไซนับ", "Sainab"),
    ("รอฮานี", "Rohani"), ("ฮัสนะ", "Hasna"), ("มารีแย", "Mariyae"), ("ซูไรยา", "Suraiya"),
    ("อาอีชะห์", "Aishah"), ("ฮาลีมะห์", "Halimah"), ("นูรอามีรา", "Nuramira"),
)  # fmt: skip

# Family-name parts: head + tail. 32 × 30 = 960 invented surnames.
SURNAME_HEADS: tuple[tuple[str, str], ...] = (
    ("ศรี", "Si"), ("แสง", "Saeng"), ("ทอง", "Thong"), ("บุญ", "Bun"), ("สุข", "Suk"), ("วงศ์", "Wong"),
    ("คำ", "Kham"), ("จันทร์", "Chan"), ("แก้ว", "Kaeo"), ("ประเสริฐ", "Prasoet"), ("เพชร", "Phet"),
    ("รุ่ง", "Rung"), ("ใจ", "Chai"), ("พรหม", "Phrom"), ("สมบูรณ์", "Sombun"), ("ชัย", "Chai"),
    ("มั่น", "Man"), ("เจริญ", "Charoen"), ("ศักดิ์", "Sak"), ("นาค", "Nak"), ("ภู", "Phu"),
    ("พันธ์", "Phan"), ("อินทร์", "In"), ("เงิน", "Ngoen"), ("ดวง", "Duang"), ("สาย", "Sai"),
    ("ขุน", "Khun"), ("มณี", "Mani"), ("ธรรม", "Tham"), ("วิเศษ", "Wiset"), ("พล", "Phon"), ("ทิพย์", "Thip"),
)  # fmt: skip
SURNAME_TAILS: tuple[tuple[str, str], ...] = (
    ("สุข", "suk"), ("ศรี", "si"), ("วงศ์", "wong"), ("ชัย", "chai"), ("ดี", "di"), ("งาม", "ngam"),
    ("ทอง", "thong"), ("เจริญ", "charoen"), ("สวัสดิ์", "sawat"), ("ประเสริฐ", "prasoet"), ("พันธ์", "phan"),
    ("กุล", "kun"), ("วัฒนา", "watthana"), ("รักษ์", "rak"), ("สมบัติ", "sombat"), ("ไพศาล", "phaisan"),
    ("แสง", "saeng"), ("คำ", "kham"), ("มงคล", "mongkhon"), ("อุดม", "udom"), ("พงษ์", "phong"),
    ("ภักดี", "phakdi"), ("นิยม", "niyom"), ("ทวี", "thawi"), ("สกุล", "sakun"), ("บุตร", "but"),
    ("ราช", "rat"), ("เดช", "det"), ("ยิ่ง", "ying"), ("ไทย", "thai"),
)  # fmt: skip

# Family names of Malay-Muslim families (deep south), used with the Muslim given names.
MUSLIM_SURNAMES: tuple[tuple[str, str], ...] = (
    ("มะแซ", "Masae"), ("ดอเลาะ", "Doloh"), ("สาแม", "Samae"), ("เจ๊ะมะ", "Chema"), ("หะยีอาแว", "Hayiawae"),
    ("บินอาลี", "Binali"), ("ยูโซะ", "Yuso"), ("สะมะแอ", "Samae"), ("อาแวกาจิ", "Awaekachi"),
    ("ดือราแม", "Duerame"), ("แวหะมะ", "Waehama"), ("มามะ", "Mama"), ("ลาเตะ", "Late"), ("กาซอ", "Kaso"),
    ("สาเมาะ", "Samo"), ("บือซา", "Buesa"), ("หะยีดาโอะ", "Hayidao"), ("เปาะเลาะ", "Poloh"),
)  # fmt: skip


def surname(index: int) -> tuple[str, str]:
    """The ``index``-th invented surname (Thai, English), cycling over heads × tails."""
    head = SURNAME_HEADS[index % len(SURNAME_HEADS)]
    tail = SURNAME_TAILS[(index // len(SURNAME_HEADS)) % len(SURNAME_TAILS)]
    if head[0] == tail[0]:  # "สุขสุข": take the next tail
        tail = SURNAME_TAILS[(index // len(SURNAME_HEADS) + 1) % len(SURNAME_TAILS)]
    return head[0] + tail[0], head[1] + tail[1]


SURNAME_COUNT = len(SURNAME_HEADS) * len(SURNAME_TAILS)

"""Demo data: realistic producers, two fiscal years of their monthly sales, demo sign-ins.

For a developer machine, a demonstration, or a load test at the national scale of SPEC
section 7; never for production. Everything comes from one seeded random.Random, so the
same seed on the same day makes the same producers and the same amounts.

The months: every month of the fiscal year before, and the months of the chosen year that
have started; the current month only once last month's deadline has passed (until then its
officers are busy confirming last month). Every month whose deadline has passed is
confirmed by district and province, so the department's pages, the KPI and its chart show
real figures from the first sign-in. A month still open (last month until its deadline, or
the current month) is under way: every other district of a province has confirmed it (and,
last month, its province too), the demo district has not, and its province has sent a few
rows back with a reason, through the same send-back as the confirmation page.
Every province gets producers and a KPI base for the year: its confirmed sales of the year
before, as the department would load them (load_targets).
"""

import datetime
import io
import itertools
import os
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from otopdoc import fiscal
from otopdoc.fiscal import BANGKOK, FiscalMonth, fiscal_months
from otopdoc.models import Officer, Role
from otopdoc.officers import create_officer
from reports.targets import TargetError, load_seed_targets
from reports.totals import rebuild as rebuild_totals
from sales.models import (
    MAX_AMOUNT,
    District,
    MonthlySale,
    Producer,
    ProducerType,
    ProductType,
    Subdistrict,
)

DEFAULT_SEED = 2569
SCALES = ("small", "national")
NATIONAL_PRODUCERS = 100_000
DEFAULT_HOST = "127.0.0.1:8000"  # make run's HOST
SENT_BACK_ROWS = 2  # per district sent rows back: the demo district and one more
SENT_BACK_REASON = "ยอดจำหน่ายในประเทศไม่ตรงกับหลักฐานที่ส่งมา กรุณาตรวจสอบแล้วแก้ไข"
TARGET_SOURCE = "ข้อมูลสาธิต: ยอดจำหน่ายปีงบประมาณ {year} ที่จังหวัดยืนยันแล้ว"

# Demo passwords are fixed and printed on purpose: this is demo data on a developer machine.
DEMO_PASSWORD = "otop-demo-2569"
ADMIN_USERNAME = "admin"
DEMO_OFFICERS = (
    ("demo_district", Role.DISTRICT, "5701"),
    ("demo_province", Role.PROVINCE, "57"),
    ("demo_department", Role.DEPARTMENT, None),
)

# Small scale: every district of Chiang Rai, three districts of two more provinces, and one
# district of every other province, so the department's pages compare every province.
SMALL_PROVINCE = "57"
SMALL_PER_DISTRICT = (15, 30)
SMALL_OTHER_PROVINCES = ("50", "30")
SMALL_OTHER_DISTRICTS = 3
SMALL_OTHER_PER_DISTRICT = (1, 3)

# SPEC section 4 names the producer and product types but gives no proportions. These are
# guesses in the shape of OTOP registers (community groups the most, food the largest type),
# only so that the demo's reports are not flat; nothing depends on them.
PRODUCER_TYPE_WEIGHTS = {
    ProducerType.COMMUNITY_GROUP: 60,
    ProducerType.SINGLE_OWNER: 30,
    ProducerType.SME: 10,
}
PRODUCT_TYPE_WEIGHTS = {
    ProductType.FOOD: 40,
    ProductType.BEVERAGE: 8,
    ProductType.TEXTILE: 25,
    ProductType.HOUSEHOLD: 20,
    ProductType.HERB: 7,
}
SECOND_TYPE_SHARE = 0.10

# Amounts, in satang: a producer's usual month is log-normal around a median by its type
# (about 30,000 baht overall), and each month varies around it.
MEDIAN_SATANG = {
    ProducerType.COMMUNITY_GROUP: 35_000_00,
    ProducerType.SINGLE_OWNER: 22_000_00,
    ProducerType.SME: 90_000_00,
}
PRODUCER_SIGMA = 0.9
MONTH_SIGMA = 0.25
SECOND_TYPE_FACTOR = 0.35
# New Year and the cool season sell the most; the rainy season the least.
SEASON = {1: 1.3, 2: 1.05, 7: 0.9, 8: 0.9, 9: 0.9, 11: 1.1, 12: 1.4}
PREVIOUS_YEAR_FACTOR = 0.93
NO_SALES_SHARE = 0.03
EXPORTER_SHARE = 0.14
EXPORT_MONTH_SHARE = 0.75
EXPORT_FRACTION = (0.05, 0.6)
MAX_SATANG = int(MAX_AMOUNT * 100)

BATCH = 5_000
COPY_CHUNK = 100_000
REPORT_EVERY = 250_000

GROUP_WORDS = {
    ProductType.FOOD: [
        "แม่บ้านแปรรูปอาหาร",
        "น้ำพริก",
        "ขนมไทย",
        "ข้าวแต๋น",
        "กล้วยตาก",
        "ไส้อั่ว",
        "แคบหมู",
        "ข้าวกล้องงอก",
        "ผลไม้แปรรูป",
        "หมูยอ",
        "ถั่วเน่าแผ่น",
        "ผักปลอดสารพิษ",
    ],
    ProductType.BEVERAGE: [
        "ชาอัสสัม",
        "แปรรูปกาแฟ",
        "น้ำผลไม้",
        "ไวน์ผลไม้",
        "ชาสมุนไพร",
        "น้ำมะขามป้อม",
        "ชาใบหม่อน",
    ],
    ProductType.TEXTILE: [
        "ทอผ้า",
        "ทอผ้าไหม",
        "ผ้าฝ้ายทอมือ",
        "ย้อมผ้าคราม",
        "ตัดเย็บเสื้อผ้า",
        "ผ้าปักชาวเขา",
        "ผ้าขาวม้า",
        "ผ้ามัดย้อม",
        "ทอผ้าซิ่นตีนจก",
    ],
    ProductType.HOUSEHOLD: [
        "จักสาน",
        "จักสานไม้ไผ่",
        "เครื่องปั้นดินเผา",
        "แกะสลักไม้",
        "ดอกไม้ประดิษฐ์",
        "เฟอร์นิเจอร์ไม้",
        "ร่มกระดาษสา",
        "โคมล้านนา",
        "เครื่องเงิน",
        "ผักตบชวาสาน",
    ],
    ProductType.HERB: [
        "สมุนไพร",
        "ลูกประคบ",
        "สบู่สมุนไพร",
        "ยาหม่อง",
        "น้ำมันนวดสมุนไพร",
        "แชมพูสมุนไพร",
        "สมุนไพรแปรรูป",
    ],
}
VILLAGES = [
    "ดอนแก้ว",
    "หนองบัว",
    "ป่าซาง",
    "ห้วยทราย",
    "ทุ่งโฮ้ง",
    "โนนสูง",
    "หนองหอย",
    "ป่าแดด",
    "ร่องขุ่น",
    "สันกลาง",
    "ดงมะดะ",
    "หัวฝาย",
    "ป่าอ้อ",
    "ห้วยขม",
    "โป่งน้ำร้อน",
    "นาโป่ง",
    "ดอนมูล",
    "สันมะเค็ด",
    "หนองแหย่ง",
    "บ่อแก้ว",
    "ทุ่งกล้วย",
    "หนองผือ",
    "นาคำ",
    "โคกกลาง",
    "ท่าช้าง",
    "หนองไผ่",
    "ใหม่",
    "ใหม่พัฒนา",
    "สามัคคี",
    "ดอนไชย",
    "ห้วยหิน",
    "หนองแวง",
    "โคกสว่าง",
    "นาดี",
    "ศรีดอนชัย",
    "ป่าตึง",
    "แม่ต๋ำ",
    "สบคำ",
    "หนองเต่า",
    "โพธิ์ทอง",
]
SHOP_WORDS = {
    ProductType.FOOD: ["ร้านขนม", "น้ำพริก", "ร้านข้าวแต๋น", "ขนมไทย", "แหนม"],
    ProductType.BEVERAGE: ["กาแฟดอย", "ชา", "ร้านน้ำผลไม้"],
    ProductType.TEXTILE: ["ผ้าทอ", "ผ้าไหม", "ร้านผ้าฝ้าย", "ร้านเสื้อผ้า"],
    ProductType.HOUSEHOLD: ["จักสาน", "ร้านเครื่องปั้น", "งานไม้", "ร้านของที่ระลึก"],
    ProductType.HERB: ["สมุนไพร", "ลูกประคบ", "ร้านยาหม่อง"],
}
# Honorifics with names of the same sex, as a village would call a shop's owner.
OWNERS = (
    (
        ["แม่", "ป้า", "ยาย", "คุณ", "พี่"],
        ["บุญมี", "ทองคำ", "สมศรี", "มาลี", "จันทร์เพ็ญ", "บัวผัน", "แสงดาว", "บุญเรือน"]
        + ["ศรีนวล", "สุดา", "อำพร", "ทองใบ", "ดวงใจ", "พิมพ์", "จำปี", "วันดี", "อุไร"],
    ),
    (
        ["พ่อ", "ลุง", "ตา", "คุณ", "พี่"],
        ["ประเสริฐ", "สมบัติ", "คำแปง", "คำปัน", "อินทร์", "บุญศรี", "สมพร", "ประยูร"]
        + ["ทองสุข", "บุญธรรม", "สมชาย", "บุญเลิศ", "คำมูล", "ศรีมูล", "อินถา"],
    ),
)
BRAND_HEADS = ["ศรี", "ทอง", "รุ่ง", "เจริญ", "สยาม", "ไทย", "มณี", "แสง", "เพชร", "บัว", "ล้านนา"]
BRAND_TAILS = ["ทอง", "รุ่ง", "เจริญ", "มงคล", "สุข", "ทิพย์", "ดี", "นคร", "วัฒนา", "พัฒนา"]
SME_WORDS = {
    ProductType.FOOD: ["ฟู้ด", "อาหารแปรรูป", "ขนมไทย", "ฟู้ดโปรดักส์"],
    ProductType.BEVERAGE: ["เครื่องดื่ม", "กาแฟ", "ชาไทย", "เบเวอเรจ"],
    ProductType.TEXTILE: ["ผ้าไทย", "แฟชั่น", "สิ่งทอ", "ผ้าไหม"],
    ProductType.HOUSEHOLD: ["หัตถกรรม", "เซรามิก", "เฟอร์นิเจอร์", "ของขวัญ"],
    ProductType.HERB: ["สมุนไพร", "เฮิร์บ", "สปา", "เวชสำอาง"],
}


class DemoError(Exception):
    """A reason the demo data cannot be made, said so a developer can fix it."""


def has_data():
    """Tell whether the database already has producers (and so perhaps sales)."""
    return Producer.objects.exists() or MonthlySale.objects.exists()


@transaction.atomic
def seed_demo(fiscal_year=None, scale="small", seed=DEFAULT_SEED, producers=None, log=None):
    """Make the demo data in one transaction; return a summary.

    Steps:
    1. Check the scale, the geography, the fiscal year, and that there are no producers yet.
    2. Create the demo officers and the admin that are missing.
    3. Load the seed's KPI bases of FY 2562 (real data, reports.targets).
    4. Make the producers of the scale, with their product types, and bulk insert them.
    5. Make one row per producer, product type and month, confirmed as the module says,
       and insert them (COPY on PostgreSQL, bulk_create elsewhere).
    6. Rebuild the running totals the reports read (reports.totals).
    """
    log = log or (lambda line: None)
    if scale not in SCALES:
        raise DemoError(f"Unknown scale {scale!r}; use one of {', '.join(SCALES)}.")
    if producers is not None and (scale != "national" or producers < 0):
        raise DemoError("--producers is a number of producers for --scale national only.")
    if not District.objects.filter(pk="5701").exists():
        raise DemoError("No geography yet: run `python manage.py load_geography` first.")
    current_year = fiscal.current_fiscal_year()
    fiscal_year = fiscal_year or current_year
    if not fiscal.MIN_FISCAL_YEAR < fiscal_year <= current_year:
        raise DemoError(
            f"Fiscal year {fiscal_year} is out of range: use {fiscal.MIN_FISCAL_YEAR + 1} "
            f"to the current {current_year}."
        )
    if has_data():
        raise DemoError(
            "The database already has producers: demo data goes into an empty database only. "
            "Use --if-empty to keep what is there, or start from a new database."
        )

    created = ensure_demo_users()
    log(f"Demo accounts created: {', '.join(created) or 'none, all there already'}.")
    try:
        targets = load_seed_targets()
    except (TargetError, OSError) as exc:
        raise DemoError(f"KPI bases not loaded: {exc}") from exc
    log("KPI bases of FY 2562: {created} created, {updated} updated.".format(**targets))

    made, lines = make_producers(random.Random(seed), scale, producers or NATIONAL_PRODUCERS)
    Producer.objects.bulk_create(made, batch_size=BATCH)
    if made and made[0].pk is None:  # a backend that returns no ids from a bulk insert
        ids = Producer.objects.values_list("district_id", "name", "pk")
        ids = {(district, name): pk for district, name, pk in ids}
        for producer in made:
            producer.pk = ids[(producer.district_id, producer.name)]
    log(f"Producers: {len(made):,} in {len({p.district_id for p in made})} districts.")

    months = demo_months(fiscal_year)
    stamps = confirmation_stamps(random.Random(seed + 1), {p.district_id for p in made}, months)
    total = len(lines) * len(months)
    if months:
        log(f"Monthly rows: {total:,} ({months[0].label} to {months[-1].label}).")
    rows = sale_rows(random.Random(seed + 2), lines, months, fiscal_year, stamps)
    if connection.vendor == "postgresql":
        copy_sales(rows, total, log)
        MonthlySale.objects.fill_producer_types()  # COPY brings the rows without it
    else:
        bulk_create_sales(rows, total, log)
        set_entered(stamps)
    sent_back = send_back_a_few(months)
    log(f"Rows sent back by the province: {sent_back}.")
    log(f"Running totals: {rebuild_totals():,} district-month-type rows.")
    bases = load_demo_targets(fiscal_year)
    log(f"KPI bases of FY {fiscal_year}: {bases} provinces from last year's confirmed sales.")
    return {
        "fiscal_year": fiscal_year,
        "producers": len(made),
        "rows": total,
        "months": len(months),
        "targets": targets,
    }


def ensure_demo_users():
    """Create the demo officers and the admin superuser that do not exist; return their names.

    Existing accounts are left as they are, passwords included.
    """
    User = get_user_model()
    taken = set(
        User.objects.filter(
            username__in=[name for name, _, _ in DEMO_OFFICERS] + [ADMIN_USERNAME]
        ).values_list("username", flat=True)
    )
    created = []
    for username, role, area in DEMO_OFFICERS:
        if username not in taken:
            create_officer(username, DEMO_PASSWORD, role, area)
            created.append(username)
    if ADMIN_USERNAME not in taken:
        User.objects.create_superuser(ADMIN_USERNAME, email="", password=DEMO_PASSWORD)
        created.append(ADMIN_USERNAME)
    return created


def send_back_a_few(months):
    """Have the demo province send a few rows of the month under way back; return how many.

    The demo district's first rows and another district's, through the confirmation
    page's own send-back (confirmations.services), so the audit trail and the notices
    have them too. None when every month is closed (a past fiscal year).
    """
    from confirmations import services

    open_months = [month for month in months if fiscal.now() <= month.deadline]
    if not open_months:
        return 0
    month = open_months[-1]
    province = get_user_model().objects.get(username=DEMO_OFFICERS[1][0])
    sent = 0
    for district in District.objects.filter(pk__in=["5701", "5702"]).order_by("code"):
        rows = MonthlySale.objects.for_month(district, month).order_by("pk")[:SENT_BACK_ROWS]
        shown = {row.pk: row.version for row in rows}
        if shown:
            sent += services.send_back(
                district, month, province, shown, set(shown), SENT_BACK_REASON
            )
    return sent


def load_demo_targets(fiscal_year):
    """Give every province with sales and no base yet one for the year: last year's
    confirmed sales, as the department would load them; return how many were made.

    A base already loaded (the seed's real FY 2562 ones) is kept.
    """
    from django.db.models import F, Sum

    from reports.models import MonthTotal, Target

    sums = (
        MonthTotal.objects.filter(fiscal_year=fiscal_year - 1)
        .values("province")
        .annotate(base=Sum(F("province_domestic") + F("province_export")))
        .order_by()
    )
    source = TARGET_SOURCE.format(year=fiscal_year - 1)
    made = 0
    for row in sums:
        if row["base"]:
            _, created = Target.objects.get_or_create(
                province_id=row["province"],
                fiscal_year=fiscal_year,
                defaults={"base": Decimal(row["base"]).quantize(Decimal("1")), "source": source},
            )
            made += created
    return made


def site_url(host=None):
    """Return the address the demo runs at: http://HOST/ (make run's HOST, or 127.0.0.1:8000)."""
    host = host or os.environ.get("HOST") or DEFAULT_HOST
    return host if host.startswith(("http://", "https://")) else f"http://{host.rstrip('/')}/"


def sign_in_block(host=None):
    """Return the demo sign-ins to print: the URL, and each user, password and role in Thai."""
    url = site_url(host)
    User = get_user_model()
    names = [name for name, _, _ in DEMO_OFFICERS] + [ADMIN_USERNAME]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    officers = {
        o.user.username: o
        for o in Officer.objects.filter(user__username__in=names).select_related(
            "user", "district__province", "province"
        )
    }
    lines = [
        "=" * 72,
        "ข้อมูลสาธิต (demo data) - ใช้บนเครื่องนักพัฒนาเท่านั้น",
        f"เปิด {url}",
        "",
        f"{'user':<18}{'password':<18}role (บทบาท)",
    ]
    for name in names:
        if name not in users:
            continue
        if name in officers and officers[name].is_department:
            role = officers[name].get_role_display()
        elif name in officers:
            role = f"{officers[name].get_role_display()} ({officers[name].area_label})"
        else:
            role = f"ผู้ดูแลระบบ (Django admin: {url}admin/)"
        lines.append(f"{name:<18}{DEMO_PASSWORD:<18}{role}")
    if len(lines) == 5:
        lines.append("(ไม่มีบัญชีสาธิต: the demo accounts are not in this database)")
    lines.append("Passwords are the demo's, unless someone changed them since.")
    lines.append("=" * 72)
    return "\n".join(lines)


def demo_months(fiscal_year):
    """Return the months that get rows: the year before in full, and this year's months that
    have started, the current one only once last month's deadline has passed."""
    current = FiscalMonth.current()
    entering = fiscal.now() > current.previous.deadline
    return [
        month
        for year in (fiscal_year - 1, fiscal_year)
        for month in fiscal_months(year)
        if month.has_started() and (month != current or entering)
    ]


def make_producers(rng, scale, national_count):
    """Return the unsaved producers, and their lines: [(producer, product_type, level, exporter)]
    with level the line's usual month in satang.

    Steps:
    1. Decide how many producers each district gets for the scale.
    2. For each, in district code order, draw a producer type and a main product type, and
       for about one in ten a second product type.
    3. Name it by its types and village, unique in its district, with its subdistrict.
    4. Draw each line's usual monthly domestic sales and whether it exports.
    """
    districts = list(District.objects.order_by("code").values_list("code", "province_id"))
    subdistricts = {}
    for code, district, name in Subdistrict.objects.order_by("code").values_list(
        "code", "district_id", "name_th"
    ):
        subdistricts.setdefault(district, []).append((code, name))

    if scale == "small":
        counts = {}
        for code, province in districts:
            if province == SMALL_PROVINCE:
                counts[code] = rng.randint(*SMALL_PER_DISTRICT)
        provinces = sorted({province for _, province in districts} - {SMALL_PROVINCE})
        for other in provinces:
            own = [code for code, province in districts if province == other]
            taken = SMALL_OTHER_DISTRICTS if other in SMALL_OTHER_PROVINCES else 1
            for code in own[:taken]:
                counts[code] = rng.randint(*SMALL_OTHER_PER_DISTRICT)
    else:
        # Districts differ a lot in size: weight each by a log-normal draw, and round the
        # running sum so that the counts add up to exactly the number asked for.
        weights = [rng.lognormvariate(0, 0.5) for _ in districts]
        scale_by = national_count / sum(weights)
        counts, running, given = {}, 0.0, 0
        for (code, _), weight in zip(districts, weights, strict=True):
            running += weight * scale_by
            counts[code] = round(running) - given
            given += counts[code]

    producers, lines = [], []
    for code, _province in districts:
        taken = set()
        for _ in range(counts.get(code, 0)):
            producer_type = _pick(rng, PRODUCER_TYPE_WEIGHTS)
            product_type = _pick(rng, PRODUCT_TYPE_WEIGHTS)
            subdistrict = rng.choice(subdistricts[code]) if code in subdistricts else None
            name = unique_name(rng, producer_type, product_type, subdistrict, taken)
            producer = Producer(
                name=name,
                district_id=code,
                producer_type=producer_type,
                subdistrict_id=subdistrict[0] if subdistrict and rng.random() < 0.85 else None,
            )
            producers.append(producer)
            level = MEDIAN_SATANG[producer_type] * rng.lognormvariate(0, PRODUCER_SIGMA)
            lines.append((producer, product_type, level, rng.random() < EXPORTER_SHARE))
            if rng.random() < SECOND_TYPE_SHARE:
                others = {t: w for t, w in PRODUCT_TYPE_WEIGHTS.items() if t != product_type}
                level = level * SECOND_TYPE_FACTOR * rng.lognormvariate(0, MONTH_SIGMA)
                lines.append((producer, _pick(rng, others), level, rng.random() < EXPORTER_SHARE))
    return producers, lines


def unique_name(rng, producer_type, product_type, subdistrict, taken):
    """Return a Thai producer name not yet in `taken`, and add it there.

    A community group is "กลุ่ม" + product word + "บ้าน" + village; an SME a บริษัท ... จำกัด
    or a ห้างหุ้นส่วน; a single owner a shop word and a person's name.
    """
    for _ in range(20):
        name = _name(rng, producer_type, product_type, subdistrict)
        if name not in taken:
            break
    else:
        base = name
        name = next(f"{base} {n}" for n in itertools.count(2) if f"{base} {n}" not in taken)
    taken.add(name)
    return name


def _name(rng, producer_type, product_type, subdistrict):
    if producer_type == ProducerType.COMMUNITY_GROUP:
        village = rng.choice(VILLAGES)
        if subdistrict and rng.random() < 0.5:
            village = subdistrict[1]
        place = village if village.startswith("บ้าน") else f"บ้าน{village}"
        return f"กลุ่ม{rng.choice(GROUP_WORDS[product_type])}{place}"
    if producer_type == ProducerType.SME:
        brand = (
            rng.choice(BRAND_HEADS) + rng.choice(BRAND_TAILS) + rng.choice(SME_WORDS[product_type])
        )
        kind = rng.random()
        if kind < 0.6:
            return f"บริษัท {brand} จำกัด"
        if kind < 0.9:
            return f"ห้างหุ้นส่วนจำกัด {brand}"
        return f"ห้างหุ้นส่วนสามัญ {brand}"
    honorifics, names = rng.choice(OWNERS)
    return f"{rng.choice(SHOP_WORDS[product_type])}{rng.choice(honorifics)}{rng.choice(names)}"


def _pick(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def confirmation_stamps(rng, district_codes, months):
    """Return {(district, fiscal_year, month): (entered, district_at, province_at)}.

    Steps:
    1. Entered: a working hour of the 25th to the 28th of the month, the same for every
       district, so that bulk_create's rows can be dated with one UPDATE a month.
    2. District confirmation: in the first four days of the next month; province: one to
       three days later. A month whose deadline has not passed is under way: every other
       district of a province in code order has confirmed it (5701 not, 5702 yes, ...),
       and its province too unless it is the current month.
    3. Nothing is later than now.
    """
    now = fiscal.now()
    current = FiscalMonth.of(now.astimezone(BANGKOK).date())
    order, seen = {}, {}
    for code, province in District.objects.order_by("code").values_list("code", "province_id"):
        order[code] = seen[province] = seen.get(province, -1) + 1
    entered = {
        month: _moment(rng, month.first_day + datetime.timedelta(days=rng.randint(24, 27)))
        for month in months
    }
    stamps = {}
    for code in sorted(district_codes):
        for month in months:
            district_at = _moment(rng, month.next.first_day + datetime.timedelta(rng.randint(0, 3)))
            province_at = district_at + datetime.timedelta(days=rng.randint(1, 3))
            if now <= month.deadline:
                if order[code] % 2 == 0:
                    district_at = province_at = None
                elif month == current:
                    province_at = None
            stamps[(code, month.fiscal_year, month.month)] = tuple(
                min(moment, now) if moment else None
                for moment in (entered[month], district_at, province_at)
            )
    return stamps


def _moment(rng, day):
    at = datetime.time(rng.randint(9, 16), rng.randint(0, 59))
    return datetime.datetime.combine(day, at, tzinfo=BANGKOK)


def sale_rows(rng, lines, months, fiscal_year, stamps):
    """Yield (producer_id, district, product_type, fiscal_year, month, domestic, export,
    entered, district_at, province_at) per line and month, amounts in whole satang.

    Steps:
    1. Domestic: the line's usual month x the season x a log-normal month factor, last year
       a little lower; about 3 % of rows sold nothing.
    2. Export: for exporters in most months, a fraction of domestic; zero otherwise.
    """
    for producer, product_type, level, exporter in lines:
        for month in months:
            factor = SEASON.get(month.month, 1.0) * rng.lognormvariate(0, MONTH_SIGMA)
            if month.fiscal_year != fiscal_year:
                factor *= PREVIOUS_YEAR_FACTOR
            domestic = (
                0 if rng.random() < NO_SALES_SHARE else min(round(level * factor), MAX_SATANG)
            )
            export = 0
            if exporter and domestic and rng.random() < EXPORT_MONTH_SHARE:
                export = round(domestic * rng.uniform(*EXPORT_FRACTION))
            yield (
                producer.pk,
                producer.district_id,
                product_type,
                month.fiscal_year,
                month.month,
                domestic,
                export,
                *stamps[(producer.district_id, month.fiscal_year, month.month)],
            )


def baht(satang):
    """Return whole satang as a Decimal of baht with two places: 123456 -> 1234.56."""
    return Decimal(satang).scaleb(-2)


def _users():
    """Return the ids of the demo district and province officers, who confirm every row."""
    district, province = DEMO_OFFICERS[0][0], DEMO_OFFICERS[1][0]
    ids = dict(
        get_user_model()
        .objects.filter(username__in=[district, province])
        .values_list("username", "id")
    )
    return ids[district], ids[province]


def bulk_create_sales(rows, total, log):
    """Insert the rows with bulk_create in large batches, printing progress."""
    district_by, province_by = _users()
    done = 0
    rows = iter(rows)
    while batch := list(itertools.islice(rows, BATCH)):
        MonthlySale.objects.bulk_create(
            [
                MonthlySale(
                    producer_id=producer,
                    district_id=district,
                    product_type=product_type,
                    fiscal_year=year,
                    month=month,
                    domestic=baht(domestic),
                    export=baht(export),
                    created_at=entered,
                    district_confirmed_at=district_at,
                    district_confirmed_by_id=district_by if district_at else None,
                    province_confirmed_at=province_at,
                    province_confirmed_by_id=province_by if province_at else None,
                )
                for (
                    producer,
                    district,
                    product_type,
                    year,
                    month,
                    domestic,
                    export,
                    entered,
                    district_at,
                    province_at,
                ) in batch
            ],
            batch_size=BATCH,
        )
        done += len(batch)
        _progress(log, done, total, len(batch))


def set_entered(stamps):
    """Date each month's rows when the officers entered them.

    bulk_create stamps created_at with the time of the run (auto_now_add), which would
    come after the confirmations; one UPDATE a month puts it right.
    """
    months = {(year, month): entered for (_, year, month), (entered, _, _) in stamps.items()}
    for (year, month), entered in months.items():
        MonthlySale.objects.filter(fiscal_year=year, month=month).update(
            created_at=entered, updated_at=entered
        )


# The columns each row brings, in the order of sale_rows() plus who confirmed.
COPY_COLUMNS = (
    "producer",
    "district",
    "product_type",
    "fiscal_year",
    "month",
    "domestic",
    "export",
    "created_at",
    "updated_at",
    "district_confirmed_at",
    "district_confirmed_by",
    "province_confirmed_at",
    "province_confirmed_by",
)
NULL = "\\N"


def copy_sales(rows, total, log):
    """Insert the rows with PostgreSQL's COPY in chunks, printing progress.

    Steps:
    1. Name the columns: those the rows bring, then every other field but the id with its
       Django default (COPY knows nothing of Django's defaults). `total` is a generated
       column and is left out: PostgreSQL computes it.
    2. Write each chunk of rows as COPY text into a buffer and send it.
    """
    district_by, province_by = _users()
    opts = MonthlySale._meta
    others = [
        field
        for field in opts.concrete_fields
        if not field.primary_key and not field.generated and field.name not in COPY_COLUMNS
    ]
    columns = [opts.get_field(name).column for name in COPY_COLUMNS]
    columns += [field.column for field in others]
    tail = "".join(
        "\t" + _default_text(field.get_db_prep_save(field.get_default(), connection))
        for field in others
    )
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({quoted}) FROM STDIN"
    done = 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(itertools.islice(rows, COPY_CHUNK)):
            buffer = io.StringIO()
            for row in chunk:
                producer, district, product_type, year, month, domestic, export = row[:7]
                entered, district_at, province_at = row[7:]
                values = (
                    str(producer),
                    district,
                    product_type,
                    str(year),
                    str(month),
                    _text(domestic),
                    _text(export),
                    entered.isoformat(),
                    entered.isoformat(),
                    district_at.isoformat() if district_at else NULL,
                    str(district_by) if district_at else NULL,
                    province_at.isoformat() if province_at else NULL,
                    str(province_by) if province_at else NULL,
                )
                buffer.write("\t".join(values) + tail + "\n")
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
            done += len(chunk)
            _progress(log, done, total, len(chunk))


def _default_text(value):
    """Return a field's default as COPY text."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    for char, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(char, escaped)
    return text


def _text(satang):
    """Return whole satang as COPY text without going through floats: 123456 -> 1234.56."""
    return f"{satang // 100}.{satang % 100:02d}"


def _progress(log, done, total, step):
    """Print a line each time another REPORT_EVERY rows are in, and at the end."""
    if done == total or done // REPORT_EVERY != (done - step) // REPORT_EVERY:
        log(f"  {done:,} / {total:,} rows")

"""Demo data for the embedded default: a province, two schools, colleges, majors, a few
hundred graduates, staff of every role, an employer and notices. Deterministic, so the
README can list the logins. Never run in production (the command refuses)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from apps.accounts.models import Role, User
from apps.accounts.services import signing_pin_hash
from apps.core.crypto import keyed_hash
from apps.graduates.counts import graduate_counts_add, graduate_counts_for
from apps.graduates.models import Graduate, id_last4_of
from apps.notices.models import Notice, NoticeKind
from apps.organisations.models import College, Employer, EmployerStatus, Major, Province, School

DEMO_PASSWORD = "demo-pass-2026"
DEMO_PIN = "135790"
DEMO_CREDIT_CODE = "91340100MA2N8Q7K0" + uscc.calc_check_digit("91340100MA2N8Q7K0")
COHORT = 2027  # the cohort graduating in June 2027: the one schools work on in late 2026

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红文辉建国鹏飞宇浩然欣怡子涵梓轩雨晨思远佳琪嘉豪俊杰"
COUNTIES = ["340104", "340102", "340103", "340111", "340121", "340202", "340302", "341202", "341302", "340502"]

SCHOOLS = [
    {
        "code": "19001", "name": "安徽示例大学", "short": "示例大学",
        "colleges": [
            ("01", "计算机科学与技术学院", [("080901", "计算机科学与技术"), ("080902", "软件工程")]),
            ("02", "经济管理学院", [("020101", "经济学"), ("120201", "工商管理")]),
            ("03", "外国语学院", [("050201", "英语"), ("050207", "日语")]),
            ("04", "机械工程学院", [("080202", "机械设计制造及其自动化")]),
        ],
    },
    {
        "code": "19002", "name": "江淮示例理工学院", "short": "江淮理工",
        "colleges": [
            ("01", "电气工程学院", [("080601", "电气工程及其自动化")]),
            ("02", "土木工程学院", [("081001", "土木工程")]),
            ("03", "化学与材料学院", [("070301", "化学")]),
        ],
    },
]

# Graduates the README names, so every login outcome can be tried by hand.
NAMED = [
    # (school code, college code, name, student number, birth, county, serial, level, cohort, pin)
    ("19001", "01", "王小明", "2023010001", date(2005, 3, 15), "340104", 11, "31", COHORT, None),
    ("19001", "01", "李华", "2023010002", date(2005, 7, 2), "340102", 22, "31", COHORT, DEMO_PIN),
    # a master's student who did her bachelor's here: the 2023 record must never open
    ("19001", "02", "陈静", "2024120005", date(2002, 1, 20), "340111", 48, "11", COHORT, None),
    ("19001", "02", "陈静", "2020020033", date(2002, 1, 20), "340111", 48, "31", 2024, None),
    # two records with the same student number (本科 + 双学位) → 信息重复
    ("19001", "03", "周雨", "2023030077", date(2005, 9, 9), "340202", 35, "31", COHORT, None),
    ("19001", "03", "周雨", "2023030077", date(2005, 9, 9), "340202", 35, "25", COHORT, None),
]


def id_number(birth: date, county: str, serial: int) -> str:
    body = f"{county}{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects the check position included


def _graduate(school, college, major, name, student_number, idn, level, cohort, rng, pin=None):
    gender = "1" if int(idn[16]) % 2 else "2"
    phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    return Graduate(
        school=school, college=college, major=major, cohort=cohort, student_number=student_number,
        name=name, gender_code=gender, id_number=idn, id_number_hash=keyed_hash(idn), id_last4=id_last4_of(idn),
        birth_date=date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14])),
        ethnicity_code="01", political_status_code=rng.choice(["01", "03", "03", "13"]),
        urban_rural_code=rng.choice(["2", "3"]), education_level_code=level, training_mode_code="1",
        study_form="普通全日制", enrolment_date=date(cohort - (3 if level == "11" else 4), 9, 1),
        graduation_date=date(cohort, 6, 30), hardship_code="0", normal_student_code="2",
        phone=phone, phone_hash=keyed_hash(phone),
        signing_pin_hash=signing_pin_hash(pin) if pin else "",
        signing_pin_set_at=timezone.now() if pin else None,
    )


@transaction.atomic
def seed_demo(graduates_per_school: int = 200) -> bool:
    if School.objects.filter(code=SCHOOLS[0]["code"]).exists():
        return False
    rng = random.Random(2026)
    province, _ = Province.objects.get_or_create(code="34", defaults={"name": "安徽省"})
    User.objects.create(
        username="province_admin", role=Role.PROVINCE_STAFF, province=province, display_name="省教育厅管理员",
        password=make_password(DEMO_PASSWORD),
    )
    schools = {}
    for index, spec in enumerate(SCHOOLS, start=1):
        school = School.objects.create(
            province=province, code=spec["code"], name=spec["name"], short_name=spec["short"], current_cohort=COHORT
        )
        colleges = {}
        for ccode, cname, majors in spec["colleges"]:
            college = College.objects.create(school=school, code=ccode, name=cname)
            colleges[ccode] = (college, [Major.objects.create(school=school, college=college, code=m, name=n)
                                         for m, n in majors])
        schools[spec["code"]] = (school, colleges)
        suffix = "" if index == 1 else str(index)
        admin = User.objects.create(
            username=f"school_admin{suffix}", role=Role.SCHOOL_STAFF, school=school,
            display_name=f"{spec['short']}就业中心", password=make_password(DEMO_PASSWORD),
        )
        for ccode, (college, _) in colleges.items():
            User.objects.create(
                username=f"college_admin{suffix}_{ccode}" if suffix or ccode != "01" else "college_admin",
                role=Role.COLLEGE_STAFF, school=school, college=college,
                display_name=f"{college.name}辅导员", password=make_password(DEMO_PASSWORD),
            )
        rows, serial = [], 100
        for n in range(graduates_per_school):
            college, majors = list(colleges.values())[n % len(colleges)]
            major = majors[n % len(majors)]
            birth = date(2004, 1, 1) + timedelta(days=rng.randrange(730))
            serial += 1
            idn = id_number(birth, rng.choice(COUNTIES), serial % 1000)
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
            rows.append(_graduate(school, college, major, name, f"2023{index}{n:05d}", idn, "31", COHORT, rng))
        Graduate.objects.bulk_create(rows, batch_size=500)
        graduate_counts_add(graduate_counts_for(rows))  # bulk_create sends no post_save
        for kind, title, body in [
            (NoticeKind.NOTICE, f"关于做好{COHORT}届毕业生生源信息核对工作的通知",
             "请各位毕业生登录平台，在【登记】→【生源信息】中认真核对个人信息，务必维护生源所在地到具体区县。"),
            (NoticeKind.NOTICE, f"{COHORT}届毕业生毕业去向登记工作安排",
             "毕业去向登记截止时间为8月31日，请按要求上传就业证明材料。"),
            (NoticeKind.NEWS, f"{spec['short']}举办{COHORT}届毕业生秋季双选会", "本次双选会共有200余家用人单位参会，提供岗位3000余个。"),
        ]:
            Notice.objects.create(school=school, kind=kind, title=title, body=body, published_at=timezone.now(), author=admin)
    for scode, ccode, name, sn, birth, county, serial, level, cohort, pin in NAMED:
        school, colleges = schools[scode]
        college, majors = colleges[ccode]
        graduate = _graduate(school, college, majors[0], name, sn, id_number(birth, county, serial), level, cohort, rng, pin)
        if pin:  # 李华 is ready for online signing: 生源 confirmed, PIN set
            graduate.origin_division_id = county
            graduate.origin_confirmed_at = timezone.now()
        graduate.save()
    _demo_destinations(schools["19001"][0], rng)
    # 就业统计: most of the rest reviewed and approved, so the dashboards show a season under way
    _demo_approved_destinations(schools["19001"][0], rng, share=0.7, skip=45)
    _demo_approved_destinations(schools["19002"][0], rng, share=0.55, skip=0)
    # 全国毕业去向登记系统: the demo's records start on their way to the registry as an imported
    # roster's do (start.sh runs the stand-in and the relay), so the sync works out of the box
    from apps.registry.outbox import ROSTER, registry_enqueue_many

    registry_enqueue_many(graduate_ids=Graduate.objects.values_list("pk", flat=True), reason=ROSTER)
    employer = Employer.objects.create(
        credit_code=DEMO_CREDIT_CODE, name="合肥示例科技有限公司", nature_code="39", industry_code="34",
        division_id="340104", address="合肥市蜀山区示例路88号", status=EmployerStatus.VERIFIED, size="300-999",
        contact_name="王经理", contact_mobile="13900001111", verifier_province=schools["19001"][0].province,
        registered_at=timezone.now(), reviewed_at=timezone.now(),
    )
    User.objects.create(
        username="employer", role=Role.EMPLOYER, employer=employer, display_name="示例科技人事部",
        password=make_password(DEMO_PASSWORD),
    )
    from apps.jobs.demo import demo_jobs

    demo_jobs()  # 职位信息: published postings, one pending, an employer waiting for verification
    from apps.fairs.demo import demo_fairs
    from apps.infosessions.demo import demo_infosessions
    from apps.recommendations.demo import demo_recommendations

    demo_fairs()  # 招聘会: an upcoming fair with booths (one waiting), graduates interested
    demo_infosessions()  # 宣讲会: rooms, one scheduled session with sign-ups, one request waiting
    demo_recommendations()  # 就业推荐表: one issued form, one request waiting for the college
    from apps.statistics.snapshots import stats_snapshot_all

    stats_snapshot_all()  # 就业统计: today's snapshot, so the province overview has figures at once
    return True


def named_logins() -> list[dict]:
    """The README's table, computed from the same data (tests check it)."""
    out = []
    for scode, _c, name, sn, birth, county, serial, level, cohort, pin in NAMED:
        school = next(s for s in SCHOOLS if s["code"] == scode)
        out.append({"school": school["name"], "name": name, "student_number": sn,
                    "id_number": id_number(birth, county, serial), "level": level, "cohort": cohort, "pin": pin})
    return out


def _demo_destinations(school, rng) -> None:
    """A few dozen registrations so the review queues have something to show."""
    from apps.destinations.models import Destination, DestinationStatus

    samples = [
        ("11", DestinationStatus.SUBMITTED, {"unit_name": "合肥示例软件有限公司", "credit_code": DEMO_CREDIT_CODE,
                                             "unit_nature_code": "39", "industry_code": "34", "unit_division_id": "340104",
                                             "unit_address": "合肥市蜀山区示例路1号", "position_category_code": "13",
                                             "sign_date": date(COHORT - 1, 11, 1)}),
        ("801", DestinationStatus.COLLEGE_APPROVED, {"study_school": "中国科学技术大学", "study_major": "计算机科学与技术",
                                                     "unit_division_id": "340111"}),
        ("701", DestinationStatus.SUBMITTED, {}),
    ]
    graduates = list(Graduate.objects.filter(school=school, cohort=COHORT).order_by("student_number")[:45])
    now = timezone.now()
    rows = []
    for n, graduate in enumerate(graduates[5:]):
        code, status, fields = samples[n % len(samples)]
        rows.append(Destination(graduate=graduate, school=school, college_id=graduate.college_id, category_code=code,
                                status=status, submitted_at=now - timedelta(hours=rng.randrange(1, 72)), **fields))
    Destination.objects.bulk_create(rows)


# (category code, share) of the approved demo registrations: 就业, 升学 and some 未就业
_APPROVED_MIX = [("11", 0.42), ("12", 0.12), ("75", 0.04), ("76", 0.06), ("801", 0.2), ("85", 0.06), ("701", 0.1)]


def _demo_approved_destinations(school, rng, *, share: float, skip: int) -> None:
    """审核通过 registrations for `share` of the school's generated graduates (the named ones and
    the review-queue samples are left alone)."""
    from apps.destinations.models import Destination, DestinationStatus

    taken = Destination.objects.filter(school=school).values_list("graduate_id", flat=True)
    graduates = list(Graduate.objects.filter(school=school, cohort=COHORT).exclude(pk__in=taken)
                     .order_by("student_number")[skip:])
    rng.shuffle(graduates)
    codes = [code for code, _ in _APPROVED_MIX]
    weights = [weight for _, weight in _APPROVED_MIX]
    now = timezone.now()
    unit = {"unit_name": "合肥示例软件有限公司", "credit_code": DEMO_CREDIT_CODE, "unit_nature_code": "39",
            "industry_code": "34", "unit_division_id": "340104", "unit_address": "合肥市蜀山区示例路1号",
            "position_category_code": "13", "sign_date": date(COHORT - 1, 11, 1)}
    study = {"study_school": "中国科学技术大学", "study_major": "计算机科学与技术", "unit_division_id": "340111"}
    rows = []
    for graduate in graduates[: int(len(graduates) * share)]:
        code = rng.choices(codes, weights)[0]
        fields = unit if code in ("11", "12") else study if code == "801" else {}
        submitted = now - timedelta(days=rng.randrange(5, 40))
        rows.append(Destination(graduate=graduate, school=school, college_id=graduate.college_id, category_code=code,
                                status=DestinationStatus.SCHOOL_APPROVED, submitted_at=submitted, **fields))
    Destination.objects.bulk_create(rows)


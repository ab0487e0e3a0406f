"""Demo postings (职位信息) for the demo data (apps/organisations/demo.py calls `demo_jobs()` at the
end of its loader): fifteen published postings of the demo employer in the demo school's channel
and the province's, one waiting for review, and a second employer waiting for verification, so
the search, the review queues and the verification queue all show something. Deterministic."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.jobs.education import education_mask
from apps.jobs.models import Posting, PostingPlace, PostingStatus
from apps.jobs.search import posting_index_columns
from apps.organisations.models import Employer, EmployerSize, EmployerStatus, School

PENDING_EMPLOYER_CODE = "91340100MA2N8Q7K1"  # + check digit: the second demo employer

# (title, category, education codes, salary, places, channel: "school" | "province", description)
POSTINGS = [
    ("软件工程师", "13", ["231", "111"], (8000, 15000), ["340104"], "school",
     "负责公司核心业务系统的后端设计与开发，参与需求分析和代码评审。熟悉Python或Go，了解MySQL。"),
    ("Java开发工程师", "13", ["231"], (7000, 12000), ["340104", "340111"], "province",
     "参与电子政务平台的开发与维护，熟悉Java、Spring Boot，有实习经历者优先。"),
    ("前端开发工程师", "13", ["231", "341"], (6000, 10000), ["340104"], "school",
     "负责网页和小程序的界面开发，熟悉Vue或React，注重用户体验。"),
    ("测试工程师", "13", ["231", "341"], (5500, 9000), ["340111"], "province",
     "编写测试用例，执行功能测试和接口测试，跟踪缺陷直至关闭。"),
    ("嵌入式软件工程师", "13", ["231", "111"], (9000, 16000), ["340202"], "province",
     "负责车载控制器软件开发，熟悉C语言和单片机，有电子设计竞赛经历者优先。"),
    ("数据分析师", "21", ["231", "111"], (7000, 12000), ["340104"], "school",
     "负责业务数据的整理、分析与报表，熟练使用Excel和SQL，统计学、数学相关专业优先。"),
    ("产品经理", "29", ["231"], (8000, 14000), ["340104"], "province",
     "负责产品需求调研、原型设计与项目推进，沟通能力强，有互联网产品实习经历者优先。"),
    ("运维工程师", "13", ["231", "341", "361"], (6000, 9000), ["340103"], "school",
     "负责服务器与网络的日常运维、监控和故障处理，能适应轮班。"),
    ("会计", "21", ["231", "341"], (4500, 7000), ["340104"], "province",
     "负责日常账务处理、凭证审核和纳税申报，持有初级会计职称者优先。"),
    ("出纳", "21", [], (3500, 5000), ["340102"], "school",
     "负责现金和银行收付、票据管理，工作细致认真。"),
    ("小学数学教师", "24", ["231"], (5000, 7500), ["340122"], "province",
     "承担小学数学教学与班级管理工作，持有教师资格证或应届可考取者均可报名。"),
    ("高中英语教师", "24", ["231", "111"], (6000, 9000), ["340302"], "province",
     "承担高中英语教学工作，英语专业八级优先，提供住宿。"),
    ("人力资源专员", "30", ["231", "341"], (4500, 6500), ["340104"], "school",
     "负责招聘、入职和员工关系等人事工作，人力资源管理相关专业优先。"),
    ("销售代表", "40", [], (4000, 12000), ["340104", "340202", "340302"], "province",
     "向企业客户介绍公司的软件产品，维护客户关系，能适应短期出差，底薪加提成。"),
    ("电气工程师", "13", ["231"], (7000, 11000), ["340181"], "province",
     "负责工厂配电与自动化设备的设计、安装调试和维护，电气工程及其自动化专业优先。"),
]
PENDING_POSTING = ("算法工程师", "13", ["111", "101"], (15000, 25000), ["340104"], "school",
                   "负责推荐与搜索算法的研究与落地，熟悉机器学习常用方法。")


def demo_jobs() -> None:
    """Idempotent: does nothing when the demo employer already has postings."""
    from stdnum.cn import uscc

    from apps.organisations.demo import DEMO_CREDIT_CODE, SCHOOLS

    employer = Employer.objects.filter(credit_code=DEMO_CREDIT_CODE).first()
    if employer is None or Posting.objects.filter(employer=employer).exists():
        return
    school = School.objects.get(code=SCHOOLS[0]["code"])
    now = timezone.now()
    today = timezone.localdate()
    for n, spec in enumerate(POSTINGS):
        _posting(employer, school, spec, status=PostingStatus.PUBLISHED, when=now - timedelta(hours=3 * n + 1),
                 deadline=today + timedelta(days=20 + 3 * n))
    _posting(employer, school, PENDING_POSTING, status=PostingStatus.PENDING, when=now,
             deadline=today + timedelta(days=45))
    code = PENDING_EMPLOYER_CODE + uscc.calc_check_digit(PENDING_EMPLOYER_CODE)
    Employer.objects.get_or_create(credit_code=code, defaults={
        "name": "芜湖示例智能制造有限公司", "nature_code": "39", "industry_code": "22", "division_id": "340202",
        "address": "芜湖市镜湖区示例大道18号", "status": EmployerStatus.PENDING, "size": EmployerSize.MEDIUM,
        "contact_name": "李经理", "contact_mobile": "13900002222", "verifier_province": school.province,
        "introduction": "专注工业机器人与智能装备研发制造。", "registered_at": now,
    })


def _posting(employer, school, spec, *, status, when, deadline) -> Posting:
    title, category, education, (low, high), places, channel, description = spec
    posting = Posting(
        employer=employer, channel_province_id=school.province_id,
        channel_school=school if channel == "school" else None, title=title, category_code=category,
        openings=3, education_codes=education, education_mask=education_mask(education),
        majors_text="计算机类、电子信息类" if category == "13" else "", salary_min=low, salary_max=high,
        description=description, contact_name="王经理", contact_phone="0551-62901234", deadline=deadline,
        industry_code=employer.industry_code, nature_code=employer.nature_code, status=status, submitted_at=when,
        published_at=when if status == PostingStatus.PUBLISHED else None,
        reviewed_at=when if status == PostingStatus.PUBLISHED else None,
    )
    posting.search_title, posting.search_body = posting_index_columns(posting)
    posting.save()
    PostingPlace.objects.bulk_create([PostingPlace(posting=posting, county_code=c, city_code=c[:4], province_code=c[:2])
                                      for c in places])
    return posting

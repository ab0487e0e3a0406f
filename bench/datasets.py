"""Pools the province generator draws from: names, colleges and majors, school and
employer names, country lists, mixes. Plain data, no Django; every mix is a list of
(key, weight) pairs.

Code values never appear here: the code tables and the destination catalog are read from
the database / reference_data at run time and matched by NAME (names are the stable part
of the official tables), so a table update cannot make the generator write stale codes.
"""

from __future__ import annotations

# 百家姓 weighted roughly by frequency (the first ten carry ~40 % of the population).
SURNAMES = (
    [("王", 72), ("李", 70), ("张", 66), ("刘", 53), ("陈", 45), ("杨", 31), ("黄", 24), ("赵", 20), ("吴", 20),
     ("周", 19)]
    + [(s, 8) for s in "徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"]
    + [(s, 3) for s in "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"]
    + [("欧阳", 1), ("司马", 1), ("诸葛", 1)]
)
# characters of given names (one or two of them)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建文红玲晨浩宇轩然博瑞思雨欣怡佳琪子涵梓"
    "一诺嘉晓婷雪梅慧颖凯帆宁远航志飞健康乐安心悦泽睿哲铭宸昊天翔鑫磊峰倩茜璐露瑶琳婉清逸景琦彤婧雅"
)

# College templates: (college name, [(major code, major name), …]). Codes are the national
# 普通高等学校本科专业目录 codes, used as opaque strings.
COLLEGES = [
    ("计算机科学与技术学院", [("080901", "计算机科学与技术"), ("080902", "软件工程"), ("080903", "网络工程"),
                              ("080904K", "信息安全"), ("080910T", "数据科学与大数据技术"), ("080717T", "人工智能")]),
    ("电气工程学院", [("080601", "电气工程及其自动化"), ("080801", "自动化"), ("080701", "电子信息工程"),
                      ("080703", "通信工程"), ("080714T", "电子信息科学与技术")]),
    ("机械工程学院", [("080201", "机械工程"), ("080202", "机械设计制造及其自动化"), ("080204", "机械电子工程"),
                      ("080207", "车辆工程"), ("080205", "工业设计")]),
    ("土木与水利工程学院", [("081001", "土木工程"), ("081002", "建筑环境与能源应用工程"), ("081101", "水利水电工程"),
                            ("081006T", "道路桥梁与渡河工程"), ("120103", "工程管理")]),
    ("化学与材料工程学院", [("070301", "化学"), ("081301", "化学工程与工艺"), ("080401", "材料科学与工程"),
                            ("081302", "制药工程"), ("080403", "材料化学")]),
    ("经济与管理学院", [("020101", "经济学"), ("020301K", "金融学"), ("120201K", "工商管理"), ("120203K", "会计学"),
                        ("120204", "财务管理"), ("120202", "市场营销"), ("020401", "国际经济与贸易")]),
    ("文学院", [("050101", "汉语言文学"), ("050102", "汉语言"), ("050103", "汉语国际教育"), ("050301", "新闻学"),
                ("050303", "广告学")]),
    ("外国语学院", [("050201", "英语"), ("050207", "日语"), ("050261", "翻译"), ("050262", "商务英语"),
                    ("050203", "德语")]),
    ("数学与统计学院", [("070101", "数学与应用数学"), ("070102", "信息与计算科学"), ("071201", "统计学"),
                        ("071202", "应用统计学")]),
    ("法学院", [("030101K", "法学"), ("030102T", "知识产权"), ("030201", "政治学与行政学"), ("030302", "社会工作")]),
    ("医学院", [("100201K", "临床医学"), ("101101", "护理学"), ("100701", "药学"), ("100401K", "预防医学"),
                ("101001", "医学检验技术")]),
    ("教育科学学院", [("040101", "教育学"), ("040106", "学前教育"), ("040107", "小学教育"), ("040201", "体育教育"),
                      ("071102", "应用心理学")]),
    ("艺术学院", [("130502", "视觉传达设计"), ("130503", "环境设计"), ("130201", "音乐表演"), ("130401", "美术学"),
                  ("130310", "动画")]),
    ("生命科学学院", [("071001", "生物科学"), ("071002", "生物技术"), ("082701", "食品科学与工程"),
                      ("090101", "农学"), ("082503", "环境科学")]),
    ("物理与电子工程学院", [("070201", "物理学"), ("070202", "应用物理学"), ("080705", "光电信息科学与工程"),
                            ("080702", "电子科学与技术")]),
    ("马克思主义学院", [("030503", "思想政治教育"), ("030504T", "马克思主义理论")]),
    ("建筑与规划学院", [("082801", "建筑学"), ("082802", "城乡规划"), ("082803", "风景园林")]),
    ("交通运输学院", [("081801", "交通运输"), ("081802", "交通工程"), ("120601", "物流管理")]),
    ("公共管理学院", [("120402", "行政管理"), ("120401", "公共事业管理"), ("120901K", "旅游管理"),
                      ("120501", "图书馆学")]),
    ("能源与环境学院", [("082502", "环境工程"), ("080501", "能源与动力工程"), ("080503T", "新能源科学与工程")]),
]

# school names: "<city><kind>"; the kinds give ≥ 100 distinct names over Anhui's 16 cities
SCHOOL_KINDS = ["大学", "理工大学", "师范大学", "学院", "师范学院", "医学院", "工业大学", "财经大学",
                "职业技术学院", "科技学院", "农业大学", "工程学院", "艺术学院", "中医药大学", "信息工程学院"]

# employer names: "<city><word><kind>"
EMPLOYER_WORDS = ["华信", "智联", "恒通", "新源", "中科", "天成", "宏达", "瑞丰", "金桥", "远航", "明德", "卓越",
                  "同创", "博雅", "汇智", "安泰", "鼎盛", "启航", "星辰", "润华", "蓝海", "长江", "江淮", "徽商"]
EMPLOYER_KINDS = ["科技有限公司", "信息技术有限公司", "电子股份有限公司", "制造有限公司", "建设集团有限公司",
                  "医药有限公司", "教育科技有限公司", "银行股份有限公司", "物流有限公司", "新能源有限公司",
                  "汽车零部件有限公司", "食品有限公司", "人民医院", "实验中学", "设计研究院"]
POSITIONS = ["软件工程师", "硬件工程师", "销售代表", "会计", "管理培训生", "教师", "护士", "行政专员", "数据分析师",
             "产品经理", "技术员", "质检员", "客户经理", "研发工程师", "运营专员"]

GRADUATE_SCHOOLS = ["中国科学技术大学", "合肥工业大学", "安徽大学", "南京大学", "浙江大学", "复旦大学", "上海交通大学",
                    "武汉大学", "华中科技大学", "东南大学", "同济大学", "北京师范大学", "中国人民大学", "厦门大学",
                    "中山大学", "四川大学"]
ABROAD = [("英国", "伦敦大学学院", "University College London"),
          ("英国", "曼彻斯特大学", "The University of Manchester"),
          ("澳大利亚", "悉尼大学", "The University of Sydney"),
          ("美国", "南加州大学", "University of Southern California"),
          ("新加坡", "新加坡国立大学", "National University of Singapore"),
          ("中国香港", "香港大学", "The University of Hong Kong"),
          ("日本", "早稻田大学", "Waseda University"),
          ("德国", "慕尼黑工业大学", "Technische Universität München")]
ABROAD_MAJORS = [("计算机科学", "Computer Science"), ("金融学", "Finance"), ("电子工程", "Electrical Engineering"),
                 ("教育学", "Education"), ("市场营销", "Marketing")]
STARTUP_FORMS = ["合伙创办科技公司", "个体经营网店", "开办工作室", "农村电商创业"]
FREELANCE_WORK = ["自媒体内容创作", "独立设计师", "网络主播", "自由撰稿", "家教辅导", "软件外包开发"]
RETURN_REASONS = ["证明材料不清晰，请重新上传", "单位名称与证明材料不一致", "签约日期填写有误", "缺少单位盖章页"]
TERMINATION_EXPLANATIONS = ["考取研究生，与单位协商一致解约", "家庭原因需回生源地工作", "单位经营调整，岗位取消"]

# 手机号段 (the three leading digits)
PHONE_PREFIXES = ["133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157",
                  "158", "159", "166", "177", "180", "181", "182", "186", "187", "188", "189", "191", "199"]

# education levels by code-table NAME, for the current cohort's main records
EDUCATION_MIX = [("本科生毕业", 76), ("硕士生毕业", 16), ("专科生毕业", 6), ("博士生毕业", 2)]
DOUBLE_DEGREE = "双学位毕业"  # 双学位: a second record of the same student, same student number
BACHELOR = "本科生毕业"
# years from enrolment to graduation by level name
STUDY_YEARS = {"本科生毕业": 4, "硕士生毕业": 3, "专科生毕业": 3, "博士生毕业": 4, "双学位毕业": 4}
# age at graduation by level name (years)
GRADUATION_AGE = {"本科生毕业": 22, "硕士生毕业": 25, "专科生毕业": 21, "博士生毕业": 29, "双学位毕业": 22}

POLITICAL_MIX = [("共青团员", 72), ("群众", 14), ("中共党员", 9), ("中共预备党员", 5)]
URBAN_RURAL_MIX = [("城镇", 45), ("农村", 55)]
HARDSHIP_MIX = [("非困难生", 82), ("家庭困难", 10), ("就业困难", 5), ("就业困难和家庭困难", 3)]
NORMAL_STUDENT_MIX = [("非师范生", 88), ("普通师范生", 12)]  # 师范生: a minority outside normal universities
MAJORITY_ETHNICITY = "汉族"

# Destination mix of a cohort in late spring, by the catalog's FIELD SET (not by code);
# online signing (its category named by destination_forms.json) comes from the agreements.
DESTINATION_FIELD_SET_MIX = [("employer", 47), ("domestic_study", 22), ("none", 18), ("freelance", 6),
                             ("abroad", 4), ("military", 1.5), ("startup", 1.5)]
# late in the season most registrations have passed the school's review (审核通过), which is
# what the statistics count; the rest wait at each step so every queue and status has rows
DESTINATION_STATUS_MIX = [("draft", 8), ("submitted", 15), ("college_approved", 14), ("school_approved", 58),
                          ("returned", 5)]
SIGNED_STATUS_MIX = [("submitted", 15), ("college_approved", 15), ("school_approved", 65), ("returned", 5)]

# where an Anhui school's students come from: share from the home province, and the
# neighbouring provinces (by 2-digit code) that send more than the rest of the country
HOME_SHARE = 0.72
NEIGHBOUR_SHARE = 0.14
NEIGHBOURS = {"34": ["32", "33", "36", "37", "41", "42"]}

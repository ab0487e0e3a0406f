from apps.archives.services import archive_defaults
from apps.destinations.models import Destination


def _destination(world, nature):
    return Destination.objects.create(graduate=world.graduate, school=world.school, college=world.college,
                                      category_code="11", unit_name="安徽省示例研究院", unit_nature_code=nature,
                                      unit_division_id="340104", unit_address="合肥市蜀山区某路1号",
                                      unit_contact="李老师", unit_contact_phone="0551-62900000")


def test_a_public_institution_receives_the_archive_itself(world):
    _destination(world, "20")  # 科研设计单位
    defaults = archive_defaults(world.graduate)
    assert defaults.source == "destination"
    assert defaults.values["receiving_unit_name"] == "安徽省示例研究院"
    assert defaults.values["address_division"] == "340104"


def test_a_private_company_sends_the_archive_to_the_talent_centre(world):
    world.graduate.origin_division_id = "340104"
    world.graduate.save()
    _destination(world, "39")  # 其他企业
    defaults = archive_defaults(world.graduate)
    assert defaults.source == "origin" and defaults.values["receiving_unit_name"] == "蜀山区人才服务中心"

"""What an employer's state allows, decided once (services of postings, signing, fairs read it)."""

from __future__ import annotations

from apps.organisations.models import EmployerStatus


def employer_channel_refusal(employer, channel_school=None) -> str | None:
    """None when the employer may post in the channel; otherwise the Chinese reason.

    Province verification is valid in every channel of that province (the province's and each
    school's); a school's verification only in that school's channel."""
    if employer is None:
        return "请先注册并认证用人单位账号"
    if employer.status == EmployerStatus.SUSPENDED:
        return "单位账号已停用，不能发布职位或发起网签"
    if employer.status != EmployerStatus.VERIFIED:
        return "单位尚未通过认证，认证通过后才能发布职位"
    if employer.verifier_school_id is None:  # verified by the province
        if channel_school is not None and channel_school.province_id != employer.verifier_province_id:
            return "单位的认证不适用于该院校"
        return None
    if channel_school is None:
        return "单位由院校认证，只能在该院校的渠道发布职位"
    if channel_school.pk != employer.verifier_school_id:
        return "单位由其他院校认证，不能在该院校的渠道发布职位"
    return None


def employer_signing_refusal(employer) -> str | None:
    """A suspended employer sends no signing invitation (card link or account)."""
    if employer is not None and employer.status == EmployerStatus.SUSPENDED:
        return "该单位账号已停用，不能发起网签邀约"
    return None


def member_login_refusal(user) -> str:
    """What an inactive employer account reads at the login (its password was right)."""
    from apps.employers.models import EmployerMember, MemberStatus

    member = EmployerMember.objects.filter(user=user).only("status").first()
    if member is not None and member.status == MemberStatus.PENDING:
        return "账号待主账号审核，请联系本单位主账号审核通过后再登录"
    if member is not None and member.status == MemberStatus.REJECTED:
        return "本单位主账号未通过该子账号的申请，不能登录；如有疑问请联系本单位主账号"
    return "账号已停用，请联系本单位主账号"

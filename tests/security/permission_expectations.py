"""Who may reach what: every site page (URL name) and every API operation (operationId),
each with the set of personas allowed. tests/security/test_permission_matrix.py walks the URL
map and the OpenAPI document and fails, naming it, for any endpoint missing here.

What the outcomes mean
======================

Personas (tests/security/conftest.py): owner (本人), peer (同院系毕业生), stranger (外校毕业生),
college_staff / other_college_staff (院系管理员 of the owner's / another college), school_staff /
other_school_staff (学校管理员 of the owner's / another school), province_staff, employer (the unit
that invited and signed with the owner), other_employer, anonymous. Every id in a URL is a real
object belonging to the owner (their graduate record, invitation, agreement, images…).

Pages (GET):
  allowed = 200, or a redirect that does not lead to a login page (e.g. / → the role's home);
            405 where the entry is `post_only` (the page only takes a form POST).
  denied  = a redirect to /login/, /staff/login/ or /admin/login/, or 403, or 404
            (another person's id looks like a missing one).
API (GET):
  allowed = 2xx.
  denied  = 401 (anonymous), 403 (wrong role) or 404 (an id outside the persona's scope).
Unsafe methods (page POST, API POST/PUT/PATCH/DELETE) are sent ONLY as denied personas: the
answer must be a denial as above (405 also counts for a page that has no form), and nothing may
change (the audit trail gains no entry; the owner's records keep their state). Allowed
personas never perform them here: the matrix must not destroy its own world.

Leak check on every 2xx answer: the owner's name and student number may only appear for
OWNER_READERS (plus `public_owner_data` entries: token-protected signing pages and the public
agreement verification show the name by design); the owner's full ID number and full phone
number appear for the owner alone (PRODUCT.md: masked for everyone else).
"""

from __future__ import annotations

from dataclasses import dataclass, field

OWNER = frozenset({"owner"})
GRADUATES = frozenset({"owner", "peer", "stranger"})
REVIEWERS = frozenset({"college_staff", "other_college_staff", "school_staff", "other_school_staff"})
STAFF = REVIEWERS | {"province_staff"}
SCHOOL_ADMINS = frozenset({"school_staff", "other_school_staff"})
EMPLOYERS = frozenset({"employer", "other_employer"})
LOGGED_IN = GRADUATES | STAFF | EMPLOYERS
EVERYONE = LOGGED_IN | {"anonymous"}
NOBODY = frozenset()
# staff in whose scope the owner's records lie
OWNER_REVIEWERS = frozenset({"college_staff", "school_staff"})
OWNER_STAFF = OWNER_REVIEWERS | {"province_staff"}
# who may see the owner's name / student number anywhere
OWNER_READERS = OWNER | OWNER_STAFF | {"employer"}
# the owner's school (notices of the school)
OWNER_SCHOOL = frozenset({"owner", "peer", "college_staff", "other_college_staff", "school_staff", "province_staff"})


@dataclass(frozen=True)
class Page:
    allowed: frozenset
    kwargs: dict = field(default_factory=dict)  # URL kwarg → attribute of World.ids
    query: dict = field(default_factory=dict)   # query parameter → attribute of World.ids
    post_only: bool = False
    public_owner_data: bool = False


@dataclass(frozen=True)
class Op:
    allowed: frozenset
    path: dict = field(default_factory=dict)    # path parameter → attribute of World.ids (or a literal via "=")
    query: dict = field(default_factory=dict)
    public_owner_data: bool = False


PAGES: dict[str, Page] = {
    # core
    "root": Page(LOGGED_IN),
    "staff-home": Page(STAFF),
    "province-schools": Page(frozenset({"province_staff"})),
    "employer-home": Page(EMPLOYERS),
    "private-media": Page(NOBODY, {"name": "media_name"}),
    # accounts
    "graduate-login": Page(EVERYONE),
    "school-search": Page(EVERYONE),
    "graduate-pin": Page(GRADUATES),
    "graduate-unbind": Page(EVERYONE, post_only=True),
    "staff-login": Page(EVERYONE),
    "staff-logout": Page(EVERYONE, post_only=True),
    "healthz": Page(EVERYONE),
    # graduates
    "graduate-home": Page(GRADUATES),
    "graduate-register": Page(GRADUATES),
    "graduate-services": Page(GRADUATES),
    "graduate-me": Page(GRADUATES),
    "graduate-settings": Page(GRADUATES),
    "graduate-history": Page(GRADUATES),
    "graduate-origin": Page(GRADUATES),
    "graduate-contacts": Page(GRADUATES),
    "staff-graduates": Page(STAFF),  # province staff read (read only)
    "staff-graduate-detail": Page(OWNER_STAFF, {"pk": "graduate"}),
    "staff-graduate-history": Page(OWNER_STAFF, {"pk": "graduate"}),
    "staff-graduate-reset-pin": Page(frozenset({"school_staff"}), {"pk": "graduate"}, post_only=True),
    # reference (pickers are public: the graduate login page uses none, but registration forms do)
    "reference-browse": Page(STAFF),
    "reference-division-picker": Page(EVERYONE, query={"field": "=origin_division", "at": "=340104"}),
    "reference-division-options": Page(EVERYONE),
    "reference-division-search": Page(EVERYONE, query={"field": "=origin_division", "q": "=合肥"}),
    # roster (生源导入)
    "roster-imports": Page(SCHOOL_ADMINS),
    "roster-template": Page(SCHOOL_ADMINS),
    "roster-duplicates": Page(SCHOOL_ADMINS),
    "roster-import-detail": Page(frozenset({"school_staff"}), {"pk": "roster_import"}),
    "roster-import-progress": Page(frozenset({"school_staff"}), {"pk": "roster_import"}),
    "roster-import-commit": Page(frozenset({"school_staff"}), {"pk": "roster_import"}, post_only=True),
    "roster-import-retry": Page(frozenset({"school_staff"}), {"pk": "roster_import"}, post_only=True),
    "roster-import-issues-xlsx": Page(frozenset({"school_staff"}), {"pk": "roster_import"}),
    # notices
    "notice-list": Page(GRADUATES | STAFF),
    "notice-detail": Page(OWNER_SCHOOL, {"pk": "notice"}),
    "staff-notices": Page(SCHOOL_ADMINS),
    "staff-notice-new": Page(SCHOOL_ADMINS),
    "staff-notice-edit": Page(frozenset({"school_staff"}), {"pk": "notice"}),
    # corrections (信息纠错)
    "correction-list": Page(GRADUATES),
    "correction-new": Page(GRADUATES),
    "correction-detail": Page(OWNER, {"pk": "correction"}),
    "correction-withdraw": Page(OWNER, {"pk": "correction"}, post_only=True),
    "correction-image": Page(OWNER | OWNER_STAFF, {"pk": "correction", "image_id": "correction_image"}),
    "staff-corrections": Page(STAFF),
    "staff-correction-detail": Page(OWNER_STAFF, {"pk": "correction"}),
    "staff-correction-accept": Page(OWNER_REVIEWERS, {"pk": "correction"}, post_only=True),
    "staff-correction-reject": Page(OWNER_REVIEWERS, {"pk": "correction"}, post_only=True),
    "staff-correction-reveal": Page(OWNER_REVIEWERS, {"pk": "correction"}, post_only=True),
    # archives (档案转寄)
    "graduate-archive": Page(GRADUATES),
    "staff-archives": Page(REVIEWERS),
    "staff-archives-export": Page(REVIEWERS, post_only=True),
    "staff-archives-tracking": Page(SCHOOL_ADMINS, post_only=True),
    "staff-archives-tracking-import": Page(SCHOOL_ADMINS, post_only=True),
    "staff-archive-detail": Page(OWNER_REVIEWERS, {"pk": "archive"}),
    # destinations (毕业去向登记)
    "graduate-destination": Page(GRADUATES),
    "graduate-destination-images": Page(GRADUATES, post_only=True),
    "graduate-destination-image-delete": Page(OWNER, {"pk": "proof_image"}, post_only=True),
    "graduate-destination-submit": Page(GRADUATES, post_only=True),
    "destination-image": Page(OWNER | OWNER_STAFF, {"pk": "proof_image"}),
    "staff-destinations": Page(STAFF),  # province staff read; batch approve and review stay with reviewers
    "staff-destinations-batch-approve": Page(REVIEWERS, post_only=True),
    "staff-destination-detail": Page(OWNER_STAFF, {"pk": "destination"}),
    "staff-destination-review": Page(OWNER_REVIEWERS, {"pk": "destination"}, post_only=True),
    # signing (网络签约): the graduate
    "signing-card": Page(GRADUATES),
    "signing-invitations": Page(GRADUATES),
    "signing-invitation": Page(OWNER, {"pk": "invitation"}),
    "signing-invitation-accept": Page(OWNER, {"pk": "invitation"}, post_only=True),
    "signing-invitation-decline": Page(OWNER, {"pk": "invitation"}, post_only=True),
    "signing-invitation-confirm": Page(OWNER, {"pk": "invitation"}, post_only=True),
    "signing-invitation-certificate": Page(OWNER, {"pk": "invitation"}),
    "signing-agreement": Page(GRADUATES),
    "signing-print": Page(GRADUATES),
    "signing-termination": Page(GRADUATES),
    # release letters: the graduate and the reviewers in scope (province staff do not review terminations)
    "termination-letter": Page(OWNER | OWNER_REVIEWERS, {"pk": "letter"}),
    # signing: the employer without an account holds a token (the card's or the follow link's)
    "sign-code": Page(EVERYONE),
    "sign-card": Page(EVERYONE, {"token": "card_token"}, public_owner_data=True),
    "sign-invite": Page(EVERYONE, {"token": "card_token"}, public_owner_data=True),
    "sign-follow": Page(EVERYONE, {"token": "follow_token"}, public_owner_data=True),
    "sign-follow-withdraw": Page(EVERYONE, {"token": "follow_token"}, post_only=True, public_owner_data=True),
    "sign-follow-correction": Page(EVERYONE, {"token": "follow_token"}, post_only=True, public_owner_data=True),
    # signing: an employer account
    "employer-signing-start": Page(EMPLOYERS, post_only=True),
    "employer-invitation": Page(frozenset({"employer"}), {"pk": "invitation"}),
    "employer-invitation-withdraw": Page(frozenset({"employer"}), {"pk": "invitation"}, post_only=True),
    "employer-invitation-correction": Page(frozenset({"employer"}), {"pk": "invitation"}, post_only=True),
    # self-print (public PC page; the PDF needs the session's secret) and verification (public)
    "print-pc": Page(EVERYONE),
    "print-pc-status": Page(EVERYONE, post_only=True),
    "print-pc-pdf": Page(EVERYONE, {"pk": "print_session"}, {"secret": "print_secret"}, public_owner_data=True),
    "verify": Page(EVERYONE),
    "verify-detail": Page(EVERYONE, {"code": "verification_code"}, public_owner_data=True),
    "verify-detail-short": Page(EVERYONE, {"code": "verification_code"}, public_owner_data=True),
    # staff: agreements, terminations, school settings
    "staff-agreements": Page(STAFF),
    "staff-agreement-detail": Page(OWNER_STAFF, {"pk": "agreement"}),
    "staff-agreement-pdf": Page(OWNER_STAFF, {"pk": "agreement"}),
    "staff-agreement-pdf-retry": Page(OWNER_REVIEWERS, {"pk": "agreement"}, post_only=True),
    "staff-terminations": Page(REVIEWERS),
    "staff-termination-detail": Page(OWNER_REVIEWERS, {"pk": "termination"}),
    "staff-termination-review": Page(OWNER_REVIEWERS, {"pk": "termination"}, post_only=True),
    "staff-settings": Page(SCHOOL_ADMINS),
    # notifications
    "notification-list": Page(GRADUATES | EMPLOYERS),
    # registry sync (全国毕业去向登记): the graduate's comparison view, the staff sync monitor
    "registry-comparison": Page(GRADUATES),
    "staff-registry": Page(STAFF),  # college staff read their college's entries
    "staff-registry-retry": Page(frozenset({"school_staff", "province_staff"}), {"pk": "outbox_entry"}, post_only=True),
    "staff-registry-retry-dead": Page(SCHOOL_ADMINS | {"province_staff"}, post_only=True),
    # 就业方案 export (province staff name the school) and the upload-back check (school/college
    # staff); a check report is reachable only by its token and its owner: none exists here
    "registry-national": Page(STAFF),
    "registry-national-export": Page(STAFF, query={"school_id": "school", "cohort": "=2027"}),
    "registry-national-check": Page(REVIEWERS, post_only=True),
    "registry-national-report": Page(NOBODY, {"token": "=no-such-report"}),
    "registry-national-report-download": Page(NOBODY, {"token": "=no-such-report"}),
}

# Django admin (operators only: superusers, none of the personas). Every admin URL is denied
# to everyone but its login page and its logout (harmless: it only ends one's own session);
# ids in admin URLs are filled with 1.
ADMIN_PUBLIC = {"admin:login", "admin:logout"}
ADMIN_POST_ONLY = {"admin:logout"}
# Over a hundred admin routes share one guard (AdminSite.admin_view) and none of the personas
# is an operator, so the admin routes are tried as one persona of each kind, not all eleven.
ADMIN_PERSONAS = ("owner", "school_staff", "province_staff", "employer", "anonymous")


def _p(allowed, path=None, query=None, public=False) -> Op:
    return Op(frozenset(allowed), path or {}, query or {}, public)


API: dict[str, Op] = {
    # accounts
    "apps_accounts_api_search_schools": _p(EVERYONE),
    "apps_accounts_api_graduate_login": _p(EVERYONE),
    "apps_accounts_api_staff_login": _p(EVERYONE),
    "apps_accounts_api_me": _p(LOGGED_IN),
    "apps_accounts_api_set_pin": _p(GRADUATES),
    "apps_accounts_api_logout_everywhere": _p(LOGGED_IN),
    # reference (public)
    "apps_reference_api_list_tables": _p(EVERYONE),
    "apps_reference_api_get_table": _p(EVERYONE, {"slug": "code_table_slug"}),
    "apps_reference_api_list_divisions": _p(EVERYONE),
    "apps_reference_api_search_divisions": _p(EVERYONE, query={"q": "=合肥"}),
    "apps_reference_api_get_division": _p(EVERYONE, {"code": "=340104"}),
    # graduates
    "apps_graduates_api_my_record": _p(GRADUATES),
    "apps_graduates_api_patch_origin": _p(GRADUATES),
    "apps_graduates_api_patch_contacts": _p(GRADUATES),
    "apps_graduates_api_confirm_origin": _p(GRADUATES),
    "apps_graduates_api_my_history": _p(GRADUATES),
    "apps_graduates_api_list_graduates": _p(STAFF),
    "apps_graduates_api_get_graduate": _p(OWNER_STAFF, {"graduate_id": "graduate"}),
    "apps_graduates_api_graduate_history_for_staff": _p(OWNER_STAFF, {"graduate_id": "graduate"}),
    "apps_graduates_api_reset_pin": _p({"school_staff"}, {"graduate_id": "graduate"}),
    # roster
    "apps_roster_api_create_import": _p(SCHOOL_ADMINS),
    "apps_roster_api_list_imports": _p(SCHOOL_ADMINS),
    "apps_roster_api_get_import": _p({"school_staff"}, {"import_id": "roster_import"}),
    "apps_roster_api_list_issues": _p({"school_staff"}, {"import_id": "roster_import"}),
    "apps_roster_api_download_issues": _p({"school_staff"}, {"import_id": "roster_import"}),
    "apps_roster_api_commit_import": _p({"school_staff"}, {"import_id": "roster_import"}),
    "apps_roster_api_retry_import": _p({"school_staff"}, {"import_id": "roster_import"}),
    "apps_roster_api_download_template": _p(SCHOOL_ADMINS),
    "apps_roster_api_list_duplicates": _p(SCHOOL_ADMINS),
    # notices
    "apps_notices_api_list_notices": _p(GRADUATES | STAFF),
    "apps_notices_api_create_notice": _p(SCHOOL_ADMINS),
    "apps_notices_api_get_notice": _p(OWNER_SCHOOL, {"notice_id": "notice"}),
    "apps_notices_api_update_notice": _p({"school_staff"}, {"notice_id": "notice"}),
    "apps_notices_api_delete_notice": _p({"school_staff"}, {"notice_id": "notice"}),
    # archives
    "apps_archives_api_my_archive": _p(GRADUATES),
    "apps_archives_api_put_my_archive": _p(GRADUATES),
    "apps_archives_api_my_defaults": _p(GRADUATES),
    "apps_archives_api_list_archives": _p(REVIEWERS),
    "apps_archives_api_export_archives": _p(REVIEWERS),
    "apps_archives_api_set_tracking": _p(SCHOOL_ADMINS),
    "apps_archives_api_import_tracking": _p(SCHOOL_ADMINS),
    "apps_archives_api_get_archive": _p(OWNER | OWNER_STAFF, {"transfer_id": "archive"}),
    # corrections
    "apps_corrections_api_file_correction": _p(GRADUATES),
    "apps_corrections_api_list_corrections": _p(STAFF),
    "apps_corrections_api_my_corrections": _p(GRADUATES),
    "apps_corrections_api_get_correction": _p(OWNER | OWNER_STAFF, {"correction_id": "correction"}),
    "apps_corrections_api_withdraw_correction": _p(OWNER, {"correction_id": "correction"}),
    "apps_corrections_api_accept_correction": _p(OWNER_REVIEWERS, {"correction_id": "correction"}),
    "apps_corrections_api_reject_correction": _p(OWNER_REVIEWERS, {"correction_id": "correction"}),
    "apps_corrections_api_correction_image": _p(OWNER | OWNER_STAFF,
                                                {"correction_id": "correction", "image_id": "correction_image"}),
    # destinations
    "apps_destinations_api_list_categories": _p(EVERYONE),
    "apps_destinations_api_get_mine": _p(GRADUATES),
    "apps_destinations_api_put_mine": _p(GRADUATES),
    "apps_destinations_api_add_image": _p(GRADUATES),
    "apps_destinations_api_delete_image": _p(OWNER, {"image_id": "proof_image"}),
    "apps_destinations_api_submit_mine": _p(GRADUATES),
    "apps_destinations_api_get_image": _p(OWNER | OWNER_STAFF, {"image_id": "proof_image"}),
    "apps_destinations_api_list_queue": _p(STAFF),
    "apps_destinations_api_batch_approve": _p(REVIEWERS),
    "apps_destinations_api_get_destination": _p(OWNER_STAFF, {"destination_id": "destination"}),
    "apps_destinations_api_approve": _p(OWNER_REVIEWERS, {"destination_id": "destination"}),
    "apps_destinations_api_return_destination": _p(OWNER_REVIEWERS, {"destination_id": "destination"}),
    # agreements: staff lists, public verification, self-print, terminations, school policy
    "apps_signing_api_staff_list_agreements": _p(STAFF),
    "apps_signing_api_staff_get_agreement": _p(OWNER | OWNER_STAFF | {"employer"}, {"agreement_id": "agreement"}),
    "apps_signing_api_staff_get_agreement_pdf": _p(OWNER | OWNER_STAFF | {"employer"}, {"agreement_id": "agreement"}),
    "apps_signing_api_staff_retry_agreement_pdf": _p(OWNER_REVIEWERS, {"agreement_id": "agreement"}),
    "apps_signing_api_staff_verify_upload": _p(EVERYONE),
    "apps_signing_api_staff_verify_code": _p(EVERYONE, {"code": "verification_code"}, public=True),
    "apps_signing_api_staff_create_print_session": _p(EVERYONE),
    "apps_signing_api_staff_print_session_status": _p(EVERYONE, {"session_id": "print_session"},
                                                      {"secret": "print_secret"}, public=True),
    "apps_signing_api_staff_print_session_pdf": _p(EVERYONE, {"session_id": "print_session"},
                                                   {"secret": "print_secret"}, public=True),
    "apps_signing_api_staff_claim_print_session": _p(GRADUATES),
    "apps_signing_api_staff_apply_termination": _p(GRADUATES),
    "apps_signing_api_staff_list_terminations": _p(REVIEWERS),
    "apps_signing_api_staff_my_terminations": _p(GRADUATES),
    "apps_signing_api_staff_get_termination_letter": _p(OWNER | OWNER_REVIEWERS, {"letter_id": "letter"}),
    "apps_signing_api_staff_get_termination": _p(OWNER_REVIEWERS, {"termination_id": "termination"}),
    "apps_signing_api_staff_approve_termination": _p(OWNER_REVIEWERS, {"termination_id": "termination"}),
    "apps_signing_api_staff_reject_termination": _p(OWNER_REVIEWERS, {"termination_id": "termination"}),
    "apps_signing_api_staff_get_school_policy": _p(SCHOOL_ADMINS),
    "apps_signing_api_staff_put_school_policy": _p(SCHOOL_ADMINS),
    # signing: graduate
    "apps_signing_api_get_card": _p(GRADUATES),
    "apps_signing_api_list_invitations": _p(GRADUATES),
    "apps_signing_api_get_invitation": _p(OWNER, {"invitation_id": "invitation"}),
    "apps_signing_api_decline_invitation": _p(OWNER, {"invitation_id": "invitation"}),
    "apps_signing_api_accept_invitation": _p(OWNER, {"invitation_id": "invitation"}),
    "apps_signing_api_confirm_invitation": _p(OWNER, {"invitation_id": "invitation"}),
    "apps_signing_api_get_agreement": _p(GRADUATES),
    # signing: token holders (public) and employer accounts
    "apps_signing_api_card_by_code": _p(EVERYONE, {"code": "card_code"}, public=True),
    "apps_signing_api_card_by_token": _p(EVERYONE, {"token": "card_token"}, public=True),
    "apps_signing_api_create_invitation": _p(EVERYONE, {"token": "card_token"}),
    "apps_signing_api_follow": _p(EVERYONE, {"follow_token": "follow_token"}, public=True),
    "apps_signing_api_follow_withdraw": _p(EVERYONE, {"follow_token": "follow_token"}),
    "apps_signing_api_follow_correction": _p(EVERYONE, {"follow_token": "follow_token"}),
    "apps_signing_api_employer_start": _p(EMPLOYERS),
    "apps_signing_api_employer_invitations": _p(EMPLOYERS),
    "apps_signing_api_employer_invitation": _p({"employer"}, {"invitation_id": "invitation"}),
    "apps_signing_api_employer_withdraw": _p({"employer"}, {"invitation_id": "invitation"}),
    "apps_signing_api_employer_correction": _p({"employer"}, {"invitation_id": "invitation"}),
    # notifications
    "apps_notifications_api_list_notifications": _p(GRADUATES | EMPLOYERS),
    "apps_notifications_api_mark_read": _p(GRADUATES | EMPLOYERS),
    # registry sync (全国毕业去向登记)
    "apps_registry_api_my_comparison": _p(GRADUATES),
    "apps_registry_api_list_outbox": _p(STAFF),
    "apps_registry_api_outbox_summary": _p(STAFF),
    "apps_registry_api_retry_dead": _p(SCHOOL_ADMINS | {"province_staff"}),
    "apps_registry_api_retry_one": _p({"school_staff", "province_staff"}, {"entry_id": "outbox_entry"}),
    "apps_registry_api_national_national_export_file": _p(STAFF, query={"school_id": "school", "cohort": "=2027"}),
    "apps_registry_api_national_national_check_file": _p(REVIEWERS),
}


# The job side (issue 12) declares its entries per area in tests/security/expect_*.py (each
# with PAGES, API and a `build(w, users)` that adds its objects to the world and their ids).
from tests.security import (  # noqa: E402
    expect_applications,
    expect_audit_viewer,
    expect_checkin,
    expect_directory,
    expect_employers,
    expect_fairs,
    expect_inbox,
    expect_infosessions,
    expect_intentions,
    expect_notifications,
    expect_postings,
    expect_recommendations,
    expect_reports,
    expect_resumes,
    expect_search,
    expect_staff_accounts,
    expect_statistics,
)

FRAGMENTS = (expect_employers, expect_postings, expect_search, expect_resumes, expect_intentions,
             expect_applications, expect_reports,
             # issue 13: fairs, check-in, 宣讲会, 就业推荐表, notification preferences
             expect_fairs, expect_checkin, expect_infosessions, expect_recommendations, expect_notifications,
             # issue 14: the staff back office
             expect_inbox, expect_directory, expect_statistics, expect_staff_accounts, expect_audit_viewer)
for _fragment in FRAGMENTS:
    PAGES.update(_fragment.PAGES)
    API.update(_fragment.API)

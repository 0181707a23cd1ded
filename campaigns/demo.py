"""Demo data of the campaigns floor: the Phú Thọ agency tree (the 13 departments of the
2025 pattern and some merged communes and wards), headcounts, a few hundred learners with
generated Vietnamese names (seeded, so the same every time), a manager per department and
commune, the campaign "Bình dân học vụ số 2026" and an in-person training class.

Idempotent: everything is looked up by its code or e-mail first; running twice changes
nothing. The codes are the demo's own (administrators enter the official ones).
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.services import graders_group_ensure
from campaigns import services
from campaigns.models import (
    Agency,
    AgencyHeadcount,
    Assignment,
    Campaign,
    LearnerProfile,
    ManagerRole,
    Session,
)
from campaigns.reporting.rollups import rollups_rebuild
from cms.text import fold
from cms.vocabularies import Audience, Subgroup
from courses.certificates.models import Certificate
from courses.models import (
    ACTIVITY_RESULTS_VERSION,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
)
from courses.services import course_complete

PROVINCE = ("PT", "Tỉnh Phú Thọ")
DEPARTMENTS = [
    ("PT-VP", "Văn phòng UBND tỉnh"),
    ("PT-TT", "Thanh tra tỉnh"),
    ("PT-SNV", "Sở Nội vụ"),
    ("PT-STC", "Sở Tài chính"),
    ("PT-KHCN", "Sở Khoa học và Công nghệ"),
    ("PT-SXD", "Sở Xây dựng"),
    ("PT-NNMT", "Sở Nông nghiệp và Môi trường"),
    ("PT-DTTG", "Sở Dân tộc và Tôn giáo"),
    ("PT-GDDT", "Sở Giáo dục và Đào tạo"),
    ("PT-SYT", "Sở Y tế"),
    ("PT-VHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("PT-STP", "Sở Tư pháp"),
    ("PT-SCT", "Sở Công Thương"),
]
UNITS = [
    ("PT-SNV", "PT-SNV-TCBC", "Phòng Tổ chức - Biên chế"),
    ("PT-SNV", "PT-SNV-CCVC", "Phòng Công chức, viên chức"),
    ("PT-KHCN", "PT-KHCN-CDS", "Trung tâm Chuyển đổi số"),
    ("PT-SYT", "PT-SYT-BVT", "Bệnh viện Đa khoa tỉnh"),
    ("PT-GDDT", "PT-GDDT-THPT", "Trường THPT chuyên Hùng Vương"),
]
COMMUNES = [
    ("PT-P-HB", "Phường Hòa Bình"),
    ("PT-P-VP", "Phường Vĩnh Phúc"),
    ("PT-P-PT", "Phường Phú Thọ"),
    ("PT-X-KS", "Xã Kỳ Sơn"),
    ("PT-X-XD", "Xã Xuân Đài"),
    ("PT-X-QD", "Xã Quy Đức"),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà", "Đinh",
          "Quách", "Bạch", "Lò", "Sa", "Triệu", "Hứa", "Ngô", "Dương", "Lương"]  # fmt: skip
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Tiến", "Công", "Xuân"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Phương", "Mai"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong",
           "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt"]  # fmt: skip
GIVEN_F = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh",
           "Nhung", "Oanh", "Phượng", "Thảo", "Trang", "Yến"]  # fmt: skip
TITLES = {
    Subgroup.LEADER: ["Giám đốc", "Phó Giám đốc", "Trưởng phòng", "Chủ tịch UBND"],
    Subgroup.CIVIL_SERVANT: [
        "Chuyên viên",
        "Chuyên viên chính",
        "Thanh tra viên",
        "Kế toán",
    ],
    Subgroup.PUBLIC_EMPLOYEE: ["Giáo viên", "Bác sĩ", "Điều dưỡng", "Kỹ sư"],
    Subgroup.WORKER: ["Văn thư", "Lái xe", "Bảo vệ"],
    Subgroup.CITIZEN: [""],
}
# (audience, low, high): seeded random headcounts per agency.
STAFF_HEADCOUNTS = [
    (Subgroup.LEADER, 3, 8),
    (Subgroup.CIVIL_SERVANT, 30, 120),
    (Subgroup.PUBLIC_EMPLOYEE, 0, 60),
    (Subgroup.WORKER, 3, 15),
]
COMMUNE_HEADCOUNTS = [(Subgroup.LEADER, 3, 6), (Subgroup.CIVIL_SERVANT, 20, 40),
                      (Subgroup.CITIZEN, 8000, 25000)]  # fmt: skip
DEMO_DOMAIN = "demo.hocso.local"
LEARNERS_PER_DEPARTMENT = 16
LEARNERS_PER_COMMUNE = 14


def _agency(code, name, kind, parent=None) -> Agency:
    existing = Agency.objects.filter(code=code).first()
    if existing:
        return existing
    return services.agency_create(name=name, code=code, kind=kind, parent=parent)


def _person_name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


DEMO_LEARNER_EMAIL = "learner@hocso.local"  # made by cms.demo


def _email(name: str, n: int) -> str:
    parts = fold(name).split()
    return f"{parts[-1]}.{''.join(p[0] for p in parts[:-1])}{n:03d}@{DEMO_DOMAIN}"


def load(stdout) -> None:
    User = get_user_model()
    rng = random.Random(2026)
    province = _agency(*PROVINCE, Agency.Kind.PROVINCE)
    departments = [
        _agency(code, name, Agency.Kind.DEPARTMENT, province) for code, name in DEPARTMENTS
    ]
    by_code = {a.code: a for a in departments}
    units = [_agency(code, name, Agency.Kind.UNIT, by_code[parent]) for parent, code, name in UNITS]
    communes = [
        _agency(code, name, Agency.Kind.COMMUNE_OR_WARD, province) for code, name in COMMUNES
    ]

    # Headcounts (the denominators), seeded so they are the same every run.
    for agency in departments + units:
        for audience, low, high in STAFF_HEADCOUNTS:
            count = rng.randint(low, high)
            if not AgencyHeadcount.objects.filter(agency=agency, audience=audience).exists():
                services.headcount_set(agency=agency, audience=audience, count=count)
    for agency in communes:
        for audience, low, high in COMMUNE_HEADCOUNTS:
            count = rng.randint(low, high)
            if not AgencyHeadcount.objects.filter(agency=agency, audience=audience).exists():
                services.headcount_set(agency=agency, audience=audience, count=count)

    # Learners: generated names, seeded; looked up by e-mail so a second run adds nothing.
    created = 0
    n = 0
    places = [(a, LEARNERS_PER_DEPARTMENT) for a in departments + units]
    places += [(a, LEARNERS_PER_COMMUNE) for a in communes]
    for agency, count in places:
        for _i in range(count):
            n += 1
            name = _person_name(rng)
            if agency.kind == Agency.Kind.COMMUNE_OR_WARD:
                audience = rng.choice([Subgroup.CITIZEN] * 3 + [Subgroup.CIVIL_SERVANT])
            else:
                audience = rng.choice(
                    [Subgroup.CIVIL_SERVANT] * 5
                    + [Subgroup.PUBLIC_EMPLOYEE] * 2
                    + [Subgroup.LEADER, Subgroup.WORKER]
                )
            title = rng.choice(TITLES[audience])
            email = _email(name, n)
            joined = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 60))
            if User.objects.filter(email=email).exists():
                continue
            user = User.objects.create_user(email, None, full_name=name)
            services.learner_profile_set(
                user=user, agency=agency, audience=audience, job_title=title,
                employee_code=None if audience == Subgroup.CITIZEN else f"CB-{n:05d}",
                on=joined,
            )  # fmt: skip
            created += 1

    # A manager per department and commune; the demo manager manages Sở Nội vụ.
    for agency in departments + communes:
        email = f"quanly.{agency.code.lower()}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, "hocso-demo-2026", full_name=f"Cán bộ phụ trách {agency.name}"
        )
        services.manager_role_grant(user=user, agency=agency, granted_by=None)
    demo_manager = User.objects.filter(email="manager@hocso.local").first()
    if demo_manager:
        services.manager_role_grant(user=demo_manager, agency=by_code["PT-SNV"], granted_by=None)
        # They also grade their learners' essays: the "chấm bài" group (assessments' migration).
        demo_manager.groups.add(graders_group_ensure())
    # The demo learner is a civil servant of Phòng Tổ chức - Biên chế (Sở Nội vụ), so the
    # campaign assigns them its courses with its deadline (below), none of them started.
    demo_learner = User.objects.filter(email=DEMO_LEARNER_EMAIL).first()
    if demo_learner and not LearnerProfile.objects.filter(user=demo_learner).exists():
        services.learner_profile_set(
            user=demo_learner, agency=next(u for u in units if u.code == "PT-SNV-TCBC"),
            audience=Subgroup.CIVIL_SERVANT,
            job_title="Chuyên viên", employee_code="CB-DEMO-01", on=dt.date(2026, 1, 5),
        )  # fmt: skip

    # The campaign, with the demo courses if the courses floor made some.
    campaign = Campaign.objects.filter(name="Bình dân học vụ số 2026").first()
    if campaign is None:
        campaign = Campaign.objects.create(
            name="Bình dân học vụ số 2026",
            description=(
                "Phong trào “Bình dân học vụ số” của tỉnh Phú Thọ: 100% cán bộ, công chức, "
                "viên chức và người lao động trong cơ quan nhà nước hoàn thành các khóa học "
                "kỹ năng số cơ bản trước ngày 31/12/2026."
            ),
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            due_on=dt.date(2026, 12, 31),
            target_percent=100,
        )
        services.campaign_targets_set(
            campaign=campaign, audiences=Subgroup.of_audience(Audience.CIVIL_SERVANTS)
        )
    if not campaign.courses.exists():
        # The demo courses made for civil servants (courses.demo), in catalogue order.
        for_staff = (
            CoursePage.objects.live()
            .filter(audience_links__audience="civil_servants")
            .distinct()
            .order_by("path")
        )
        services.campaign_targets_set(campaign=campaign, courses=for_staff)
    assigned = services.campaign_assign(campaign=campaign)
    completed = _demo_history(campaign)
    assigned += _near_deadline_campaign(by_code["PT-SNV"])
    overdue_unit = next(u for u in units if u.code != "PT-SNV-TCBC" and u.code.startswith("PT-SNV"))
    assigned += _overdue_campaign(overdue_unit)

    # An in-person training class in Phường Hòa Bình (dated in the campaign, fixed).
    ward = communes[0]  # Phường Hòa Bình
    if not Session.objects.filter(
        title="Tập huấn sử dụng VNeID và dịch vụ công trực tuyến"
    ).exists():
        start = timezone.make_aware(dt.datetime(2026, 12, 5, 8, 0))
        Session.objects.create(
            kind=Session.Kind.TRAINING_CLASS,
            title="Tập huấn sử dụng VNeID và dịch vụ công trực tuyến",
            place="Hội trường UBND phường Hòa Bình",
            starts_at=start, ends_at=start + dt.timedelta(hours=3), agency=ward, campaign=campaign,
        )  # fmt: skip

    stdout.write(
        f"campaigns: {Agency.objects.count()} agencies, {created} new learners "
        f"({LearnerProfile.objects.count()} in all), {ManagerRole.objects.count()} manager roles, "
        f"{assigned} new assignments, {completed} completed in the demo history; "
        "manager@hocso.local manages Sở Nội vụ"
    )


NEAR_CAMPAIGN = "Chuyên đề: nhận biết lừa đảo trực tuyến"
SCAMS_COURSE_SLUG = "nhan-biet-lua-dao-va-bao-ve-du-lieu-ca-nhan"


def _scams_campaign(
    agency, *, name: str, description: str, started: int, ends: int, due: int
) -> int:
    """A civil-servant campaign of `agency` on the scams course, dated in days from the
    day the demo is seeded (negative: in the past); created once, then assigned."""
    course = CoursePage.objects.live().filter(slug=SCAMS_COURSE_SLUG).first()
    if course is None or Campaign.objects.filter(name=name).exists():
        return 0
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name=name, description=description,
        starts_on=today + dt.timedelta(days=started), ends_on=today + dt.timedelta(days=ends),
        due_on=today + dt.timedelta(days=due), target_percent=100,
    )  # fmt: skip
    campaign.agencies.add(agency)
    services.campaign_targets_set(
        campaign=campaign, audiences=[Subgroup.CIVIL_SERVANT], courses=[course]
    )
    return services.campaign_assign(campaign=campaign)


def _near_deadline_campaign(agency) -> int:
    """A short campaign for Sở Nội vụ due in 5 days: its people, the demo learner among
    them, see a near deadline ("Còn 5 ngày") on the scams course (an enrolment keeps the
    earliest deadline)."""
    return _scams_campaign(
        agency, name=NEAR_CAMPAIGN, started=-10, ends=5, due=5,
        description="Cán bộ Sở Nội vụ hoàn thành khoá nhận biết lừa đảo trong tháng này.",
    )  # fmt: skip


OVERDUE_CAMPAIGN = "Chuyên đề: bảo vệ dữ liệu cá nhân (đợt 1)"


def _overdue_campaign(agency) -> int:
    """A campaign of one unit of Sở Nội vụ (not the demo learner's) whose deadline passed
    7 days ago, nobody done: the manager's overdue list and reminders have people to act
    on. Its deadline stays on those people's scams course too."""
    return _scams_campaign(
        agency, name=OVERDUE_CAMPAIGN, started=-40, ends=20, due=-7,
        description="Cán bộ của đơn vị hoàn thành khoá về lừa đảo và dữ liệu cá nhân.",
    )  # fmt: skip


def _live_lessons(course_ids) -> dict[int, list[LessonPage]]:
    """The live lessons of each course, by course id (one query per course, in page order)."""
    return {
        course.pk: list(LessonPage.objects.live().child_of(course).specific())
        for course in CoursePage.objects.filter(pk__in=course_ids)
    }


# The evidence each completion mode leaves on a finished lesson (courses.services._lesson_done).
_EVIDENCE = {"activities": LessonProgress.Evidence.ACTIVITY, "video": LessonProgress.Evidence.VIDEO}


def _lessons_done(*, enrolment: Enrolment, lessons: list[LessonPage], when) -> None:
    """Demo rows of a learner who finished every lesson of the course at `when`: read or
    watched, and each activity passed (the shape courses.services writes)."""
    rows = []
    for lesson in lessons:
        evidence = _EVIDENCE.get(lesson.completion_mode, LessonProgress.Evidence.READ)
        stamp = when.isoformat()
        results = {
            "version": ACTIVITY_RESULTS_VERSION,
            "blocks": {
                block_id: {"passed": True, "score_percent": 100.0, "best_score_percent": 100.0,
                           "attempts": 1, "passed_at": stamp, "updated_at": stamp}
                for block_id in lesson.activity_ids()
            },
        }  # fmt: skip
        rows.append(
            LessonProgress(
                user_id=enrolment.user_id,
                lesson=lesson,
                course_id=enrolment.course_id,
                opened_at=when,
                read_confirmed=evidence == LessonProgress.Evidence.READ,
                video_watched=evidence == LessonProgress.Evidence.VIDEO,
                activity_results=results,
                completed_at=when,
                completed_by=evidence,
            )
        )
    # A lesson the learner had only opened is finished now.
    LessonProgress.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user", "lesson"],
        update_fields=["read_confirmed", "video_watched", "activity_results", "completed_at",
                       "completed_by"],
    )  # fmt: skip


def _demo_history(campaign) -> int:
    """A year of learning for the dashboards' trends: assignments dated in March, and about
    45% of the assigned people completing the required courses between April and November
    (fixed seed). Dates are set on the raw rows, then the rollups are rebuilt from them.
    Runs once: nothing happens when the campaign already has completions."""
    if Assignment.objects.filter(campaign=campaign, completed_at__isnull=False).exists():
        return 0
    rng = random.Random(2026)
    demo_learner = get_user_model().objects.filter(email=DEMO_LEARNER_EMAIL).first()
    march = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
    assignments = list(Assignment.objects.filter(campaign=campaign).order_by("user_id"))
    Assignment.objects.filter(campaign=campaign).update(created_at=march)
    course_ids = list(campaign.courses.values_list("course_id", flat=True))
    Enrolment.objects.filter(
        user_id__in=[a.user_id for a in assignments], course_id__in=course_ids
    ).update(enrolled_at=march)
    lessons = _live_lessons(course_ids)
    done = 0
    for assignment in assignments:
        # The demo learner keeps their assigned courses unstarted (the learner's journey).
        if rng.random() > 0.45 or assignment.user_id == getattr(demo_learner, "pk", None):
            continue
        when = march + dt.timedelta(days=rng.randint(35, 265), hours=rng.randint(0, 8))
        for enrolment in Enrolment.objects.filter(
            user_id=assignment.user_id, course_id__in=course_ids, unenrolled_at__isnull=True
        ).select_related("course"):
            # A completed course has its lessons done, as a learner would have left them:
            # the course page and the lesson list agree with "completed".
            course_lessons = lessons.get(enrolment.course_id, [])
            _lessons_done(enrolment=enrolment, lessons=course_lessons, when=when)
            course_complete(enrolment=enrolment)
            Enrolment.objects.filter(pk=enrolment.pk).update(
                completed_at=when, lessons_done=len(course_lessons), last_activity_at=when
            )
        done += 1
    for certificate in Certificate.objects.filter(
        user_id__in=[a.user_id for a in assignments], course_id__in=course_ids
    ):
        completed_at = (
            Enrolment.objects.filter(user_id=certificate.user_id, course_id=certificate.course_id)
            .values_list("completed_at", flat=True)
            .first()
        )
        if completed_at:
            Certificate.objects.filter(pk=certificate.pk).update(issued_at=completed_at)
    services.assignments_refresh_completion(campaign=campaign)
    rollups_rebuild()
    return done

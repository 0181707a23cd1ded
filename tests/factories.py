"""One place to make the things tests need: people, agencies, courses with lessons, questions,
quizzes, campaigns. Plain functions (no factory library: a few lines each, and they go
through our own services where one exists, so a test builds data as the product does).

Lazy defaults: every argument is optional and a factory makes what it needs only when it is
not given (`learner()` makes an agency, `quiz()` a bank of questions, `course()` the catalogue
under the home page); names, slugs, codes and e-mails are unique, so two calls never clash.

    from tests import factories

    def test_something(db):
        tree = factories.agency_tree()
        person = factories.learner(tree["snv"], name="Lê Thị An")
        boss = factories.manager(tree["snv"])
        course = factories.course(lessons=2)

Fixtures stay in conftest.py files; a fixture that only makes data should call these.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from assessments.models import Choice, Question, QuestionCategory, Quiz, QuizSlot
from campaigns import services as campaign_services
from campaigns.models import Agency, Campaign, CampaignAudience, CampaignCourse
from cms.demo import ensure_home_page
from courses.models import CourseAudience, CourseIndexPage, CoursePage, LessonPage

PASSWORD = "mat-khau-an-toan-2026"
_numbers = itertools.count(1)


def _unique() -> str:
    """A number for readable names plus a few random characters: unique across tests whose
    databases roll back (the counter does not)."""
    return f"{next(_numbers)}-{uuid.uuid4().hex[:6]}"


# --- People -----------------------------------------------------------------------------


def user(**fields) -> User:
    """A person who can log in with `password` (default PASSWORD)."""
    n = _unique()
    fields.setdefault("email", f"user{n}@example.vn")
    fields.setdefault("full_name", f"Nguyễn Văn Thử {n.split('-')[0]}")
    password = fields.pop("password", PASSWORD)
    return User.objects.create_user(password=password, **fields)


def staff(group: str = "Editors", **fields) -> User:
    """A staff member in one of Wagtail's groups ("Editors", "Moderators")."""
    person = user(is_staff=True, **fields)
    person.groups.add(Group.objects.get(name=group))
    return person


# --- Agencies and the people in them (campaigns) ------------------------------------------


def agency(
    *, name: str | None = None, code: str | None = None, kind: str | None = None, parent=None
) -> Agency:
    """An agency (through `agency_create`): a province at the root, a unit under `parent`."""
    n = _unique()
    if kind is None:
        kind = Agency.Kind.UNIT if parent is not None else Agency.Kind.PROVINCE
    return campaign_services.agency_create(
        name=name or f"Cơ quan thử {n}", code=code or f"CQ-{n}", kind=kind, parent=parent
    )


def agency_tree() -> dict[str, Agency]:
    """Province → Sở Nội vụ (→ Phòng Tổ chức biên chế), Sở Y tế; Phường Hòa Bình.
    Returns {"province", "snv", "unit", "syt", "ward"}; codes are the real-looking ones
    (PT, SNV, SNV-TC, SYT, P-HB), so call it once per test."""
    province = agency(name="Tỉnh Phú Thọ", code="PT", kind=Agency.Kind.PROVINCE)
    snv = agency(name="Sở Nội vụ", code="SNV", kind=Agency.Kind.DEPARTMENT, parent=province)
    unit = agency(name="Phòng Tổ chức biên chế", code="SNV-TC", kind=Agency.Kind.UNIT, parent=snv)
    syt = agency(name="Sở Y tế", code="SYT", kind=Agency.Kind.DEPARTMENT, parent=province)
    ward = agency(
        name="Phường Hòa Bình", code="P-HB", kind=Agency.Kind.COMMUNE_OR_WARD, parent=province
    )
    return {"province": province, "snv": snv, "unit": unit, "syt": syt, "ward": ward}


def learner(
    in_agency: Agency | None = None,
    /,
    *,
    name: str | None = None,
    audience: str = "civil_servant",
    on: dt.date | None = None,
    employee_code: str | None = None,
    **fields,
) -> User:
    """A person with a learner profile in `in_agency` (a new agency when not given), member
    from `on` (default 2026-01-01, before any test's campaign)."""
    person = user(full_name=name or "Nguyễn Văn Học", **fields)
    campaign_services.learner_profile_set(
        user=person,
        agency=in_agency if in_agency is not None else agency(),
        audience=audience,
        on=on or dt.date(2026, 1, 1),
        employee_code=employee_code,
    )
    return person


def manager(in_agency: Agency | None = None, /, *, name: str = "Lê Văn Quản Lý", **fields) -> User:
    """A manager of `in_agency` (a new agency when not given)."""
    person = user(full_name=name, **fields)
    campaign_services.manager_role_grant(
        user=person, agency=in_agency if in_agency is not None else agency(), granted_by=None
    )
    return person


# --- Courses and lessons (Wagtail pages) --------------------------------------------------


def text_block(html: str = "<p>Nội dung bài học.</p>") -> dict:
    """A lesson body's rich-text block, as StreamField raw data."""
    return {"type": "text", "value": html, "id": str(uuid.uuid4())}


def catalogue(home=None) -> CourseIndexPage:
    """The course catalogue page (the first one, or a new one under the home page)."""
    index = CourseIndexPage.objects.first()
    if index is None:
        if home is None:
            home = ensure_home_page()
        index = CourseIndexPage(title="Khoá học", slug="khoa-hoc")
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def course(
    *,
    lessons: int | list[str] = 3,
    title: str | None = None,
    bodies: list | None = None,
    audiences=("citizens",),
    publish: bool = True,
    publish_lessons: bool = False,
    parent=None,
    **fields,
) -> CoursePage:
    """A course page in `parent` (the catalogue when not given) with live lesson pages:
    `lessons` of them titled "Bài 1".., or one a title when `lessons` is a list of titles;
    lesson i's body is `bodies[i]` or one text block. `publish_lessons`: each lesson also
    published through a revision, as an editor does (the browser journeys)."""
    n = _unique()
    page = CoursePage(
        title=title or f"Khoá học thử {n.split('-')[0]}",
        slug=fields.pop("slug", f"khoa-hoc-thu-{n}"),
        summary=fields.pop("summary", "Tóm tắt khoá học."),
        topic=fields.pop("topic", "smartphone_internet"),
        **fields,
    )
    page.audience_links = [CourseAudience(audience=a) for a in audiences]
    (parent if parent is not None else catalogue()).add_child(instance=page)
    if publish:
        page.save_revision().publish()
    titles = lessons if isinstance(lessons, list) else [f"Bài {i + 1}" for i in range(lessons)]
    for i, lesson_title in enumerate(titles):
        body = bodies[i] if bodies and i < len(bodies) else [text_block()]
        lesson = LessonPage(title=lesson_title, slug=f"bai-{i + 1}", body=body)
        page.add_child(instance=lesson)
        if publish_lessons:
            lesson.save_revision().publish()
    return page


def lessons_of(course_: CoursePage) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(course_).order_by("path"))


# --- Questions and quizzes (assessments) --------------------------------------------------


def question(
    category: QuestionCategory | None = None,
    qtype: str = "single",
    text: str | None = None,
    choices=None,
    **fields,
) -> Question:
    """A bank question; `choices` are (text, weight[, match_text[, feedback]]) tuples in
    bank order (default: a right "113" and two wrong answers)."""
    if category is None:
        category = QuestionCategory.objects.create(name=f"Kiểm thử {_unique()}")
    made = Question(
        category=category,
        qtype=qtype,
        text=text or "Số điện thoại khẩn cấp gọi công an là số nào?",
        **fields,
    )
    made.save()
    for order, spec in enumerate(choices or [("113", 100), ("114", 0), ("115", 0)]):
        choice_text, weight, *rest = spec
        Choice.objects.create(
            question=made,
            sort_order=order,
            text=choice_text,
            weight=weight,
            match_text=rest[0] if rest else "",
            feedback=rest[1] if len(rest) > 1 else "",
        )
    return made


def question_bank(category: QuestionCategory | None = None) -> dict[str, Question]:
    """One question of each type, with feedback on the single choice's answers; returns
    {type: question}."""
    if category is None:
        category = QuestionCategory.objects.create(name=f"Kiểm thử {_unique()}")
    return {
        "single": question(
            category, "single", "Số điện thoại khẩn cấp gọi công an là số nào?",
            [("113", 100, "", "Đúng: 113 là công an."), ("114", 0, "", "114 là cứu hỏa."),
             ("115", 0, "", "115 là cấp cứu.")],
            general_feedback="Ghi nhớ: 113 công an, 114 cứu hỏa, 115 cấp cứu.",
        ),
        "multiple": question(
            category, "multiple", "Những thông tin nào không được cho người lạ biết?",
            [("Mã OTP", 50), ("Mật khẩu", 50), ("Tên tỉnh đang sống", -100)],
            partial_credit=True,
        ),
        "true_false": question(
            category, "true_false", "Ngân hàng không bao giờ gọi điện xin mã OTP.",
            [("Đúng", 100), ("Sai", 0)],
        ),
        "short_answer": question(
            category, "short_answer", "Ứng dụng định danh điện tử quốc gia tên là gì?",
            [("VNeID", 100), ("Định danh điện tử", 100)], ignore_diacritics=True,
        ),
        "ordering": question(
            category, "ordering", "Sắp xếp các bước chuyển khoản an toàn.",
            [("Mở ứng dụng ngân hàng", 0), ("Kiểm tra tên người nhận", 0),
             ("Nhập số tiền", 0), ("Xác nhận bằng mã PIN", 0)],
        ),
        "matching": question(
            category, "matching", "Ghép số điện thoại với dịch vụ.",
            [("113", 0, "Công an"), ("114", 0, "Cứu hỏa"), ("115", 0, "Cấp cứu")],
        ),
    }  # fmt: skip


def quiz(*, questions=None, **fields) -> Quiz:
    """A quiz over `questions` in order (a new bank of every type when not given)."""
    n = _unique()
    fields.setdefault("title", "Bài kiểm tra thử")
    fields.setdefault("slug", f"kiem-tra-thu-{n}")
    made = Quiz.objects.create(**fields)
    for order, q in enumerate(questions if questions is not None else question_bank().values()):
        QuizSlot.objects.create(quiz=made, question=q, sort_order=order)
    return made


# --- Campaigns ------------------------------------------------------------------------------


def campaign(*, courses=(), agencies=(), audiences=(), **fields) -> Campaign:
    """A campaign running now (60 days back to 60 days ahead, due in 30) over `courses`, in
    `agencies`, for `audiences` (subgroups; none: everyone)."""
    today = timezone.localdate()
    fields.setdefault("name", f"Bình dân học vụ số {_unique()}")
    fields.setdefault("starts_on", today - dt.timedelta(days=60))
    fields.setdefault("ends_on", today + dt.timedelta(days=60))
    fields.setdefault("due_on", today + dt.timedelta(days=30))
    made = Campaign.objects.create(**fields)
    for order, course_ in enumerate(courses):
        CampaignCourse.objects.create(campaign=made, course=course_, sort_order=order)
    if agencies:
        made.agencies.set(agencies)
    for audience in audiences:
        CampaignAudience.objects.create(campaign=made, audience=audience)
    return made

"""The editor's journey in the Wagtail admin, on a desktop (issue 22, editor): log in with
the second factor, create a course filling the form top to bottom while autosave runs,
add two lessons (one with an image whose alt text and caption are typed while the first
autosave runs), import a GIFT file, build the quiz from its category in one step, put it
in a lesson, submit the course with its lessons once; a moderator approves once; the
course and its lessons are live at ASCII slugs. The test reads what the pages say."""

import os
import time

import pytest
from django.contrib.auth.models import Group

from tests.conftest import mfa_enrol, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PASSWORD = "mat-khau-an-toan-2026"
SHOTS = os.environ.get("EDITOR_JOURNEY_SHOTS", "")  # e.g. /tmp/f- to keep screenshots
GIFT = """$CATEGORY: Zalo an toàn

::Zalo-1:: Có nên đưa mã OTP cho người lạ qua Zalo không? {
=Không, không bao giờ
~Có, nếu họ nói là nhân viên ngân hàng
}

::Zalo-2:: Zalo cho phép bật xác thực hai lớp. {TRUE}
"""


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}{name}.png", full_page=True)


def log_in(context, live_server, user, secret):
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(f"{live_server.url}/admin/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    shot(page, "00-login-code")
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", totp_code(secret))
    page.press("input[name=code]", "Enter")
    page.wait_for_url(f"{live_server.url}/admin/**")
    return page


def wait_saved(page):
    """Autosave's indicator: wait until it no longer says it is saving."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.body.innerText.includes('Đang lưu')", timeout=20000)


def wagtail_groups_ensure():
    """Wagtail's own Editors and Moderators groups, as its initial migrations make them: a
    transactional test before this one may have emptied the database (PostgreSQL, xdist)."""
    from django.contrib.auth.models import Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    def perms(app, *codenames):
        return list(Permission.objects.filter(content_type__app_label=app, codename__in=codenames))

    root = Page.get_first_root_node()
    collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
    media = perms("wagtailimages", "add_image", "change_image", "choose_image") + perms(
        "wagtaildocs", "add_document", "change_document", "choose_document"
    )
    for name, codenames in (("Moderators", ("add_page", "change_page", "publish_page")),
                            ("Editors", ("add_page", "change_page"))):  # fmt: skip
        group, created = Group.objects.get_or_create(name=name)
        if not created:
            continue
        group.permissions.add(*perms("wagtailadmin", "access_admin"))
        for permission in perms("wagtailcore", *codenames):
            GroupPagePermission.objects.create(group=group, page=root, permission=permission)
        for permission in media:
            GroupCollectionPermission.objects.create(
                group=group, collection=collection, permission=permission
            )


@pytest.fixture
def people(user_factory, home_page):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Permission

    from assessments.demo import EDITOR_PERMISSIONS

    wagtail_groups_ensure()
    editors = Group.objects.get(name="Editors")
    editors.permissions.add(*Permission.objects.filter(  # as the demo gives them
        content_type__app_label="assessments", codename__in=EDITOR_PERMISSIONS))  # fmt: skip
    editor = user_factory(is_staff=True, full_name="Trần Thị Biên Tập")
    editor.groups.add(editors)
    moderator = user_factory(is_staff=True, full_name="Lê Văn Duyệt")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    for user in (editor, moderator):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return {"editor": (editor, mfa_enrol(editor)), "moderator": (moderator, mfa_enrol(moderator))}


@pytest.fixture
def catalogue_ready(home_page):
    from courses.models import CourseIndexPage
    from courses.services import course_workflow_ensure
    from tests.courses.conftest import make_image

    index = CourseIndexPage(title="Khoá học", slug="khoa-hoc")
    home_page.add_child(instance=index)
    index.save_revision().publish()
    course_workflow_ensure(index=index)
    return {"index": index, "image": make_image(title="Cài đặt Zalo")}


def test_editor_builds_submits_and_a_moderator_publishes(
    browser, live_server, people, catalogue_ready, tmp_path
):
    from courses.models import CoursePage, LessonPage

    index = catalogue_ready["index"]
    editor, editor_secret = people["editor"]
    context = browser.new_context(locale="vi-VN", **DESKTOP)
    page = log_in(context, live_server, editor, editor_secret)

    # 1. The course, in the order a person fills the form; autosave runs in between.
    page.goto(f"{live_server.url}/admin/pages/add/courses/coursepage/{index.pk}/")
    page.fill("#id_title", "Zalo an toàn cho người dân")
    page.fill("#id_summary", "Dùng Zalo an toàn: mật khẩu, mã OTP, tin nhắn lừa đảo.")
    shot(page, "01a-course-typing")
    # The first save stores a draft with no audience and no topic (autosave does the same
    # once the page exists); every later save of it used to fail with a 500.
    page.wait_for_timeout(2500)
    if "/edit/" not in page.url:
        page.get_by_role("button", name="Lưu bản nháp").first.click()
        page.wait_for_url("**/edit/**")
    shot(page, "01-course-draft")
    page.select_option("#id_audience_links-0-audience", "citizens")
    page.select_option("#id_topic", "online_safety")
    wait_saved(page)
    page.get_by_role("button", name="Lưu bản nháp").first.click()
    page.wait_for_load_state()
    shot(page, "02-course-saved")
    body = page.inner_text("body")
    assert "Lỗi máy chủ" not in body and "Server Error" not in body
    course = CoursePage.objects.get(title="Zalo an toàn cho người dân")
    assert course.slug == "zalo-an-toan-cho-nguoi-dan"
    assert course.audience_codes == ["citizens"] or course.get_latest_revision_as_object()

    # 2. Import the GIFT file, then build the quiz from its category in one step.
    gift = tmp_path / "zalo.gift"
    gift.write_text(GIFT, encoding="utf-8")
    page.goto(f"{live_server.url}/admin/cau-hoi/nhap-xuat/")
    page.set_input_files("input[name=file]", str(gift))
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "Một lựa chọn" in page.inner_text("body")  # type names, not "single"
    page.get_by_role("button", name="Nhập 2 câu hỏi").click()
    page.wait_for_load_state()
    shot(page, "03-imported")

    page.goto(f"{live_server.url}/admin/snippets/assessments/quiz/add/")
    page.fill("#id_title", "Kiểm tra: Zalo an toàn")
    page.select_option("#id_add_questions_from", label="Zalo an toàn")
    shot(page, "04-quiz-form")
    page.get_by_role("button", name="Lưu", exact=True).first.click()
    page.wait_for_load_state()
    from assessments.models import Quiz

    quiz = Quiz.objects.get(title="Kiểm tra: Zalo an toàn")
    assert quiz.slug == "kiem-tra-zalo-an-toan" and quiz.slots.count() == 2

    # 3. Lesson 1: an image whose alt text and caption are typed while autosave runs.
    page.goto(f"{live_server.url}/admin/pages/add/courses/lessonpage/{course.pk}/")
    page.fill("#id_title", "Bài 1: Cài đặt Zalo")
    page.locator(
        "#panel-child-noi_dung-child-body-section button.c-sf-add-button, button.c-sf-add-button"
    ).first.click()
    shot(page, "05a-block-menu")
    page.get_by_role("option", name="Ảnh hoặc infographic").first.click()
    page.locator("[data-chooser-action-choose]").last.click()
    page.locator(".modal a[data-chooser-modal-choice], .modal .image-choice a").first.click()
    # The pop-up closes and the keyboard focus is in the alt text (cms/admin/chooser_focus.js):
    # it used to stay in the fading pop-up, then fall to the page, and what the editor typed
    # meanwhile was lost while the first autosave ran. The editor types at once, at a
    # person's pace, so the keystrokes straddle autosave requests.
    page.wait_for_function("() => !document.querySelector('body > .modal')")
    focused = page.evaluate("() => document.activeElement && document.activeElement.name")
    assert focused and focused.endswith("-value-alt_text"), focused
    page.keyboard.type("Màn hình cài đặt Zalo trên điện thoại", delay=70)
    page.locator("input[name$='-value-caption']").press_sequentially("Bước 1: mở Cài đặt", delay=70)
    shot(page, "05-image-typed")
    wait_saved(page)
    page.get_by_role("button", name="Lưu bản nháp").first.click()
    page.wait_for_load_state()
    shot(page, "06-lesson1-saved")
    lesson1 = LessonPage.objects.get(title="Bài 1: Cài đặt Zalo")
    image = next(b for b in lesson1.get_latest_revision_as_object().body if b.block_type == "image")
    assert image.value["alt_text"] == "Màn hình cài đặt Zalo trên điện thoại"
    assert image.value["caption"] == "Bước 1: mở Cài đặt"

    # 4. Lesson 2: the quiz.
    page.goto(f"{live_server.url}/admin/pages/add/courses/lessonpage/{course.pk}/")
    page.fill("#id_title", "Bài 2: Đăng nhập an toàn")
    page.locator("button.c-sf-add-button").first.click()
    page.get_by_role("option", name="Bài kiểm tra").first.click()
    shot(page, "07a-quiz-block")
    page.locator("[data-chooser-action-choose]").last.click()
    page.locator(".modal a[data-chooser-modal-choice]").filter(
        has_text="Zalo an toàn"
    ).first.click()
    wait_saved(page)
    page.get_by_role("button", name="Lưu bản nháp").first.click()
    page.wait_for_load_state()
    shot(page, "07-lesson2-saved")
    lesson2 = LessonPage.objects.get(title="Bài 2: Đăng nhập an toàn")
    assert lesson1.slug == "bai-1-cai-dat-zalo" and lesson2.slug == "bai-2-dang-nhap-an-toan"

    # 5. One submit: the course with its lessons.
    page.goto(f"{live_server.url}/admin/pages/{course.pk}/edit/")
    page.locator("[data-w-dropdown-target='toggle'], .dropdown-toggle").last.click()
    page.get_by_role("button", name="Gửi khoá học cùng các bài học").click()
    page.wait_for_load_state()
    shot(page, "08-submitted")

    # 6. The moderator sees one item and approves once.
    moderator, moderator_secret = people["moderator"]
    context2 = browser.new_context(locale="vi-VN", **DESKTOP)
    mod = log_in(context2, live_server, moderator, moderator_secret)
    mod.goto(f"{live_server.url}/admin/")
    shot(mod, "09-moderator-dashboard")
    assert "Zalo an toàn cho người dân" in mod.inner_text("body")
    assert "Bài 1: Cài đặt Zalo" not in mod.inner_text("body")
    mod.goto(f"{live_server.url}/admin/pages/{course.pk}/edit/")
    mod.locator("[data-w-dropdown-target='toggle'], .dropdown-toggle").last.click()
    mod.get_by_role("button", name="Phê duyệt").first.click()
    mod.wait_for_load_state()
    time.sleep(1)
    shot(mod, "10-approved")

    # 7. Live at ASCII slugs.
    visitor = browser.new_context(locale="vi-VN", **DESKTOP).new_page()
    response = visitor.goto(f"{live_server.url}/khoa-hoc/zalo-an-toan-cho-nguoi-dan/")
    assert response.status == 200
    text = visitor.inner_text("body")
    assert "Zalo an toàn cho người dân" in text
    assert "Bài 1: Cài đặt Zalo" in text and "Bài 2: Đăng nhập an toàn" in text
    shot(visitor, "11-live-course")
    live_slugs = ["bai-1-cai-dat-zalo", "bai-2-dang-nhap-an-toan"]
    assert LessonPage.objects.filter(live=True, slug__in=live_slugs).count() == 2
    for ctx in (context, context2, visitor.context):
        ctx.close()

"""The Wagtail admin speaks Vietnamese on every screen editors and moderators use.

The catalogue is locale_thirdparty/wagtail/vi (django.po + djangojs.po, kept in step with the
installed Wagtail by locale_thirdparty/tools/merge_wagtail.py). The walk opens each screen as
an editor, a moderator or an admin would and reads every visible label: text, the title,
aria-label, placeholder and alt attributes, the admin's JavaScript strings (wagtailConfig
STRINGS and /admin/jsi18n/). A label equal to one of Wagtail's English messages (with
placeholders filled in: "Choose câu hỏi" is "Choose %(object)s") is a failure.
"""

import json
import re
import uuid
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.courses.conftest import catalogue, course_factory  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale_thirdparty" / "wagtail" / "vi" / "LC_MESSAGES"

pytestmark = pytest.mark.django_db

# --- What counts as English ------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sd]|\{\w*\}")
TAG = re.compile(r"<[^>]+>")
SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return SPACES.sub(" ", text).strip()


@cache
def english_messages() -> tuple[frozenset, re.Pattern | None]:
    """Wagtail's English messages that have a different Vietnamese text: the literal ones as a
    set, those with placeholders as one anchored pattern."""
    literal, patterns = set(), set()
    for domain in ("django", "djangojs"):
        with (CATALOGUE / f"{domain}.po").open("rb") as f:
            messages = read_po(f)
        for message in messages:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            string = message.string[0] if isinstance(message.string, tuple) else message.string
            for msgid in ids:
                if _norm(msgid) == _norm(string or ""):
                    continue  # "Email", "URL", "ID": the same word in both languages
                text = _norm(TAG.sub("", msgid))
                if not PLACEHOLDER.search(text):
                    if re.search(r"[A-Za-z]{2}", text):
                        literal.add(text)
                    continue
                words = PLACEHOLDER.sub("", text)
                if len(re.findall(r"[A-Za-z]", words)) < 5:
                    continue  # "%(label)s: %(value)s" says nothing English on its own
                parts = PLACEHOLDER.split(text)
                patterns.add(".+?".join(re.escape(part) for part in parts))
    combined = re.compile("^(?:" + "|".join(sorted(patterns)) + ")$") if patterns else None
    return frozenset(literal), combined


def english_in(labels) -> list[str]:
    literal, pattern = english_messages()
    found = []
    for label in labels:
        text = _norm(label)
        if not text:
            continue
        if text in literal or (pattern is not None and pattern.match(text)):
            found.append(text)
    return sorted(set(found))


class Labels(HTMLParser):
    """Every label of a page a person sees or hears: each element's whole text, its
    title/aria-label/placeholder/alt, and button values. Script bodies are code, except
    Wagtail's JSON config whose STRINGS the admin's scripts show. Hidden elements count
    (dropdown menus and dialogs are hidden until opened), except the side panels' counters
    that the admin's script fills with a number (Wagtail renders them empty as "None")."""

    ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-w-tooltip-content-value")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.labels: list[str] = []
        self.stack: list[tuple[list[str], bool]] = []
        self.script: list[str] | None = None
        self.script_id = None

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hidden = self._hidden() or "data-side-panel-toggle-counter" in attrs
        if not hidden:
            for name in self.ATTRIBUTES:
                if attrs.get(name):
                    self.labels.append(attrs[name])
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.labels.append(attrs["value"])
        if tag in {"script", "style"}:
            self.script, self.script_id = [], attrs.get("id")
            return
        if tag not in VOID:
            self.stack.append(([], hidden))

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            if self.script_id == "wagtail-config":
                strings = json.loads("".join(self.script)).get("STRINGS", {})
                self.labels.extend(v for v in strings.values() if isinstance(v, str))
            self.script = None
            return
        if tag in VOID or not self.stack:
            return
        parts, hidden = self.stack.pop()
        if hidden:
            return
        text = "".join(parts)
        self.labels.append(text)
        if self.stack:
            self.stack[-1][0].append(" " + text + " ")

    def handle_data(self, data):
        if self.script is not None:
            self.script.append(data)
        elif self.stack:
            self.stack[-1][0].append(data)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


def labels_of(html: str) -> list[str]:
    parser = Labels()
    parser.feed(html)
    parser.close()
    return parser.labels


# --- People and content ------------------------------------------------------------------------


@pytest.fixture
def editor(user_factory):
    from assessments.demo import EDITOR_PERMISSIONS

    user = user_factory(is_staff=True)
    # Wagtail's migrations make the group; get_or_create only for a database another
    # transactional test emptied (the walk with this editor needs its permissions).
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessments", codename__in=EDITOR_PERMISSIONS
        )
    )
    user.groups.add(editors)
    return user


@pytest.fixture
def moderator(user_factory):
    user = user_factory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    return user


@pytest.fixture
def superuser(user_factory):
    return user_factory(is_staff=True, is_superuser=True)


@pytest.fixture
def content(course_factory, editor):  # noqa: F811 - the fixture imported above
    """A course with a lesson awaiting moderation, a quiz with a question, an image and a
    document, a locked page: what an editor's screens list."""
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    from assessments.models import Question, QuestionCategory, Quiz
    from tests.courses.conftest import make_image

    if Collection.get_first_root_node() is None:  # a database a transactional test emptied
        Collection.add_root(name="Gốc")
    course = course_factory(lessons=2, title="An toàn trên Zalo")
    lesson = course.get_children().first().specific
    lesson.save_revision(user=editor)
    workflow = Workflow.objects.create(name="Duyệt khoá học")
    task = GroupApprovalTask.objects.create(name="Người duyệt xem xét")
    task.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=course, defaults={"workflow": workflow})
    workflow.start(lesson, editor)
    lesson.refresh_from_db()
    assert lesson.workflow_in_progress
    course.locked, course.locked_by, course.locked_at = True, editor, timezone.now()
    course.save(update_fields=["locked", "locked_by", "locked_at"])
    category = QuestionCategory.objects.create(name="Zalo")
    question = Question.objects.create(
        category=category, qtype="single", title="Zalo-1", text="Mã OTP có nên gửi cho ai không?"
    )
    quiz = Quiz.objects.create(slug=f"kiem-tra-{uuid.uuid4().hex[:4]}", title="Kiểm tra Zalo")
    image = make_image()
    document = get_document_model().objects.create(
        title="Hướng dẫn", file=ContentFile(b"%PDF-1.4 test", name="huong-dan.pdf")
    )
    other_lesson = course.get_children().last().specific
    return {"course": course, "lesson": lesson, "other_lesson": other_lesson,
            "question": question, "quiz": quiz, "image": image, "document": document,
            "category": category}  # fmt: skip


def editor_screens(c) -> list[str]:
    course, lesson = c["course"], c["lesson"]
    index = course.get_parent()
    snippet = "wagtailsnippets_assessments_{}:{}".format
    return [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=(index.pk,)),
        reverse("wagtailadmin_explore", args=(course.pk,)),
        reverse("wagtailadmin_pages:add_subpage", args=(index.get_parent().pk,)),
        reverse("wagtailadmin_pages:add", args=("courses", "coursepage", index.pk)),
        reverse("wagtailadmin_pages:add", args=("courses", "lessonpage", course.pk)),
        reverse("wagtailadmin_pages:edit", args=(course.pk,)),
        reverse("wagtailadmin_pages:edit", args=(lesson.pk,)),
        reverse("wagtailadmin_pages:history", args=(course.pk,)),
        reverse("wagtailadmin_pages:revisions_revert", args=(course.pk, course.latest_revision_id)),
        reverse("wagtailadmin_pages:revisions_compare", args=(course.pk, "earliest", "latest")),
        reverse("wagtailadmin_pages:usage", args=(course.pk,)),
        reverse("wagtailadmin_pages:workflow_history", args=(lesson.pk,)),
        reverse("wagtailadmin_pages:copy", args=(lesson.pk,)),
        reverse("wagtailadmin_pages:search") + "?q=Zalo",
        reverse("wagtailadmin_choose_page"),
        reverse(snippet("question", "list")),
        reverse(snippet("question", "add")),
        reverse(snippet("question", "edit"), args=(c["question"].pk,)),
        reverse(snippet("question", "history"), args=(c["question"].pk,)),
        reverse(snippet("question", "usage"), args=(c["question"].pk,)),
        reverse(snippet("question", "delete"), args=(c["question"].pk,)),
        reverse("wagtailsnippetchoosers_assessments_question:choose"),
        reverse(snippet("quiz", "list")),
        reverse(snippet("quiz", "add")),
        reverse(snippet("quiz", "edit"), args=(c["quiz"].pk,)),
        reverse(snippet("questioncategory", "list")),
        reverse("assessments_bank:import"),
        reverse("wagtailimages:index"),
        reverse("wagtailimages:add_multiple"),
        reverse("wagtailimages:edit", args=(c["image"].pk,)),
        reverse("wagtailimages:delete", args=(c["image"].pk,)),
        reverse("wagtailimages_chooser:choose"),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:add_multiple"),
        reverse("wagtaildocs:edit", args=(c["document"].pk,)),
        reverse("wagtaildocs_chooser:choose"),
        reverse("wagtailadmin_account"),
    ]


def body_of(response) -> str:
    content = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(content)
        return data.get("html", "") if isinstance(data, dict) else ""
    return content


def walk(client, urls, expected=None) -> dict[str, list[str]]:
    """{url: its English labels} for the screens that have some; `expected` {url: labels}
    are Vietnamese labels those screens must show (the walk reads the right thing)."""
    found = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 200, (url, response.status_code)
        labels = labels_of(body_of(response))
        shown = {_norm(label) for label in labels}
        for label in (expected or {}).get(url, ()):
            assert label in shown, (url, label)
        english = english_in(labels)
        if english:
            found[url] = english
    return found


def test_the_catalogue_covers_every_message_of_the_installed_wagtail():
    """A Wagtail upgrade that brings new messages fails here until they are translated
    (run locale_thirdparty/tools/merge_wagtail.py, translate, make translations)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "merge_wagtail", ROOT / "locale_thirdparty" / "tools" / "merge_wagtail.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    for domain in ("django", "djangojs"):
        merged, stats = tool.build(domain)
        untranslated = [m.id for m in merged if m.id and not tool._string(m)]
        assert untranslated == [], (domain, untranslated[:20])
        assert sum(total for total, _done in stats.values()) > (1500 if domain == "django" else 80)


def test_editor_screens_have_no_english_label(client, editor, content):
    client.force_login(editor)
    edit = reverse("wagtailadmin_pages:edit", args=(content["course"].pk,))
    expected = {
        # The labels issue 22 found in English.
        edit: ["Lưu bản nháp", "Thao tác khác", "Nơi sử dụng"],
        reverse("wagtailimages:index"): ["Thêm ảnh", "Thao tác hàng loạt"],
        # "Choose câu hỏi" was Wagtail's "Choose %(object)s" with our model's name.
        reverse("wagtailsnippetchoosers_assessments_question:choose"): ["Chọn câu hỏi"],
        reverse("wagtailsnippets_assessments_quiz:add"): ["Chọn câu hỏi", "Chọn câu hỏi khác"],
    }
    assert walk(client, editor_screens(content), expected) == {}


def test_moderator_screens_have_no_english_label(client, moderator, content):
    lesson = content["lesson"]
    state = lesson.current_workflow_task_state
    client.force_login(moderator)
    edit = reverse("wagtailadmin_pages:edit", args=(lesson.pk,))
    urls = [
        reverse("wagtailadmin_home"),
        edit,
        reverse("wagtailadmin_pages:history", args=(lesson.pk,)),
        reverse("wagtailadmin_pages:workflow_history", args=(lesson.pk,)),
        reverse("wagtailadmin_reports:workflow"),
        reverse("wagtailadmin_reports:workflow_tasks"),
        # The "Request changes" dialog (its comment box).
        reverse("wagtailadmin_pages:workflow_action", args=(lesson.pk, "reject", state.pk)),
    ]
    expected = {
        urls[0]: ["Đang chờ bạn duyệt"],
        edit: ["Yêu cầu chỉnh sửa", "Phê duyệt và xuất bản"],
    }
    assert walk(client, urls, expected) == {}


def test_wagtails_default_workflow_is_named_in_vietnamese():
    """Its names are data (Wagtail's migration names them after the group): editors saw
    "Gửi duyệt: Moderators approval". cms migration 0004 renames them."""
    from wagtail.models import Collection, Page, Task, Workflow

    assert not Workflow.objects.filter(name__icontains="approval").exists()
    assert not Task.objects.filter(name__icontains="approval").exists()
    workflow = Workflow.objects.get(name="Duyệt trước khi xuất bản")
    assert [t.name for t in workflow.tasks.all()] == ["Người duyệt phê duyệt"]
    # The roots of the page tree and of the collections too (choosers, upload forms).
    assert Page.get_first_root_node().title == "Gốc"
    assert Collection.get_first_root_node().name == "Gốc"


def test_admin_screens_have_no_english_label(client, superuser, content):
    client.force_login(superuser)
    urls = [
        reverse("wagtailadmin_workflows:index"),
        reverse("wagtailadmin_workflows:task_index"),
        reverse("wagtailadmin_collections:index"),
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_groups:index"),
        reverse("wagtailsites:index"),
        reverse("wagtailredirects:index"),
        reverse("wagtailadmin_reports:locked_pages"),
        reverse("wagtailadmin_reports:workflow"),
        reverse("wagtailadmin_reports:workflow_tasks"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_reports:aging_pages"),
        # What a publisher does to pages.
        reverse("wagtailadmin_pages:move", args=(content["other_lesson"].pk,)),
        reverse("wagtailadmin_pages:delete", args=(content["other_lesson"].pk,)),
        reverse("wagtailadmin_pages:unpublish", args=(content["other_lesson"].pk,)),
    ]
    assert walk(client, urls) == {}


def test_the_javascript_catalogue_is_vietnamese(client, editor):
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_javascript_catalog"))
    assert response.status_code == 200
    body = response.content.decode()
    js = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S).group(1))
    with (CATALOGUE / "djangojs.po").open("rb") as f:
        msgids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    missing = sorted(msgid for msgid in msgids if msgid not in js)
    assert missing == []
    assert js["More actions"] == "Thao tác khác"
    assert js["Saving..."] == "Đang lưu..."
    english = english_in(v if isinstance(v, str) else v[0] for v in js.values())
    assert english == []


def test_the_checker_finds_english_labels():
    """The walk's checker itself: a filled-in placeholder and a plain label are found, the
    Vietnamese ones and words that are the same in both languages are not."""
    html = """<button title="More actions">Lưu bản nháp</button><h2>Choose câu hỏi</h2>
              <span>Email</span><label>Save draft</label><p>Chọn câu hỏi</p>
              <div hidden><span title="Delete">None</span></div>
              <div data-side-panel-toggle-counter hidden>None</div>"""
    assert english_in(labels_of(html)) == [
        "Choose câu hỏi", "Delete", "More actions", "None", "Save draft"
    ]  # fmt: skip


# --- In a browser: the labels the admin's JavaScript draws ------------------------------------

DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "vi-VN"}
SHOTS = Path("/tmp")


@pytest.fixture
def desktop_page(browser):
    """A desktop browser context: the Wagtail admin is used on a computer."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def signed_in(page, client, live_server, user):
    """The browser carries the session of `user`'s log-in (with its second factor)."""
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip


def english_on(page, name: str) -> list[str]:
    """The English labels of the page as the browser shows it now (the DOM after its
    scripts ran, open menus and dialogs included); a screenshot for the record."""
    page.screenshot(path=str(SHOTS / f"g-{name}.png"), full_page=True)
    return english_in(labels_of(page.content()))


def open_admin(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_sees_the_editing_screens_in_vietnamese(
    live_server, desktop_page, client, superuser, content
):
    """As an admin (who sees every menu an editor sees, and more): a transactional test
    cannot count on Wagtail's groups, which another such test may have emptied."""
    page, found = desktop_page, {}
    signed_in(page, client, live_server, superuser)
    base = live_server.url
    lesson, course = content["lesson"], content["course"]

    # A new lesson: the StreamField's block menu, a text block's command palette, an image
    # block's chooser, the footer's "more actions" menu.
    add = "wagtailadmin_pages:add"
    open_admin(page, base + reverse(add, args=("courses", "lessonpage", course.pk)))
    page.locator("button.c-sf-add-button").first.click()
    page.locator("[role='option']").first.wait_for()
    found["lesson-new-blocks"] = english_on(page, "lesson-new-blocks")
    page.locator("[role='option']").first.click()  # the first block type: text
    editor_box = page.locator(".public-DraftEditor-content").first
    editor_box.click()
    page.keyboard.type("/")
    page.locator("[role='option']").first.wait_for()
    found["lesson-new-text-commands"] = english_on(page, "lesson-new-text-commands")
    page.keyboard.press("Escape")
    page.keyboard.press("Backspace")
    page.keyboard.type("Mở Zalo, chọn Cá nhân.")
    page.keyboard.press("Shift+Home")
    page.wait_for_timeout(300)
    found["lesson-new-text-toolbar"] = english_on(page, "lesson-new-text-toolbar")
    page.locator("button.c-sf-add-button").last.click()
    page.locator("[role='option']", has_text="Ảnh").first.click()
    page.locator("button.chooser__choose-button:visible").last.click()
    page.locator(".modal-content").first.wait_for()
    page.wait_for_load_state("networkidle")
    found["lesson-new-image-chooser"] = english_on(page, "lesson-new-image-chooser")
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.wait_for_timeout(300)
    found["lesson-new-actions"] = english_on(page, "lesson-new-actions")

    # A lesson in moderation, as its editor sees it; the side panels (status, comments...).
    open_admin(page, base + reverse("wagtailadmin_pages:edit", args=(lesson.pk,)))
    found["lesson-edit"] = english_on(page, "lesson-edit")
    for toggle in page.locator("[data-side-panel-toggle]").all():
        toggle.click()
        page.wait_for_timeout(300)
        found[f"lesson-edit-panel-{toggle.get_attribute('data-side-panel-toggle')}"] = english_on(
            page, f"lesson-edit-panel-{toggle.get_attribute('data-side-panel-toggle')}"
        )

    # A new course, its choosers; the question bank and quiz forms.
    open_admin(
        page,
        base
        + reverse("wagtailadmin_pages:add", args=("courses", "coursepage", course.get_parent().pk)),
    )
    found["course-new"] = english_on(page, "course-new")
    question = "wagtailsnippets_assessments_question"
    for name, url in [
        ("question-new", reverse(f"{question}:add")),
        ("question-edit", reverse(f"{question}:edit", args=(content["question"].pk,))),
        ("quiz-new", reverse("wagtailsnippets_assessments_quiz:add")),
        ("images", reverse("wagtailimages:index")),
        ("images-upload", reverse("wagtailimages:add_multiple")),
        ("documents", reverse("wagtaildocs:index")),
        ("dashboard", reverse("wagtailadmin_home")),
    ]:  # fmt: skip
        open_admin(page, base + url)
        found[name] = english_on(page, name)

    # The sidebar menu opened.
    page.locator("[aria-label='Trình đơn chính'] button, .sidebar-menu-item__link").first.click()
    page.wait_for_timeout(300)
    found["menu"] = english_on(page, "menu")
    assert {name: labels for name, labels in found.items() if labels} == {}

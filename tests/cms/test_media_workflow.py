"""Editorial workflow on the media pages: moderation, scheduled publishing, revisions."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.demo import MEDIA_WORKFLOW_NAME
from cms.models import InfographicImage, InfographicPage, NewsPage

pytestmark = pytest.mark.django_db


def draft_infographic(parent, make_image, owner):
    page = InfographicPage(title="Mật khẩu an toàn", slug="mat-khau", live=False,
                           description="Sáu thói quen.", owner=owner)  # fmt: skip
    page.images = [InfographicImage(image=make_image(), alt_text="Sáu thói quen mật khẩu.")]
    parent.add_child(instance=page)
    return page


def test_media_sections_use_the_moderation_workflow(media_tree, add_infographic, add_news):
    for page in (add_infographic(), add_news(), media_tree["videos"]):
        workflow = page.get_workflow()
        assert workflow is not None and workflow.name == MEDIA_WORKFLOW_NAME
        task = workflow.tasks.get().specific
        assert list(task.groups.values_list("name", flat=True)) == ["Moderators"]


def test_editor_submits_and_a_moderator_approves(client, media_tree, make_image, editor, moderator):
    page = draft_infographic(media_tree["infographics"], make_image, editor)
    assert not page.permissions_for_user(editor).can_publish()
    assert page.permissions_for_user(moderator).can_publish()
    page.save_revision(user=editor)
    state = page.get_workflow().start(page, editor)
    page.refresh_from_db()
    assert page.workflow_in_progress and not page.live
    assert client.get("/infographic/mat-khau/").status_code == 404  # not public yet
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, moderator, "approve")
    page.refresh_from_db()
    assert page.live and not page.workflow_in_progress
    assert client.get("/infographic/mat-khau/").status_code == 200


def test_scheduled_publishing(client, media_tree, add_news):
    page = add_news(title="Bản tin tuần sau", slug="tuan-sau")
    page.unpublish()
    page.refresh_from_db()
    page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live
    assert page.latest_revision.approved_go_live_at == page.go_live_at
    call_command("publish_scheduled")
    assert not NewsPage.objects.get(pk=page.pk).live  # not yet
    an_hour_later = page.go_live_at + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=an_hour_later):
        call_command("publish_scheduled")
    assert NewsPage.objects.get(pk=page.pk).live
    assert client.get(page.url).status_code == 200


def test_revisions_keep_the_live_page_until_published(client, add_news):
    page = add_news(title="Tin gốc", slug="goc")
    count = page.revisions.count()
    page.title = "Tin đã sửa"
    page.save_revision()
    assert page.revisions.count() == count + 1
    assert "Tin gốc" in client.get("/tin-tuc/goc/").content.decode()
    page.get_latest_revision().publish()
    assert "Tin đã sửa" in client.get("/tin-tuc/goc/").content.decode()

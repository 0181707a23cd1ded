"""Wagtail's default workflow and task are data, named in English by its migration 0048
("Moderators approval", from the group's name): editors saw "Gửi duyệt: Moderators approval"
and moderators "Moderators approval" in every report. So are the tree's root page and the
root collection, both "Root" (the page chooser's breadcrumbs, "Thêm vào bộ sưu tập: Root"
when uploading). Named in Vietnamese
here when they still have Wagtail's name (a name an admin chose is kept)."""

from django.db import migrations

ENGLISH = "Moderators approval"
WORKFLOW = "Duyệt trước khi xuất bản"
TASK = "Người duyệt phê duyệt"
ROOT = "Gốc"


def to_vietnamese(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=ENGLISH).update(name=WORKFLOW)
    apps.get_model("wagtailcore", "Task").objects.filter(name=ENGLISH).update(name=TASK)
    root = apps.get_model("wagtailcore", "Page").objects.filter(depth=1, title="Root")
    root.update(title=ROOT, draft_title=ROOT)
    apps.get_model("wagtailcore", "Collection").objects.filter(depth=1, name="Root").update(
        name=ROOT
    )


def to_english(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW).update(name=ENGLISH)
    apps.get_model("wagtailcore", "Task").objects.filter(name=TASK).update(name=ENGLISH)
    root = apps.get_model("wagtailcore", "Page").objects.filter(depth=1, title=ROOT)
    root.update(title="Root", draft_title="Root")
    apps.get_model("wagtailcore", "Collection").objects.filter(depth=1, name=ROOT).update(
        name="Root"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_media_library_pages_and_video_renditions"),
        ("wagtailcore", "0048_add_default_workflows"),
    ]

    operations = [migrations.RunPython(to_vietnamese, to_english)]

"""Drafts may leave fields empty (Wagtail defers required fields when a draft is saved;
only publishing validates). Autosave had stored course drafts with an audience row not
chosen yet (""), which made every later save fail with "'' is not a valid Audience".

- The one-audience-per-course constraint now ignores rows not chosen yet.
- Repair: the empty audience rows are dropped from the stored revisions of courses and
  from the table (they carried nothing; the editor chooses the audience again).
"""

from django.db import migrations, models


def repair_drafts(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    CourseAudience = apps.get_model("courses", "CourseAudience")
    course_type = ContentType.objects.filter(app_label="courses", model="coursepage").first()
    if course_type is not None:
        revisions = Revision.objects.filter(content_type=course_type)
        for revision in revisions.only("pk", "content").iterator(chunk_size=500):
            content = revision.content or {}
            links = content.get("audience_links")
            if not isinstance(links, list):
                continue
            kept = [link for link in links if (link or {}).get("audience")]
            if len(kept) != len(links):
                content["audience_links"] = kept
                Revision.objects.filter(pk=revision.pk).update(content=content)
    CourseAudience.objects.filter(audience="").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_course_pages_enrolment_progress"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="courseaudience",
            name="course_audience_unique",
        ),
        migrations.AddConstraint(
            model_name="courseaudience",
            constraint=models.UniqueConstraint(
                condition=models.Q(("audience", ""), _negated=True),
                fields=("course", "audience"),
                name="course_audience_unique",
            ),
        ),
        migrations.RunPython(repair_drafts, migrations.RunPython.noop),
    ]

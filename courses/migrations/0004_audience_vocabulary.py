"""Courses take the one audience vocabulary (cms.vocabularies.Audience, the four groups of
QĐ 757/QĐ-BKHCN). Its keys are the ones courses stored; only "leaders" goes: leaders of
state agencies belong to the first group, so a course's "leaders" row becomes
"civil_servants" (dropped when the course already has that row), in the table and in the
course's stored revisions (drafts). Not reversible in the data (a leaders row cannot be
told from a civil servants row afterwards); backwards leaves the rows as they are."""

from django.db import migrations, models

from cms.datamigrations import rewrite_revisions

OLD, NEW = "leaders", "civil_servants"


def _merge(links):
    """The rows (dicts) with OLD made NEW, the duplicates that makes dropped (first kept)."""
    kept, seen = [], set()
    for link in links:
        if isinstance(link, dict) and link.get("audience") == OLD:
            link = {**link, "audience": NEW}
        code = link.get("audience") if isinstance(link, dict) else None
        if code and code in seen:
            continue
        seen.add(code)
        kept.append(link)
    return kept


def leaders_to_civil_servants(apps, schema_editor):
    CourseAudience = apps.get_model("courses", "CourseAudience")
    rows = CourseAudience.objects.filter(audience=OLD)
    CourseAudience.objects.filter(
        audience=OLD,
        course_id__in=CourseAudience.objects.filter(audience=NEW).values("course_id"),
    ).delete()
    rows.update(audience=NEW)

    def change(content):
        links = content.get("audience_links")
        if not isinstance(links, list) or not any(
            isinstance(link, dict) and link.get("audience") == OLD for link in links
        ):
            return False
        content["audience_links"] = _merge(links)
        return True

    rewrite_revisions(apps, "courses", "coursepage", change)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_course_approval_task"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="courseaudience",
            name="audience",
            field=models.CharField(
                choices=[
                    ("civil_servants", "Civil servants, public employees and state workers"),
                    ("enterprise_workers", "Enterprise workers"),
                    ("citizens", "Citizens"),
                    ("pupils", "Pupils and students"),
                ],
                max_length=30,
                verbose_name="audience",
            ),
        ),
        migrations.RunPython(leaders_to_civil_servants, migrations.RunPython.noop),
    ]

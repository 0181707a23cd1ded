"""One moderation round per course: CourseApprovalTask, and the catalogue's courses and
lessons put under a "Duyệt khoá học" workflow made of it (for the Moderators group)."""

import django.db.models.deletion
from django.db import migrations, models


def course_workflow(apps, schema_editor):
    CourseIndexPage = apps.get_model("courses", "CourseIndexPage")
    indexes = list(CourseIndexPage.objects.all())
    if not indexes:
        return  # a new database: the demo (courses.services.course_workflow_ensure) does it
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    CourseApprovalTask = apps.get_model("courses", "CourseApprovalTask")
    name = "Duyệt khoá học"
    content_type, _ = ContentType.objects.get_or_create(
        app_label="courses", model="courseapprovaltask"
    )
    workflow, _ = Workflow.objects.get_or_create(name=name)
    task = CourseApprovalTask.objects.create(name=name, content_type=content_type)
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    task.groups.add(moderators)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for index in indexes:
        WorkflowPage.objects.update_or_create(page_id=index.pk, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("courses", "0002_drafts_may_leave_fields_empty"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="CourseApprovalTask",
            fields=[
                (
                    "task_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.task",
                    ),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        help_text="Pages/snippets at this step in a workflow will be moderated or approved by these groups of users",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
            ],
            options={
                "verbose_name": "course approval task",
                "verbose_name_plural": "course approval tasks",
            },
            bases=("wagtailcore.task",),
        ),
        migrations.RunPython(course_workflow, migrations.RunPython.noop),
    ]

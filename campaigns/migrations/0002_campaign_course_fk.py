# The required course points at courses.CoursePage (its page id is the same as the Wagtail
# page's, so existing rows keep their value) once the courses floor has its page model.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_agencies_learners_campaigns"),
        ("courses", "0001_course_pages_enrolment_progress"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="campaigncourse", name="campaign_course_unique"),
        migrations.RenameField(
            model_name="campaigncourse", old_name="course_page", new_name="course"
        ),
        migrations.AlterField(
            model_name="campaigncourse",
            name="course",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="campaign_requirements",
                to="courses.coursepage",
                verbose_name="course",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaigncourse",
            constraint=models.UniqueConstraint(
                fields=("campaign", "course"), name="campaign_course_unique"
            ),
        ),
    ]

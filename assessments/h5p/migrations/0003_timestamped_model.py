"""The timestamps come from the one cms.models.TimestampedModel: their verbose names only
(no SQL: `sqlmigrate` prints "no-op")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("h5p", "0002_max_score_from_package_or_editor"),
    ]

    operations = [
        migrations.AlterField(
            model_name="h5plaunch",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="h5plaunch",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AlterField(
            model_name="h5plibrary",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="h5plibrary",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AlterField(
            model_name="h5ppackage",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="h5ppackage",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
    ]

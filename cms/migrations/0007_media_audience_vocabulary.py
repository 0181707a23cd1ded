"""Media pages take the one audience vocabulary (cms.vocabularies.Audience, the four groups
of QĐ 757/QĐ-BKHCN). Stored values move, in the pages' rows and in their stored revisions
(drafts): "everyone" becomes blank (for everyone), "students" pupils, "businesses"
enterprise_workers, "elderly" citizens. Backwards: blank is "everyone" again, pupils
"students", enterprise_workers "businesses" (older people stay citizens)."""

from django.db import migrations, models

from cms.datamigrations import rewrite_revisions

FORWARD = {"everyone": "", "students": "pupils", "businesses": "enterprise_workers",
           "elderly": "citizens"}  # fmt: skip
BACKWARD = {"": "everyone", "pupils": "students", "enterprise_workers": "businesses"}
MODELS = ("infographicpage", "videopage")


def _move(apps, mapping):
    for model_name in MODELS:
        model = apps.get_model("cms", model_name)
        for old, new in mapping.items():
            model.objects.filter(audience=old).update(audience=new)

        def change(content):
            if content.get("audience") in mapping:
                content["audience"] = mapping[content["audience"]]
                return True
            return False

        rewrite_revisions(apps, "cms", model_name, change)


def forward(apps, schema_editor):
    _move(apps, FORWARD)


def backward(apps, schema_editor):
    _move(apps, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_outbox_message"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="infographicpage",
            name="audience",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Everyone"),
                    ("civil_servants", "Civil servants, public employees and state workers"),
                    ("enterprise_workers", "Enterprise workers"),
                    ("citizens", "Citizens"),
                    ("pupils", "Pupils and students"),
                ],
                default="",
                max_length=20,
                verbose_name="audience",
            ),
        ),
        migrations.AlterField(
            model_name="videopage",
            name="audience",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Everyone"),
                    ("civil_servants", "Civil servants, public employees and state workers"),
                    ("enterprise_workers", "Enterprise workers"),
                    ("citizens", "Citizens"),
                    ("pupils", "Pupils and students"),
                ],
                default="",
                max_length=20,
                verbose_name="audience",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]

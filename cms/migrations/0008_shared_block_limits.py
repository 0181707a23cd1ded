"""Lesson and news body blocks: the shared cms.blocks limits (alt text 1000, caption 300)
and labels; StreamField definitions only, no SQL and no stored value changes."""

import wagtail.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0007_media_audience_vocabulary"),
    ]

    operations = [
        migrations.AlterField(
            model_name="newspage",
            name="body",
            field=wagtail.fields.StreamField(
                [("paragraph", 0), ("image", 4), ("video", 6), ("callout", 9)],
                blank=True,
                block_lookup={
                    0: ("cms.blocks.SafeRichTextBlock", (), {}),
                    1: ("wagtail.images.blocks.ImageChooserBlock", (), {"label": "image"}),
                    2: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {
                            "help_text": "Say what the image shows and teaches, for people who cannot see it.",
                            "label": "alt text",
                            "max_length": 1000,
                        },
                    ),
                    3: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "caption", "max_length": 300, "required": False},
                    ),
                    4: (
                        "wagtail.blocks.StructBlock",
                        [[("image", 1), ("alt_text", 2), ("caption", 3)]],
                        {},
                    ),
                    5: (
                        "wagtail.snippets.blocks.SnippetChooserBlock",
                        ("cms.Video",),
                        {"label": "video"},
                    ),
                    6: ("wagtail.blocks.StructBlock", [[("video", 5), ("caption", 3)]], {}),
                    7: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {"choices": [("tip", "Tip"), ("warning", "Warning")], "label": "kind"},
                    ),
                    8: ("wagtail.blocks.TextBlock", (), {"label": "text"}),
                    9: ("wagtail.blocks.StructBlock", [[("kind", 7), ("text", 8)]], {}),
                },
                verbose_name="body",
            ),
        ),
    ]

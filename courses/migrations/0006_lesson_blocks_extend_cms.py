"""Lesson and news body blocks: the shared cms.blocks limits (alt text 1000, caption 300)
and labels; StreamField definitions only, no SQL and no stored value changes."""

import wagtail.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_timestamped_model"),
    ]

    operations = [
        migrations.AlterField(
            model_name="lessonpage",
            name="body",
            field=wagtail.fields.StreamField(
                [
                    ("text", 0),
                    ("image", 5),
                    ("video", 8),
                    ("document", 11),
                    ("callout", 15),
                    ("quiz", 18),
                    ("h5p", 21),
                ],
                blank=True,
                block_lookup={
                    0: ("courses.blocks.SanitisedRichTextBlock", (), {}),
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
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {
                            "default": True,
                            "label": "offer a download of the original",
                            "required": False,
                        },
                    ),
                    5: (
                        "wagtail.blocks.StructBlock",
                        [[("image", 1), ("alt_text", 2), ("caption", 3), ("allow_download", 4)]],
                        {},
                    ),
                    6: (
                        "wagtail.snippets.blocks.SnippetChooserBlock",
                        ("cms.Video",),
                        {"label": "video", "required": False},
                    ),
                    7: (
                        "wagtail.blocks.URLBlock",
                        (),
                        {"label": "or an external video address", "required": False},
                    ),
                    8: (
                        "wagtail.blocks.StructBlock",
                        [[("video", 6), ("embed_url", 7), ("caption", 3)]],
                        {},
                    ),
                    9: (
                        "wagtail.documents.blocks.DocumentChooserBlock",
                        (),
                        {"label": "document (PDF)"},
                    ),
                    10: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "link text", "max_length": 200, "required": False},
                    ),
                    11: ("wagtail.blocks.StructBlock", [[("document", 9), ("title", 10)]], {}),
                    12: (
                        "wagtail.blocks.ChoiceBlock",
                        [],
                        {
                            "choices": [
                                ("tip", "Tip"),
                                ("warning", "Warning"),
                                ("remember", "Remember"),
                            ],
                            "label": "kind",
                        },
                    ),
                    13: (
                        "wagtail.blocks.CharBlock",
                        (),
                        {"label": "title", "max_length": 200, "required": False},
                    ),
                    14: (
                        "courses.blocks.SanitisedRichTextBlock",
                        (),
                        {"features": ["bold", "italic", "link", "ul"], "label": "text"},
                    ),
                    15: (
                        "wagtail.blocks.StructBlock",
                        [[("kind", 12), ("title", 13), ("text", 14)]],
                        {},
                    ),
                    16: (
                        "wagtail.snippets.blocks.SnippetChooserBlock",
                        ("assessments.Quiz",),
                        {"label": "quiz"},
                    ),
                    17: (
                        "wagtail.blocks.BooleanBlock",
                        (),
                        {
                            "default": True,
                            "label": "required to complete the lesson",
                            "required": False,
                        },
                    ),
                    18: ("wagtail.blocks.StructBlock", [[("quiz", 16), ("required", 17)]], {}),
                    19: (
                        "wagtail.snippets.blocks.SnippetChooserBlock",
                        ("h5p.H5PPackage",),
                        {"label": "H5P package"},
                    ),
                    20: (
                        "wagtail.blocks.IntegerBlock",
                        (),
                        {"default": 60, "label": "pass mark (%)", "max_value": 100, "min_value": 0},
                    ),
                    21: (
                        "wagtail.blocks.StructBlock",
                        [[("package", 19), ("pass_percent", 20), ("required", 17)]],
                        {},
                    ),
                },
                verbose_name="body",
            ),
        ),
    ]

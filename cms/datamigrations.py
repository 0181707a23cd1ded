"""Helpers for data migrations (pure functions of the historical models `apps` gives).

A page's drafts live in Wagtail's revisions as JSON: a data migration that changes a stored
value must change it there too, or publishing an old draft brings the old value back.
"""


def rewrite_revisions(apps, app_label: str, model_name: str, change) -> int:
    """Apply `change(content) -> bool` (True when it changed the dict in place) to every
    stored revision of the page model; saves only the changed ones. Returns their number."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first()
    if content_type is None:  # a fresh database: nothing stored yet
        return 0
    changed = 0
    revisions = Revision.objects.filter(content_type=content_type).only("pk", "content")
    for revision in revisions.iterator(chunk_size=500):
        content = revision.content
        if isinstance(content, dict) and change(content):
            Revision.objects.filter(pk=revision.pk).update(content=content)
            changed += 1
    return changed

"""Slugs are ASCII from now on (WAGTAIL_ALLOW_UNICODE_SLUGS = False). Pages saved before
with a Unicode slug ("zalo-an-toàn", served percent-encoded) get its folded form
("zalo-an-toan", cms.text.ascii_slug, unique among siblings); their url_path and their
descendants' follow, the stored revisions carry the new slug (publishing an old draft
does not bring the old one back), and every old address redirects permanently
(wagtail.contrib.redirects) to the page, so shared links and QR codes keep working."""

from django.db import migrations


def _unique(base, taken):
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def ascii_slugs(apps, schema_editor):
    from cms.text import ascii_slug  # a pure function: safe in a migration

    Page = apps.get_model("wagtailcore", "Page")
    Revision = apps.get_model("wagtailcore", "Revision")
    Site = apps.get_model("wagtailcore", "Site")
    Redirect = apps.get_model("wagtailredirects", "Redirect")
    ids = [
        pk
        for pk, slug in Page.objects.order_by("depth", "path").values_list("pk", "slug")
        if not slug.isascii()
    ]
    sites = [(site, Page.objects.get(pk=site.root_page_id).url_path) for site in Site.objects.all()]
    for pk in ids:  # parents first: a child is read after its parent's url_path changed
        page = Page.objects.get(pk=pk)
        siblings = Page.objects.filter(path__startswith=page.path[:-4], depth=page.depth)
        taken = set(siblings.exclude(pk=pk).values_list("slug", flat=True))
        new_slug = _unique(ascii_slug(page.slug) or f"trang-{pk}", taken)
        old_url_path = page.url_path or ""
        new_url_path = f"{old_url_path[: -(len(page.slug) + 1)]}{new_slug}/"
        for node in Page.objects.filter(path__startswith=page.path).order_by("path"):
            old_node_path = node.url_path or ""
            node.url_path = new_url_path + old_node_path[len(old_url_path) :]
            if node.pk == pk:
                node.slug = new_slug
            node.save(update_fields=["url_path", "slug"] if node.pk == pk else ["url_path"])
            for site, root_path in sites:
                if old_node_path.startswith(root_path):
                    old_path = "/" + old_node_path[len(root_path) :].rstrip("/")
                    Redirect.objects.get_or_create(
                        old_path=old_path,
                        site=site,
                        defaults={"redirect_page_id": node.pk, "is_permanent": True},
                    )
        for revision in Revision.objects.filter(object_id=str(pk)).only("pk", "content"):
            content = revision.content or {}
            if content.get("pk") == pk or "slug" in content:
                content["slug"] = new_slug
                content["url_path"] = new_url_path
                Revision.objects.filter(pk=revision.pk).update(content=content)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_default_workflow_named_in_vietnamese"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(ascii_slugs, migrations.RunPython.noop)]

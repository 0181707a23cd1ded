"""The project's own Wagtail admin pages (views rendering wagtailadmin/generic/base.html)
and their menu entries."""

from __future__ import annotations

from wagtail.admin.menu import MenuItem


class SuperuserMenuItem(MenuItem):
    """An admin menu entry only superusers see (H5P libraries, privacy requests)."""

    def is_shown(self, request):
        return request.user.is_superuser


def admin_heading(title, icon: str | None = None) -> dict:
    """The context of a page's heading. Wagtail 8's generic base puts `header_title` in the
    browser's tab and, on a page without breadcrumbs, `page_title` in the <h1>: a view that
    sets only the first shows an empty heading (walker finding 8)."""
    context = {"header_title": title, "page_title": title}
    if icon:
        context["header_icon"] = icon
    return context

"""Pieces of a page that are the same for everyone who shares a few values, rendered once
per process (issue 16): the links and words of base.html's header and footer.

    {% load fragments %}
    {% fragment_memo user.is_authenticated campaign_manager %}...{% end_fragment_memo %}

The markup between the tags is rendered the first time and then served as it was for the
same values (each turned into its str), the same language, script prefix and URL
configuration. Use it only around markup that depends on nothing else: links from
`{% url %}` and `{% static %}`, translated words, the named flags; never a name, a count, a
CSRF token, the request's path or anything of a page (these stay outside the tags, see
base.html). URLs, static file names and translations do not change while a process runs;
a setting changed (tests) starts new memos. The memo lives on the template node: a
template reloaded while developing is a new node with an empty memo. Variables set inside
(`{% url ... as x %}`) are not set on a memo hit.
"""

from __future__ import annotations

import itertools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()

# Variants per fragment before its memo starts afresh: a handful in practice (languages x
# signed in or not x manager or not); the bound only keeps a mistake from growing memory.
FRAGMENT_VARIANTS = 256

_epoch = itertools.count()
_current_epoch = [next(_epoch)]


def _settings_changed(**_kwargs) -> None:
    _current_epoch[0] = next(_epoch)


setting_changed.connect(_settings_changed, dispatch_uid="cms.fragments.settings_changed")


class FragmentMemoNode(template.Node):
    def __init__(self, nodelist, values):
        self.nodelist = nodelist
        self.values = values
        self.memo: dict[tuple, str] = {}

    def render(self, context):
        key = (
            _current_epoch[0],
            get_language(),
            get_script_prefix(),
            get_urlconf(),
            settings.ROOT_URLCONF,
            # str(): a lazy flag (campaign_manager) is evaluated here and not kept.
            *(str(value.resolve(context)) for value in self.values),
        )
        html = self.memo.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(self.memo) >= FRAGMENT_VARIANTS:
                self.memo.clear()
            self.memo[key] = html
        return html


@register.tag
def fragment_memo(parser, token):
    """{% fragment_memo [value ...] %}...{% end_fragment_memo %} (see the module)."""
    values = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("end_fragment_memo",))
    parser.delete_first_token()
    return FragmentMemoNode(nodelist, values)

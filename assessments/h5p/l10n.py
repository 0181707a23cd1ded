"""H5P's own interface words in the site's language (issue 22: "You got 1 of 1 points").

An H5P package carries the words of its buttons, feedback and score lines inside its
content.json, in the language it was made in, and the `language/vi.json` files that
libraries ship are untranslated copies of the English. So when the player asks for
content.json, each string that equals an English default declared by one of the package's
own libraries (a `text` field's "default" in its semantics.json) is replaced by our
translation of that default (`pgettext("h5p", ...)`, catalogue in locale_thirdparty/h5p).
Text the author wrote (questions, answers, their own feedback) never equals a default and is
left as it is; a default the author changed is left as the author wrote it. A package made in
the site's language is served untouched.
"""

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

from assessments.h5p import storage
from assessments.h5p.models import H5PLibrary, H5PPackage


@lru_cache(maxsize=512)
def _library_defaults(files_sha256: str) -> frozenset[str]:
    """The English defaults of one library's text fields (its files never change: the
    folder is content-addressed, so the cache needs no invalidation)."""
    path = Path(storage.library_path(files_sha256)) / "semantics.json"
    try:
        semantics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            default = node.get("default")
            if node.get("type") == "text" and isinstance(default, str) and default.strip():
                found.add(default)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(semantics)
    return frozenset(found)


def package_defaults(package: H5PPackage) -> frozenset[str]:
    """The interface defaults of every library the package uses (one query)."""
    keys = set(package.dependency_keys)
    if not keys:
        return frozenset()
    shas = [
        library.files_sha256
        for library in H5PLibrary.objects.filter(
            machine_name__in={k[0] for k in keys}, status=H5PLibrary.Status.APPROVED
        ).only("machine_name", "major_version", "minor_version", "files_sha256")
        if (library.machine_name, library.major_version, library.minor_version) in keys
    ]
    return frozenset().union(*(_library_defaults(sha) for sha in shas))


def localize(params, defaults: frozenset[str]):
    """A copy of `params` with every interface default translated (active language)."""
    if isinstance(params, dict):
        return {key: localize(value, defaults) for key, value in params.items()}
    if isinstance(params, list):
        return [localize(value, defaults) for value in params]
    if isinstance(params, str) and params in defaults:
        return pgettext("h5p", params)
    return params


def content_json(package: H5PPackage, raw: bytes) -> bytes:
    """content.json as the player receives it: interface words in the site's language."""
    language = settings.LANGUAGE_CODE
    if (package.h5p_json or {}).get("language", "").split("-")[0] == language.split("-")[0]:
        return raw
    try:
        params = json.loads(raw)
    except ValueError:
        return raw
    with translation.override(language):
        localized = localize(params, package_defaults(package))
    return json.dumps(localized, ensure_ascii=False).encode("utf-8")

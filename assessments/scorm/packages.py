"""Which kind of package a file is, and its verdict: what `manage.py package_check` prints and
what an upload of either kind is told when it chose the wrong one.

A zip with h5p.json at its root is checked as H5P, one with imsmanifest.xml as SCORM; any
other file as its name suggests (.h5p as H5P, anything else as SCORM), so that its first
reason says what it is not.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from assessments.h5p import validation as h5p_validation
from assessments.h5p.validation import PoolView
from assessments.scorm import validation as scorm_validation

H5P = "h5p"


@dataclass
class Verdict:
    kind: str = ""  # "h5p", "scorm12" or "scorm2004" once accepted
    title: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def line(self) -> str:
        if self.ok:
            return f"ok {self.kind} {self.title}"
        return "refused " + " ".join(self.errors)


def _root_markers(path: Path) -> set[str]:
    """h5p.json and imsmanifest.xml, when at the archive's root (the directory only)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()
    return names & {"h5p.json", scorm_validation.MANIFEST}


def package_verdict(path, *, pool: PoolView | None = None) -> Verdict:
    """Check one file as H5P or SCORM (module docstring). Never writes, never raises."""
    path = Path(path)
    markers = _root_markers(path)
    as_h5p = "h5p.json" in markers or (
        scorm_validation.MANIFEST not in markers and path.suffix.lower() == ".h5p"
    )
    if as_h5p:
        inspection = h5p_validation.inspect_package(path, pool=pool)
        title = inspection.h5p_json.get("title", "") if inspection.ok else ""
        return Verdict(kind=H5P, title=str(title), errors=inspection.errors)
    found = scorm_validation.inspect_package(path)
    return Verdict(kind=found.version, title=found.title, errors=found.errors)

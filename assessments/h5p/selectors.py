"""Reads of the H5P app that cross relations."""

from dataclasses import dataclass, field

from assessments.h5p.models import H5PLibrary, H5PPackage


@dataclass
class PackageStatus:
    status: str
    label: str
    reasons: list[str] = field(default_factory=list)
    pending_libraries: list[H5PLibrary] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # needed, neither approved nor pending
    playable: bool = False


def package_admin_status(package: H5PPackage) -> PackageStatus:
    """What the admin sees about one package (a constant 2 queries)."""
    result = PackageStatus(
        status=package.status,
        label=package.get_status_display(),
        reasons=package.error_messages,
    )
    if package.status != H5PPackage.Status.READY:
        return result
    keys = set(package.dependency_keys)
    rows = list(
        H5PLibrary.objects.filter(machine_name__in={k[0] for k in keys}).order_by(
            "machine_name", "major_version", "minor_version", "-patch_version"
        )
    )
    approved = {
        (r.machine_name, r.major_version, r.minor_version)
        for r in rows
        if r.status == H5PLibrary.Status.APPROVED
    }
    for key in sorted(keys - approved):
        pending = [
            r
            for r in rows
            if (r.machine_name, r.major_version, r.minor_version) == key
            and r.status == H5PLibrary.Status.PENDING
        ]
        if pending:
            result.pending_libraries.append(pending[0])
        else:
            result.missing.append(f"{key[0]} {key[1]}.{key[2]}")
    result.playable = not result.pending_libraries and not result.missing
    return result


def libraries_for_admin():
    """Every library version, pending first (the pool page)."""
    return H5PLibrary.objects.select_related("first_package", "approved_by").order_by(
        "status", "machine_name", "-major_version", "-minor_version", "-patch_version"
    )

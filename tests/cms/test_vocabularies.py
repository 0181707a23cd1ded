"""One audience vocabulary (cms.vocabularies): the four national groups, the campaign
sub-groups mapped onto them, Vietnamese labels."""

import pytest
from django.utils import translation

from cms.vocabularies import AUDIENCE_OR_EVERYONE, Audience, Subgroup


def test_four_national_groups():
    assert Audience.values == ["civil_servants", "enterprise_workers", "citizens", "pupils"]


def test_every_subgroup_belongs_to_one_group():
    assert {sub: Subgroup.audience_of(sub) for sub in Subgroup.values} == {
        "leader": "civil_servants",
        "civil_servant": "civil_servants",
        "public_employee": "civil_servants",
        "worker": "civil_servants",
        "enterprise_worker": "enterprise_workers",
        "citizen": "citizens",
        "pupil_student": "pupils",
    }
    assert Subgroup.WORKER.audience == Audience.CIVIL_SERVANTS
    assert Subgroup.of_audience(Audience.CITIZENS) == ["citizen"]
    # Each group has at least one sub-group; the sub-groups partition the groups.
    assert sorted(sum((Subgroup.of_audience(a) for a in Audience), [])) == sorted(Subgroup.values)
    with pytest.raises(ValueError):
        Subgroup.audience_of("civil_servants")


def test_vietnamese_labels():
    with translation.override("vi"):
        assert [str(label) for label in Audience.labels] == [
            "Cán bộ, công chức, viên chức, người lao động khu vực nhà nước",
            "Người lao động trong doanh nghiệp",
            "Người dân",
            "Học sinh, sinh viên",
        ]
        assert [str(label) for label in Subgroup.labels] == [
            "Lãnh đạo", "Công chức", "Viên chức", "Người lao động trong cơ quan nhà nước",
            "Lao động doanh nghiệp", "Người dân", "Học sinh, sinh viên",
        ]  # fmt: skip
        assert str(AUDIENCE_OR_EVERYONE[0][1]) == "Mọi người"


def test_one_audience_class_in_cms_and_courses():
    """cms and courses define no audience vocabulary of their own (campaigns adopts it in
    its own change: then a grep for the class definition finds only cms/vocabularies.py)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"^\s*class " + r"Audience\w*\(", re.MULTILINE)
    defined = sorted(
        str(path.relative_to(root))
        for path in root.glob("*/**/*.py")
        if path.relative_to(root).parts[0] not in (".venv", "node_modules")
        and pattern.search(path.read_text())
    )
    campaigns_until_it_switches = {p for p in defined if p.startswith("campaigns/models")}
    assert set(defined) - campaigns_until_it_switches == {"cms/vocabularies.py"}
    assert defined.count("cms/vocabularies.py") == 1
    assert len(re.findall(pattern, (root / "cms/vocabularies.py").read_text())) == 1

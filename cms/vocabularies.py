"""The project's shared vocabularies: one definition for every app (cms is the ground floor).

Audience: the four target groups of the national framework (QĐ 757/QĐ-BKHCN):
  - civil_servants      cán bộ, công chức, viên chức, người lao động in state agencies
  - enterprise_workers  người lao động in enterprises
  - citizens            người dân
  - pupils              học sinh, sinh viên
The keys are the ones courses stored before (so course rows keep theirs). Media pages
(cms) and course pages use this class.

Subgroup: the finer groups a learner's profile, a headcount or a campaign target records
(campaigns); each belongs to exactly one Audience (`Subgroup.audience_of`, `.audience` on a
member). The keys are the ones campaigns stored before. (Not named "AudienceSubgroup", so
that a search for the Audience class definition finds one.)

Older words and where they went (data migrations cms 0007, courses 0004):
  - "everyone" (media): no value. A media page with a blank audience is for everyone;
    its choices show blank as "Everyone" (`AUDIENCE_OR_EVERYONE`).
  - "businesses" (media, "businesses and household businesses"): enterprise_workers.
  - "elderly" (media, "older people"): citizens (the framework has no age group; older
    people are reached as citizens).
  - "students" (media): pupils.
  - "leaders" (courses): civil_servants. The framework counts leaders of state agencies
    among its first group; campaigns keep "leader" as a sub-group of it, and courses for
    leaders are marked by their topic (Topic.DIGITAL_LEADERSHIP).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """The four target groups of QĐ 757/QĐ-BKHCN."""

    CIVIL_SERVANTS = "civil_servants", _("Civil servants, public employees and state workers")
    ENTERPRISE_WORKERS = "enterprise_workers", _("Enterprise workers")
    CITIZENS = "citizens", _("Citizens")
    PUPILS = "pupils", _("Pupils and students")


# Choices of a field where blank means "for everyone" (media pages).
AUDIENCE_OR_EVERYONE = [("", _("Everyone")), *Audience.choices]


class Subgroup(models.TextChoices):
    """The sub-groups campaigns record; the first four make up Audience.CIVIL_SERVANTS."""

    LEADER = "leader", _("Leader")
    CIVIL_SERVANT = "civil_servant", _("Civil servant")
    PUBLIC_EMPLOYEE = "public_employee", _("Public employee")
    WORKER = "worker", _("Worker of a state agency")
    ENTERPRISE_WORKER = "enterprise_worker", _("Enterprise worker")
    CITIZEN = "citizen", _("Citizen")
    PUPIL_STUDENT = "pupil_student", _("Pupil or student")

    @classmethod
    def audience_of(cls, subgroup: str) -> str:
        """The Audience a sub-group (its key) belongs to; ValueError for an unknown key."""
        return SUBGROUP_AUDIENCE[cls(subgroup)]

    @classmethod
    def of_audience(cls, audience: str) -> list[str]:
        """The sub-groups (keys, in declaration order) that make up an Audience."""
        return [sub for sub, group in SUBGROUP_AUDIENCE.items() if group == audience]

    @property
    def audience(self) -> "Audience":
        return SUBGROUP_AUDIENCE[self]


SUBGROUP_AUDIENCE = {
    Subgroup.LEADER: Audience.CIVIL_SERVANTS,
    Subgroup.CIVIL_SERVANT: Audience.CIVIL_SERVANTS,
    Subgroup.PUBLIC_EMPLOYEE: Audience.CIVIL_SERVANTS,
    Subgroup.WORKER: Audience.CIVIL_SERVANTS,
    Subgroup.ENTERPRISE_WORKER: Audience.ENTERPRISE_WORKERS,
    Subgroup.CITIZEN: Audience.CITIZENS,
    Subgroup.PUPIL_STUDENT: Audience.PUPILS,
}

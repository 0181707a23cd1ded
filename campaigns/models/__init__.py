"""The campaigns app's models, in three parts (one module each), re-exported here as
Wagtail's own `wagtail/models/` does, so `from campaigns.models import X` works for every
app and migration:

- `agencies`: the tree of agencies, learner profiles and their memberships over time,
  manager roles, headcounts, learner imports and pending e-mail changes;
- `campaigns`: campaigns, their courses, audiences and targets, assignments, reminders,
  digests, notices, in-person sessions and attendance;
- `reporting`: the rollup tables and the background exports and scheduled reports.

Dependency direction: campaigns -> courses -> assessments -> accounts -> cms. Nothing below
imports from here; lower pages get campaign figures through `campaigns.templatetags`.
The audience of a profile, headcount or campaign is a `cms.vocabularies.Subgroup`, a
sub-group of one of the four `cms.vocabularies.Audience` groups (`Audience` below is
`Subgroup` under the name this app used before, for older callers).
"""

from campaigns.models.agencies import (
    Agency,
    AgencyHeadcount,
    AgencyManager,
    AgencyQuerySet,
    ImportJob,
    ImportRow,
    LearnerProfile,
    ManagerRole,
    Membership,
    MembershipQuerySet,
    PendingEmailChange,
    PrivateImportStorage,
    agency_search_key,
    private_import_storage,
)
from campaigns.models.campaigns import (
    AgencyTarget,
    Assignment,
    Attendance,
    Campaign,
    CampaignAudience,
    CampaignCourse,
    ManagerDigest,
    Notice,
    Reminder,
    Session,
)
from campaigns.models.reporting import (
    ReportExport,
    ReportSubscription,
    RollupCounts,
    RollupDay,
    RollupMonth,
    RollupTotal,
)
from cms.vocabularies import Subgroup
from cms.vocabularies import Subgroup as Audience  # the name this app used before

__all__ = [
    "Agency",
    "AgencyHeadcount",
    "AgencyManager",
    "AgencyQuerySet",
    "AgencyTarget",
    "Assignment",
    "Attendance",
    "Audience",
    "Subgroup",
    "Campaign",
    "CampaignAudience",
    "CampaignCourse",
    "ImportJob",
    "ImportRow",
    "LearnerProfile",
    "ManagerDigest",
    "ManagerRole",
    "Membership",
    "MembershipQuerySet",
    "Notice",
    "PendingEmailChange",
    "PrivateImportStorage",
    "Reminder",
    "ReportExport",
    "ReportSubscription",
    "RollupCounts",
    "RollupDay",
    "RollupMonth",
    "RollupTotal",
    "Session",
    "agency_search_key",
    "private_import_storage",
]

import io

import pytest

from accounts.models import User
from campaigns import demo
from campaigns.models import Agency, Assignment, Campaign, LearnerProfile, ManagerRole


@pytest.mark.django_db
def test_demo_is_idempotent_and_makes_the_province_tree(home_page):
    from cms.demo import load as cms_load

    cms_load(io.StringIO())
    demo.load(io.StringIO())
    counts = (Agency.objects.count(), LearnerProfile.objects.count(), ManagerRole.objects.count(),
              Assignment.objects.count(), User.objects.count())  # fmt: skip
    demo.load(io.StringIO())
    assert counts == (Agency.objects.count(), LearnerProfile.objects.count(),
                      ManagerRole.objects.count(), Assignment.objects.count(),
                      User.objects.count())  # fmt: skip
    assert Agency.objects.filter(kind="department").count() == 13
    assert Agency.objects.filter(name="Phường Hòa Bình").exists()
    assert 300 <= LearnerProfile.objects.count() <= 500
    manager = User.objects.get(email="manager@hocso.local")
    assert ManagerRole.objects.get(user=manager).agency.name == "Sở Nội vụ"
    campaign = Campaign.objects.get(name="Bình dân học vụ số 2026")
    assert Assignment.objects.filter(campaign=campaign).count() > 200

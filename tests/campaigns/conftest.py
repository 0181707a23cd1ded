import datetime as dt

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.models import Agency, Audience


@pytest.fixture
def tree(db):
    """Province → Sở Nội vụ (→ Phòng Tổ chức), Sở Y tế; Phường Hòa Bình."""
    province = services.agency_create(name="Tỉnh Phú Thọ", code="PT", kind=Agency.Kind.PROVINCE)
    snv = services.agency_create(
        name="Sở Nội vụ", code="SNV", kind=Agency.Kind.DEPARTMENT, parent=province
    )
    unit = services.agency_create(
        name="Phòng Tổ chức biên chế", code="SNV-TC", kind=Agency.Kind.UNIT, parent=snv
    )
    syt = services.agency_create(
        name="Sở Y tế", code="SYT", kind=Agency.Kind.DEPARTMENT, parent=province
    )
    ward = services.agency_create(
        name="Phường Hòa Bình", code="P-HB", kind=Agency.Kind.COMMUNE_OR_WARD, parent=province
    )
    return {"province": province, "snv": snv, "unit": unit, "syt": syt, "ward": ward}


@pytest.fixture
def learner_in(user_factory):
    def make(
        agency, *, name=None, audience=Audience.CIVIL_SERVANT, on=None, employee_code=None, **kw
    ):
        user = user_factory(full_name=name or "Nguyễn Văn Học", **kw)
        services.learner_profile_set(
            user=user,
            agency=agency,
            audience=audience,
            on=on or dt.date(2026, 1, 1),
            employee_code=employee_code,
        )
        return user

    return make


@pytest.fixture
def manager_of(user_factory):
    def make(agency):
        user = user_factory(full_name="Lê Văn Quản Lý")
        services.manager_role_grant(user=user, agency=agency, granted_by=None)
        return user

    return make


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture(autouse=True)
def private_import_dir(request, settings, tmp_path):
    """Import uploads in a temporary folder (the real worker test shares the default one
    with its worker process)."""
    if request.node.get_closest_marker("celery_worker") is None:
        settings.CAMPAIGNS_IMPORT_DIR = tmp_path / "imports"

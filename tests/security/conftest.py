"""The security tests attack H5P's and SCORM's entry points from several modules: the H5P and
SCORM tests' fixtures once here (private package storage in a temp folder for each test,
packages, a lesson with an H5P block, a learner in a lesson with a SCORM block in Chromium,
enrolment, an administrator)."""

from tests.assessments.h5p.conftest import (  # noqa: F401 - fixtures of the H5P tests
    admin_user,
    enrol,
    h5p_lesson,
    h5p_storage,
    make_package,
    playable_package,
)
from tests.assessments.scorm.conftest import (  # noqa: F401 - fixtures of the SCORM tests
    package_storage,
    ready_package,
)
from tests.assessments.scorm.test_browser import (  # noqa: F401 - the SCORM lesson in Chromium
    scorm_lesson,
    two_origins,
)

"""The security tests attack H5P's entry points from several modules: the H5P tests' fixtures
once here (private H5P storage in a temp folder for each test, packages, a lesson with an
H5P block, enrolment, an administrator)."""

from tests.assessments.h5p.conftest import (  # noqa: F401 - fixtures of the H5P tests
    admin_user,
    enrol,
    h5p_lesson,
    h5p_storage,
    make_package,
    playable_package,
)

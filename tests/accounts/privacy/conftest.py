"""Fixtures of the privacy tests (issue 14): the campaigns tree and people, the courses'
pages and certificates, re-exported from their folders."""

from tests.campaigns.conftest import learner_in, manager_of, tree  # noqa: F401
from tests.courses.certificates.conftest import completed  # noqa: F401
from tests.courses.conftest import catalogue, course_factory, lessons_of  # noqa: F401

"""Fixtures of the privacy tests (issue 14): the campaigns tree and people, the courses'
pages and certificates, re-exported from their folders."""

from tests.campaigns.conftest import learner_in, manager_of, tree  # noqa: F401
from tests.courses.certificates.conftest import completed  # noqa: F401
from tests.courses.conftest import catalogue, course_factory, lessons_of  # noqa: F401


def mfa_change_sent(person, change: str, ip: str) -> None:
    """allauth's signal for a second factor `change` ("added", "removed", "reset") of
    `person`, sent as its MFA views send it, from a request at `ip`."""
    from allauth.mfa import signals as mfa_signals
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from tests.conftest import mfa_enrol

    mfa_enrol(person)
    authenticator = Authenticator.objects.get(user=person)
    request = RequestFactory().post("/", REMOTE_ADDR=ip)
    request.user, request.session = person, SessionStore()
    getattr(mfa_signals, f"authenticator_{change}").send(
        sender=Authenticator, request=request, user=person, authenticator=authenticator
    )

"""cms.tasking: the one way tasks are declared (retry policy, the site's language)."""

import pytest
from celery.exceptions import Retry
from django.utils import translation
from django.utils.translation import get_language

from accounts.tasks import sms_deliver
from campaigns.tasks import invitations_send, rollups_rebuild
from cms.tasking import CONNECTION_ERRORS, SiteLanguageTask, task


@task("tests.tasking.language", queue="default", site_language=True)
def language_of_body() -> str:
    return get_language()


@task("tests.tasking.caller_language", queue="default")
def caller_language() -> str:
    return get_language()


@task("tests.tasking.failing", queue="default")
def failing(error: str) -> None:
    raise {"connection": ConnectionError, "value": ValueError}[error]("failed")


def test_a_site_language_task_runs_in_vietnamese_whatever_the_caller_chose():
    with translation.override("en"):
        assert language_of_body.apply().get() == "vi"
        assert get_language() == "en"  # the caller's language is left as it was
        assert caller_language.apply().get() == "en"


def test_a_connection_error_asks_for_a_retry_and_another_error_fails_at_once():
    with pytest.raises(Retry):
        failing.apply(args=["connection"])
    with pytest.raises(ValueError):
        failing.apply(args=["value"])


def test_the_project_tasks_keep_their_policy():
    assert isinstance(invitations_send._get_current_object(), SiteLanguageTask)
    assert not isinstance(rollups_rebuild._get_current_object(), SiteLanguageTask)
    assert invitations_send.autoretry_for == CONNECTION_ERRORS
    assert (invitations_send.queue, invitations_send.max_retries) == ("mail", 5)
    assert (sms_deliver.retry_backoff, sms_deliver.retry_backoff_max) == (10, 300)
    assert sms_deliver.ignore_result is True

import os

import pytest

from cms.tasks import ping


@pytest.mark.celery_worker
def test_task_runs_on_a_real_celery_worker_through_redis(celery_worker):
    result = ping.delay("xin-chao").get(timeout=30)
    assert result["token"] == "xin-chao"
    assert result["pid"] == celery_worker["pid"]
    assert result["pid"] != os.getpid()
    print(f"task cms.ping executed by Celery worker pid {result['pid']} through Redis")

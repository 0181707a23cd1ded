"""cms.cache.forget: the one way an entry that writes invalidate is forgotten (the pages and
bank generations, the cached user row, the bells' counts)."""

import pytest
from django.core.cache import cache
from django.db import transaction

from cms.cache import forget


@pytest.mark.django_db(transaction=True)
def test_forget_deletes_now_and_again_when_the_transaction_commits():
    cache.set_many({"t:a": 1, "t:b": 2, "t:c": 3})
    with transaction.atomic():
        forget(["t:a", "t:b"])
        assert cache.get_many(["t:a", "t:b", "t:c"]) == {"t:c": 3}
        # A reader between the write and the commit stores what it read before the commit.
        cache.set("t:a", "stale")
    assert cache.get("t:a") is None and cache.get("t:c") == 3


@pytest.mark.django_db(transaction=True)
def test_a_backend_error_is_logged_not_raised(monkeypatch, caplog):
    def broken(keys):
        raise ConnectionError("down")

    monkeypatch.setattr(cache, "delete_many", broken)
    forget(["t:a"])  # outside a transaction: the on-commit delete runs at once
    assert caplog.text.count("1 keys not deleted") == 2

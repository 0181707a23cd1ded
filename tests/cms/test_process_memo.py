"""cms.cache.ProcessMemo: the one per-process copy of what is cached under a generation token
(the pages cached for everyone, the view-restriction table, the question bank and the quiz
plans)."""

import threading

from cms.cache import ProcessMemo


def test_a_copy_is_kept_for_its_time_and_capped(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("cms.cache.time.monotonic", lambda: now[0])
    memo = ProcessMemo(size=10, longest=60)
    memo.put("a", (1, 2), seconds=600)  # capped at 60 s
    memo.put("b", (3,), seconds=5)
    now[0] += 6
    assert memo.get("a") == (1, 2) and memo.get("b") is None
    now[0] += 55
    assert memo.get("a") is None and len(memo) == 0


def test_full_memo_is_emptied_before_new_entries():
    memo = ProcessMemo(size=3)
    memo.put_many({"a": 1, "b": 2, "c": 3}, seconds=60)
    memo.put("d", 4, seconds=60)
    assert [memo.get(k) for k in "abcd"] == [None, None, None, 4]


def test_pickled_copies_are_each_callers_own_and_unpicklable_values_are_not_kept():
    shared, own = ProcessMemo(size=10), ProcessMemo(size=10, pickled=True)
    page = {"title": "Bài 1"}
    shared.put("p", page, seconds=60)
    own.put("p", page, seconds=60)
    assert shared.get("p") is page
    first, second = own.get("p"), own.get("p")
    first["annotated"] = True  # a view annotating its page
    assert second == {"title": "Bài 1"} and own.get("p") == {"title": "Bài 1"}
    own.put("lock", threading.Lock(), seconds=60)
    assert own.get("lock") is None

"""The bell's unread count per person, from the cache (issue 16).

Every page a signed-in person opens shows the bell, whose number was one COUNT per request.
It is kept in the cache under the person's id and forgotten by every write that can change
it: a notice created (`services.notice_create`), the assignment notices' bulk insert, notices
marked read, the person's notices deleted (anonymisation): `notices_forget(user_ids)`, at
once and again when the transaction commits (a count read between the write and the commit
would otherwise be kept). The retention purge deletes only notices older than a year, so it
forgets nothing: what it could leave is bounded by the entry's lifetime, as is the one race
left (a count read before a commit and stored after it). With a per-process cache (the
demo's LocMemCache) the other processes keep theirs for `cms.cache.LOCAL_CACHE_SECONDS`.
The count is only ever the person's own: the key is their id. With the cache down every read
is a miss and the database counts, as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import connections, router

from campaigns.models import Notice
from cms.cache import ahead_get, cache_seconds, forget, read_ahead_register

UNREAD_KEY = "campaigns:notices-unread:v1:{}"
UNREAD_SECONDS = 300


def _unread_key(user_id) -> str:
    return UNREAD_KEY.format(user_id)


# Read with the person's row on their pages, in one round trip (cms.cache.read_ahead).
read_ahead_register(_unread_key)


def unread_count(user_id: int) -> int:
    """The person's unread notices, counted by the database when the cache has no answer."""
    key = _unread_key(user_id)
    count = ahead_get(key)
    if count is None:
        count = _unread_counted(user_id)
        cache.set(key, count, cache_seconds(UNREAD_SECONDS))
    return count


def _unread_counted(user_id: int) -> int:
    """`Notice.objects.filter(user_id=..., read_at__isnull=True).count()` with its SQL written
    once per process from the model's names: building the ORM's COUNT cost several times
    what the database takes to answer it on the (user, read_at) index."""
    using = router.db_for_read(Notice)
    connection = connections[using]
    sql = _UNREAD_SQL.get((using, connection.vendor))
    if sql is None:
        quote, meta = connection.ops.quote_name, Notice._meta
        table, user = quote(meta.db_table), quote(meta.get_field("user").column)
        read_at = quote(meta.get_field("read_at").column)
        # The model's own quoted names; the person's id is a parameter.
        sql = f"SELECT COUNT(*) FROM {table} WHERE {user} = %s AND {read_at} IS NULL"  # noqa: S608
        _UNREAD_SQL[(using, connection.vendor)] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(user_id)])
        return cursor.fetchone()[0]


_UNREAD_SQL: dict[tuple[str, str], str] = {}


def notices_forget(user_ids: Iterable[int]) -> None:
    """Forget the counts of these people (their notices were written)."""
    forget(_unread_key(user_id) for user_id in set(user_ids))

"""The signed-in person's row from the cache (accounts.middleware.CachedUserMiddleware,
issue 16), and the attacks on it: a person deactivated, or whose password changed, after
their row was cached must not be served from that copy; one person's copy is never
another's; with the cache down the database answers."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.middleware import USER_KEY

pytestmark = pytest.mark.django_db

CACHE_DOWN = {
    "default": {
        "BACKEND": "cms.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
    }
}


def user_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if re.search(r'FROM "accounts_user"', q["sql"])]


def name_shown(response) -> str:
    match = re.search(r'data-testid="user-name">([^<]*)<', response.content.decode())
    return match.group(1) if match else ""


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_second_request_reads_no_user_row(home_page, user_factory):
    person = user_factory(full_name="Phạm Thị Nhớ")
    client = signed_in(person)
    with CaptureQueriesContext(connection) as first:
        assert name_shown(client.get("/")) == "Phạm Thị Nhớ"
    assert len(user_reads(first.captured_queries)) == 1  # the copy is made from this read
    with CaptureQueriesContext(connection) as second:
        assert name_shown(client.get("/")) == "Phạm Thị Nhớ"
    assert user_reads(second.captured_queries) == []
    assert cache.get(USER_KEY.format(person.pk)) is not None


def test_a_person_deactivated_after_their_row_was_cached_is_signed_out(home_page, user_factory):
    person = user_factory()
    client = signed_in(person)
    assert name_shown(client.get("/")) == person.full_name
    assert cache.get(USER_KEY.format(person.pk)) is not None  # the warm copy
    person.is_active = False
    person.save()  # as the admin's user form does
    response = client.get("/tai-khoan/du-lieu/")
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]
    assert name_shown(client.get("/")) == ""


def test_a_changed_password_signs_out_the_other_sessions_despite_the_warm_copy(
    home_page, user_factory
):
    person = user_factory()
    thief = signed_in(person)  # a session opened with the old password
    assert name_shown(thief.get("/")) == person.full_name
    assert cache.get(USER_KEY.format(person.pk)) is not None
    person.set_password("mat-khau-moi-2026-rat-dai")
    person.save()
    response = thief.get("/tai-khoan/du-lieu/")
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]
    # The person's new session is served (and cached again).
    owner = signed_in(person)
    assert name_shown(owner.get("/")) == person.full_name
    assert name_shown(owner.get("/")) == person.full_name


def test_a_stale_copy_with_another_password_is_not_served(home_page, user_factory):
    """Whatever is in the cache, a copy is used only when the session's hash is the copy's:
    a copy kept from before a password change (a write that sent no signal) is not. The
    password's own hash is never in the cache."""
    person = user_factory(full_name="Chủ Thật")
    client = signed_in(person)
    client.get("/")
    names, values, auth_hash, mark = cache.get(USER_KEY.format(person.pk))
    assert "password" not in names and person.password not in map(str, values)
    stale = dict(zip(names, values, strict=True), full_name="Bản Cũ")
    other_hash = auth_hash[:-4] + ("0000" if not auth_hash.endswith("0000") else "1111")
    row = (names, [stale[n] for n in names], other_hash, mark)
    cache.set(USER_KEY.format(person.pk), row, 300)
    assert name_shown(client.get("/")) == "Chủ Thật"  # read from the database


def test_a_copy_made_under_another_secret_key_is_not_served(home_page, user_factory, settings):
    person = user_factory()
    client = signed_in(person)
    client.get("/")
    assert cache.get(USER_KEY.format(person.pk)) is not None
    settings.SECRET_KEY = "another-key-" + "x" * 50  # rotated, the old one not a fallback
    response = client.get("/tai-khoan/du-lieu/")
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]


def test_the_password_is_read_only_when_asked_for(home_page, user_factory):
    person = user_factory()
    client = signed_in(person)
    client.get("/")
    request = client.get("/").wsgi_request
    assert request.user.check_password("khong-phai") is False  # loads it: one query
    assert request.user.password == person.password


def test_two_people_alternately_each_get_their_own_row(home_page, user_factory):
    first, second = user_factory(full_name="Người Một"), user_factory(full_name="Người Hai")
    a, b = signed_in(first), signed_in(second)
    for _ in range(3):
        assert name_shown(a.get("/")) == "Người Một"
        assert name_shown(b.get("/")) == "Người Hai"


def test_with_the_cache_down_the_database_answers(home_page, user_factory, settings):
    settings.CACHES = CACHE_DOWN
    person = user_factory(full_name="Không Có Redis")
    client = signed_in(person)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert name_shown(client.get("/")) == "Không Có Redis"
        assert len(user_reads(queries.captured_queries)) == 1

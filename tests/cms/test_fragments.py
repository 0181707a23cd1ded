"""base.html's header and footer links and words are rendered once per process
(cms/templatetags/fragments.py, {% fragment_memo %}; the offline head likewise,
courses.offline.templatetags): what they keep is the same for everyone with the same
language and flags; names, counts, tokens and paths stay each person's own (issue 16)."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_each_person_sees_their_own_name_links_token_and_language_on_memoised_pages(
    client, user_factory
):
    from campaigns.models import ManagerRole
    from tests import factories

    url = reverse("privacy_notice")
    manage = reverse("campaigns:dashboard")
    learner = user_factory(full_name="Lò Văn Học")
    manager = user_factory(full_name="Hà Thị Quản")
    ManagerRole.objects.create(user=manager, agency=factories.agency())
    seen_keys = {}
    for _ in range(3):  # alternately, on warm memos
        for user, is_manager, language in ((learner, False, "vi"), (manager, True, "en")):
            client.force_login(user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            html = client.get(f"{url}?lan=1").content.decode()
            other = manager if user is learner else learner
            assert user.full_name in html and other.full_name not in html
            assert (manage in html) is is_manager
            assert f'<option value="{language}" selected>' in html
            assert ("Log out" in html) is (language == "en")
            assert 'name="csrfmiddlewaretoken"' in html
            assert 'name="next" type="hidden" value="/quyen-rieng-tu/?lan=1"' in html
            key = html.split('data-user="', 1)[1].split('"', 1)[0]
            assert len(key) == 20 and seen_keys.setdefault(user.pk, key) == key
    assert seen_keys[learner.pk] != seen_keys[manager.pk]
    client.logout()
    html = client.get(url).content.decode()
    assert "Đăng nhập" in html and learner.full_name not in html and manager.full_name not in html
    assert 'data-user=""' in html and "csrfmiddlewaretoken" not in html


def test_a_second_page_view_reverses_only_the_links_kept_outside_the_memo(
    client, user_factory, monkeypatch
):
    import django.urls

    from courses.offline.templatetags import offline_tags

    client.force_login(user_factory())
    url = reverse("privacy_notice")
    client.get(url)
    reversed_names = []

    def counting(real):
        def wrapper(viewname, *args, **kwargs):
            reversed_names.append(viewname)
            return real(viewname, *args, **kwargs)

        return wrapper

    # {% url %} imports django.urls.reverse as it renders; the offline head at its import.
    monkeypatch.setattr(django.urls, "reverse", counting(django.urls.reverse))
    monkeypatch.setattr(offline_tags, "reverse", counting(offline_tags.reverse))
    assert client.get(url).status_code == 200
    # The privacy page's own link (my data) and the bell's own link (the campaigns floor's
    # template); the header, footer and offline head's 16 others (the profile link too,
    # around the person's name): none.
    assert sorted(reversed_names) == ["my_data", "notices:list"]

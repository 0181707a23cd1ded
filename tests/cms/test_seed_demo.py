import pytest
from django.core.management import call_command
from wagtail.models import Page, Site

from accounts.models import User
from cms.models import HomePage
from tests.cms.pages import html_of


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_the_accounts(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (User.objects.count(), Page.objects.count(), Site.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Page.objects.count(), Site.objects.count()) == counts
    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    for email in ("admin@", "editor@", "manager@", "learner@"):
        assert email in first
    assert "hocso-demo-2026" in first
    assert User.objects.get(email="admin@hocso.local").is_superuser
    assert User.objects.get(email="editor@hocso.local").is_staff


@pytest.mark.django_db
def test_home_page_is_vietnamese(client):
    call_command("seed_demo")
    html = html_of(client.get("/"))
    assert "Bình dân học vụ số" in html
    assert "Đăng nhập" in html


@pytest.mark.django_db
def test_english_is_selectable(client):
    call_command("seed_demo")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = html_of(client.get("/"), lang="en")
    assert "Log in" in html

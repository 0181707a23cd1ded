"""Issue 14, attacks on the personal-data audit log: a manager reads only the entries of
their agencies (in the Wagtail admin report and on their own page), whatever they put in
the query string; a learner or an editor reads none; guessed ids of another agency's
people or agencies answer 404 and write nothing; nobody edits or deletes an entry."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.models import ModelLogEntry

from cms import audit
from tests import factories


@pytest.fixture
def tree(db):
    return factories.agency_tree()


@pytest.fixture
def trail(client, tree):
    """Each of two managers (Sở Nội vụ, Sở Y tế) viewed one of their people."""
    anh = factories.learner(tree["unit"], name="Trần Thị Ánh")
    chi = factories.learner(tree["syt"], name="Phạm Văn Chi")
    snv_manager, syt_manager = factories.manager(tree["snv"]), factories.manager(tree["syt"])
    for manager, person in ((snv_manager, anh), (syt_manager, chi)):
        client.force_login(manager)
        assert client.get(reverse("campaigns:learner", args=[person.pk])).status_code == 200
    client.logout()
    return {"snv_manager": snv_manager, "anh": anh, "chi": chi}


def with_admin_access(user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def test_a_manager_reads_only_their_agencies_entries_in_the_admin_report(client, tree, trail):
    client.force_login(with_admin_access(trail["snv_manager"]))
    url = reverse("campaigns_audit")
    html = client.get(url).content.decode()
    assert "Trần Thị Ánh" in html and "Phạm Văn Chi" not in html
    # Another agency forged into the filter: not a choice, so nothing of it shows.
    forged = client.get(url, {"agency": tree["syt"].pk}).content.decode()
    assert "Phạm Văn Chi" not in forged
    export = client.get(url, {"export": "csv"})
    assert "Phạm Văn Chi" not in b"".join(export.streaming_content).decode("utf-8-sig")


def test_a_manager_reads_only_their_agencies_entries_on_their_page(client, tree, trail):
    client.force_login(trail["snv_manager"])
    url = reverse("campaigns:audit_log")
    html = client.get(url).content.decode()
    assert "Trần Thị Ánh" in html and "Phạm Văn Chi" not in html
    for query in ({"action": "hocso.person_viewed"}, {"agency": tree["syt"].pk}, {"page": 2}):
        assert "Phạm Văn Chi" not in client.get(url, query).content.decode()


def test_learners_and_editors_read_no_entry(client, trail, user_factory):
    learner = trail["anh"]
    client.force_login(learner)
    assert client.get(reverse("campaigns:audit_log")).status_code == 403
    editor = with_admin_access(user_factory(is_staff=True))
    client.force_login(editor)
    refused = client.get(reverse("campaigns_audit"))  # Wagtail: back to the admin's home
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    assert "Trần Thị Ánh" not in client.get(refused["Location"]).content.decode()
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("campaigns_audit") not in menu


def test_guessed_ids_of_another_agency_answer_404_and_log_nothing(client, tree, trail):
    client.force_login(trail["snv_manager"])
    before = ModelLogEntry.objects.filter(action__startswith="hocso.").count()
    for url in (
        reverse("campaigns:learner", args=[trail["chi"].pk]),
        reverse("campaigns:learner", args=[999_999]),
        reverse("campaigns:people", args=[tree["syt"].pk]),
        reverse("campaigns:people_export", args=[tree["syt"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert ModelLogEntry.objects.filter(action__startswith="hocso.").count() == before


def test_entries_cannot_be_edited_or_deleted_through_the_admin(client, trail, user_factory):
    admin = user_factory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    entry = audit.audit_entries().first()
    assert AdminURLFinder(admin).get_edit_url(entry) is None
    url = reverse("campaigns_audit")
    assert client.post(url, {"action": "delete", "id": entry.pk}).status_code == 405
    assert client.post(reverse("campaigns:audit_log"), {"id": entry.pk}).status_code == 405
    assert ModelLogEntry.objects.filter(pk=entry.pk).exists()

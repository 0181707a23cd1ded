"""Walker finding 9: pressing "Nhập N câu hỏi sẵn sàng" twice (a double tap, or Back then
the button again) imported the bank twice. The second import of the same questions into
the same category is refused with a message; a file with new questions still imports."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Question, QuestionCategory

GIFT = b"""$CATEGORY: Ki\xe1\xbb\x83m th\xe1\xbb\xad nh\xe1\xba\xadp

::A:: 113 l\xc3\xa0 s\xe1\xbb\x91 g\xc3\xac? {=C\xc3\xb4ng an ~C\xe1\xbb\xa9u h\xe1\xbb\x8fa}

::B:: Bao nhi\xc3\xaau? {#1822}
"""


def _dry_run(admin_client, data):
    url = reverse("assessments_bank:import")
    check = admin_client.post(url, {"file": SimpleUploadedFile("bank.gift", data),
                                    "format": "auto", "action": "check"})  # fmt: skip
    return url, check.context["payload"]


def test_the_same_import_twice_imports_once(db, admin_client):
    url, payload = _dry_run(admin_client, GIFT)
    form = {"payload": payload, "format": "gift", "action": "import"}
    assert admin_client.post(url, form).status_code == 302
    assert Question.objects.count() == 2
    again = admin_client.post(url, form, follow=True)  # the same button pressed again
    assert Question.objects.count() == 2
    assert "đã có trong ngân hàng" in again.content.decode()
    # Back, the same file checked again and imported: still refused.
    _url, payload = _dry_run(admin_client, GIFT)
    admin_client.post(url, {**form, "payload": payload})
    assert Question.objects.count() == 2
    # A file with one new question imports (the import is all of the file's questions).
    _url, payload = _dry_run(admin_client, GIFT + b"\n::C:: M\xe1\xbb\x9bi? {T}\n")
    assert admin_client.post(url, {**form, "payload": payload}).status_code == 302
    assert Question.objects.count() == 5


def test_export_file_name_keeps_the_d_of_a_vietnamese_category(db, admin_client):
    """Walker finding 14: "Kỹ năng số/Đi bộ thử" downloaded as ky-nang-so-i-bo-thu."""
    category = QuestionCategory.objects.create(name="Kỹ năng số/Đi bộ thử")
    url = reverse("assessments_bank:export")
    response = admin_client.get(url, {"category": category.pk, "format": "moodlexml"})
    assert response.status_code == 200
    assert 'filename="ky-nang-so-di-bo-thu.' in response["Content-Disposition"]

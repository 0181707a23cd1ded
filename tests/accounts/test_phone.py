"""Issue 20: a phone number is a log-in. Numbers are stored once in E.164; sign-up with
only a phone, verified by an SMS code; log-in by phone and password or by a code; SMS
through the configured backend; a failed send is said, never a 500."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.apps import apps as django_apps
from django.test import Client

from accounts import sms
from accounts.models import ConsentRecord, User
from accounts.phones import phone_display, to_e164
from tests.accounts.pages import LOGIN, SIGNUP, VERIFY
from tests.accounts.test_signup import signup_data

PASSWORD = "Hoc-so-that-vui-2026"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms_outbox")]


def last_code(to: str) -> str:
    texts = [m["text"] for m in sms.outbox if m["to"] == to]
    assert texts, f"no SMS to {to}: {sms.outbox}"
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(
    "typed",
    ["0912 345 678", "0912.345.678", "+84912345678", "84912345678", "+84 912 345 678",
     "912345678", "0084912345678"],
)  # fmt: skip
def test_every_way_of_writing_a_vietnamese_mobile_is_one_number(typed):
    assert to_e164(typed) == "+84912345678"
    assert (
        phone_display("+84912345678") == "091 234 56 78"
        or phone_display("+84912345678").replace(" ", "") == "0912345678"
    )


@pytest.mark.parametrize("typed", ["0123", "02438251234", "abc", "", "+84 24 3825 1234"])
def test_landlines_and_garbage_are_not_phone_logins(typed):
    assert to_e164(typed) is None


def test_the_same_number_typed_twice_is_stored_once(user_factory):
    user_factory(phone="0912 345 678")
    assert User.objects.get().phone == "+84912345678"
    with pytest.raises(Exception):  # noqa: B017 -- IntegrityError or ValidationError
        user_factory(phone="+84912345678")


def test_sign_up_with_only_a_phone_verify_by_sms_then_log_in_with_it(client):
    response = client.post(SIGNUP, signup_data(email=None, phone="0912 345 678"))
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert not logged_in(client)
    user = User.objects.get(phone="+84912345678")
    assert user.email is None and not user.phone_verified
    assert ConsentRecord.objects.filter(user=user).exists()
    page = client.get(VERIFY).content.decode()
    assert "Nhập mã" in page or "mã" in page
    # A wrong code is refused; the right one logs in and verifies the number.
    wrong = client.post(VERIFY, {"code": "AAAAAA"})
    assert wrong.status_code == 200 and not logged_in(client)
    done = client.post(VERIFY, {"code": last_code("+84912345678")})
    assert done.status_code == 302 and logged_in(client)
    user.refresh_from_db()
    assert user.phone_verified
    client.logout()
    # Log in with the number written another way, and the password.
    again = client.post(LOGIN, {"login": "0912.345.678", "password": PASSWORD})
    assert again.status_code == 302 and logged_in(client), again.content.decode()[:3000]


def test_sign_up_needs_a_phone_or_an_email(client):
    response = client.post(SIGNUP, signup_data(email=None, phone=None))
    assert response.status_code == 200
    assert "Nhập số điện thoại hoặc địa chỉ e-mail" in response.content.decode()
    assert not User.objects.exists()


def test_a_bad_number_is_refused_in_vietnamese(client):
    response = client.post(SIGNUP, signup_data(email=None, phone="0241234"))
    assert response.status_code == 200
    assert "Nhập số điện thoại di động" in response.content.decode()


def test_an_unverified_phone_does_not_log_in(client, user_factory):
    user_factory(phone="0912345678", password=PASSWORD)
    response = client.post(LOGIN, {"login": "0912345678", "password": PASSWORD})
    assert response.status_code == 200 and not logged_in(client)


def test_log_in_by_a_code_sent_to_the_phone(client, user_factory):
    user_factory(email=None, phone="0912345678", phone_verified=True, password=PASSWORD)
    response = client.post("/tai-khoan/login/code/", {"phone": "0912 345 678"})
    assert response.status_code == 302, response.content.decode()[:2000]
    code = last_code("+84912345678")
    confirmed = client.post("/tai-khoan/login/code/confirm/", {"code": code})
    assert confirmed.status_code == 302 and logged_in(client)


def test_a_failed_send_is_told_not_a_500(client, settings):
    settings.SMS_URL = "http://127.0.0.1:9/send?to={to}&text={text}"  # nothing listens
    response = client.post(SIGNUP, signup_data(email=None, phone="0912345678"), follow=True)
    assert response.status_code == 200
    assert "Chúng tôi không gửi được mã" in response.content.decode()
    assert "Mã xác thực đã được gửi" not in response.content.decode()


def test_file_backend_writes_one_json_file_per_message(settings, tmp_path):
    settings.SMS_URL = f"file://{tmp_path}"
    sms.sms_send("+84912345678", "Mã của bạn là 123456")
    sms.sms_send("+84987654321", "Xin chào")
    messages = sms.file_messages(tmp_path)
    assert [(m["to"], m["text"]) for m in messages] == [
        ("+84912345678", "Mã của bạn là 123456"),
        ("+84987654321", "Xin chào"),
    ]


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 -- http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append((self.path, dict(self.headers), body))
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    Gateway.received, Gateway.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_http_gateway_gets_number_text_brand_and_auth(settings, gateway):
    settings.SMS_URL = gateway + "/api/sms"
    settings.SMS_HTTP_AUTH_HEADER = "Authorization: Bearer bi-mat"
    settings.SMS_SENDER = "HOCSO"
    settings.SMS_NUMBER_FORMAT = "digits"
    settings.SMS_HTTP_BODY = '{"phone": "{to}", "message": "{text}", "brandname": "{sender}"}'
    sms.sms_send("+84912345678", 'Mã "A1B2C3"')
    path, headers, body = Gateway.received[-1]
    assert path == "/api/sms" and headers["Authorization"] == "Bearer bi-mat"
    assert json.loads(body) == {"phone": "84912345678", "message": 'Mã "A1B2C3"',
                                "brandname": "HOCSO"}  # fmt: skip


def test_http_gateway_refusal_is_retried_by_the_worker_and_told_at_once_without(settings, gateway):
    from accounts.tasks import sms_deliver

    settings.SMS_URL = gateway + "/api/sms"
    Gateway.status = 503
    # Without a worker (tasks run in the request) the caller hears of it at once...
    with pytest.raises(sms.SMSNotSent):
        sms.sms_send("+84912345678", "x")
    assert len(Gateway.received) == 1
    # ...with one, the task retries a refused message (10 s, 20 s, 40 s ...).
    assert sms.SMSNotSent in sms_deliver.autoretry_for and sms_deliver.max_retries == 5


def test_data_migration_clears_placeholders_and_writes_e164(user_factory):
    from importlib import import_module

    migration = import_module("accounts.migrations.0003_phones_e164_no_placeholder_emails")
    placeholder = user_factory(email="84912345678@khong-co-email.hocso.invalid")
    User.objects.filter(pk=placeholder.pk).update(phone="0912345678")
    kept = user_factory(email="a@example.vn")
    User.objects.filter(pk=kept.pk).update(phone="0987 654 321")
    migration.forwards(django_apps, None)
    placeholder.refresh_from_db()
    kept.refresh_from_db()
    assert (placeholder.email, placeholder.phone) == (None, "+84912345678")
    assert kept.phone == "+84987654321"


def test_two_phone_only_people_can_exist_without_email(user_factory):
    user_factory(email=None, phone="0912345678")
    user_factory(email=None, phone="0987654321")
    assert User.objects.filter(email=None).count() == 2
    assert Client().get("/").status_code == 200


def test_lookups_and_bulk_writes_see_e164_whatever_was_typed(user_factory):
    # An import writes rows with bulk_create and matches people with phone__in: both in
    # the form people type.
    User.objects.bulk_create([User(full_name="Nhập Từ Tệp", phone="0987.654.321")])
    assert User.objects.get(full_name="Nhập Từ Tệp").phone == "+84987654321"
    assert User.objects.filter(phone__in=["0987 654 321"]).count() == 1
    assert User.objects.filter(phone="84987654321").exists()


def test_admin_forms_take_the_number_as_typed():
    from accounts.forms import UserEditForm

    field = UserEditForm.base_fields["phone"]
    assert field.clean("0912 345 678") == "+84912345678"

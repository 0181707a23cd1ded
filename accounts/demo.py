"""Demo content of the accounts floor: a citizen with only a phone number (issue 20), who
logs in with the number and the demo password, or with a code sent by SMS (printed on the
server's console with SMS_URL=console://, the demo's default)."""

from accounts.models import User

DEMO_PHONE = "+84987000111"
DEMO_PHONE_TYPED = "0987 000 111"
DEMO_PHONE_NAME = "Lò Thị Mai"


def load(stdout) -> None:
    from cms.demo import DEMO_PASSWORD

    user = User.objects.filter(phone=DEMO_PHONE).first()
    if user is None:
        user = User.objects.create_user(
            None, DEMO_PASSWORD, full_name=DEMO_PHONE_NAME, phone=DEMO_PHONE
        )
    if not user.phone_verified:
        User.objects.filter(pk=user.pk).update(phone_verified=True)
    stdout.write(
        f"  citizen  {DEMO_PHONE_TYPED:<22} {DEMO_PASSWORD}   ({DEMO_PHONE_NAME}: phone only, "
        "no e-mail; log in with the number, or ask for a code: the SMS is printed here)"
    )

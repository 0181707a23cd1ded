"""Demo (issue 14): the printed demo accounts (admin, editor, manager, learner, the phone
citizen, the agencies' managers) consented when they signed up, as real people do; the
learners the demo imports have not, so one of them meets the consent page at first log-in.
The last of settings.DEMO_LOADERS: it runs after every account exists."""

from accounts.models import User
from accounts.privacy_consent import has_current_consent
from accounts.services import consent_record


def load(stdout) -> None:
    signed_up = 0
    for user in User.objects.filter(is_active=True).iterator():
        if user.has_usable_password() and not has_current_consent(user):
            consent_record(user=user)
            signed_up += 1
    stdout.write(f"  consents of the demo accounts that sign in: {signed_up}")

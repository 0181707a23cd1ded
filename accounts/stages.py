"""allauth log-in stages adapted to people with a phone and no e-mail address."""

from allauth.account import stages


class EmailVerificationStage(stages.EmailVerificationStage):
    """Someone without an e-mail address has none to verify: they proved their phone."""

    def handle(self):
        user = self.login.user
        if user is not None and not self.login.email and not user.email:
            return None, True
        return super().handle()


class PhoneVerificationStage(stages.PhoneVerificationStage):
    """allauth asks for the SMS code of an unverified phone at every log-in. Ours asks at
    sign-up, and at log-in only from a person who has no e-mail to log in with. An e-mail
    user's unproved phone is not a log-in (accounts.adapters.get_user_by_phone) and is
    verified from the profile page."""

    def handle(self):
        user = self.login.user
        if user is not None and not self.login.signup and user.email:
            return None, True
        return super().handle()

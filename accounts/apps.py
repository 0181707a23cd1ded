from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
    default = True

    def ready(self):
        from allauth.mfa.signals import authenticator_added
        from django.db.models.signals import post_delete, post_save

        from accounts.middleware import user_forget

        # The signed-in person's cached row goes with any change of it (accounts.middleware).
        for signal in (post_save, post_delete):
            signal.connect(user_forget, sender=self.get_model("User"),
                           dispatch_uid=f"accounts.user_forget.{signal is post_save}")  # fmt: skip

        from accounts.mfa import mfa_enrolment_record

        def enrolled(sender, request, authenticator, **kwargs):
            # Enrolment asked for a valid code: the session has proved the factor.
            mfa_enrolment_record(request=request, authenticator=authenticator)

        authenticator_added.connect(
            enrolled, weak=False, dispatch_uid="accounts.mfa_enrolment_record"
        )
        # Second-factor changes go to the personal-data audit log (accounts.privacy).
        from allauth.mfa import signals

        from accounts.privacy import mfa_change_audited

        for change in ("added", "removed", "reset"):
            getattr(signals, f"authenticator_{change}").connect(
                mfa_change_audited(change), weak=False, dispatch_uid=f"accounts.audit.{change}"
            )


class HocSoUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with forms for our e-mail-keyed user (full name, phone)."""

    user_viewset = "accounts.viewsets.UserViewSet"

"""The user: an e-mail address, a phone number (E.164) or both, and one full-name field
(printed exactly as entered). People imported or signed up with only a phone have no
e-mail (NULL, not a placeholder address)."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.phones import PhoneNumberField, e164_validator, to_e164
from cms.text import nfc


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if extra_fields.get("phone"):
            extra_fields["phone"] = to_e164(extra_fields["phone"]) or extra_fields["phone"]
        if not email and not extra_fields.get("phone"):
            raise ValueError("An e-mail address or a phone number is required.")
        email = self.normalize_email(email).lower() if email else None
        if "full_name" in extra_fields:
            extra_fields["full_name"] = nfc(extra_fields["full_name"]).strip()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


phone_validator = e164_validator  # the stored form: accounts.phones.to_e164 makes it


class User(AbstractBaseUser, PermissionsMixin):
    # Optional, unique when given: NULL for people with only a phone.
    email = models.EmailField(_("e-mail address"), unique=True, blank=True, null=True)
    full_name = models.CharField(
        _("full name"),
        max_length=150,
        help_text=_("Printed exactly as entered, e.g. on certificates."),
    )
    # Optional, unique when given: NULL (not "") for people without one.
    phone = PhoneNumberField(
        _("phone number"), max_length=16, blank=True, null=True, unique=True,
        validators=[phone_validator],
    )  # fmt: skip
    # The person proved the number by an SMS code (or by the SMS link of an invitation);
    # only a verified phone logs in.
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email or self.phone or ""

    def clean(self):
        super().clean()
        if self.email:
            self.email = self.__class__.objects.normalize_email(self.email).lower()
        else:
            self.email = None
        self.full_name = nfc(self.full_name).strip()
        if self.phone == "":
            self.phone = None

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        """The given name: the last word of a Vietnamese full name."""
        parts = self.full_name.split()
        return parts[-1] if parts else (self.email or self.phone or "")


class ConsentRecord(models.Model):
    """One consent given (or withdrawn) to a version of the privacy notice (Law 91/2025)."""

    class Purpose(models.TextChoices):
        PRIVACY_NOTICE = "privacy_notice", _("Processing of personal data per the privacy notice")
        # Optional: withdrawn from "My data" (accounts.privacy.OPTIONAL_PURPOSES).
        REMINDER_EMAILS = "reminder_emails", _("Reminder e-mails about my learning deadlines")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(
        max_length=32, choices=Purpose.choices, default=Purpose.PRIVACY_NOTICE
    )
    notice_version = models.CharField(_("privacy notice version"), max_length=32)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["user", "purpose"], name="consent_user_purpose_idx")]

    def __str__(self):
        return f"{self.get_purpose_display()} (v{self.notice_version})"


class PrivacyRequest(models.Model):
    """A person's request about their data (Law 91/2025): to delete (anonymise) it, or to
    correct what they cannot change themselves. Handled by an administrator before `due_at`
    (settings.PRIVACY_REQUEST_DAYS after it was made, the privacy notice's promise).
    Written by accounts.privacy services only."""

    class Kind(models.TextChoices):
        DELETE = "delete", _("Delete my data")
        CORRECT = "correct", _("Correct my data")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("privacy request", "Open")
        DONE = "done", pgettext_lazy("privacy request", "Done")
        REFUSED = "refused", pgettext_lazy("privacy request", "Refused")
        WITHDRAWN = "withdrawn", pgettext_lazy("privacy request", "Withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_requests"
    )
    kind = models.CharField(
        pgettext_lazy("privacy request", "kind"), max_length=16, choices=Kind.choices
    )
    details = models.TextField(pgettext_lazy("privacy request", "details"), blank=True)
    status = models.CharField(
        pgettext_lazy("privacy request", "status"),
        max_length=16,
        choices=Status.choices,
        default=Status.OPEN,
    )
    created_at = models.DateTimeField(
        pgettext_lazy("privacy request", "made at"), default=timezone.now
    )
    due_at = models.DateTimeField(pgettext_lazy("privacy request", "due"))
    handled_at = models.DateTimeField(
        pgettext_lazy("privacy request", "handled at"), null=True, blank=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    outcome = models.TextField(pgettext_lazy("privacy request", "outcome"), blank=True)
    # When the handlers were e-mailed that its deadline is near (accounts.privacy:
    # privacy_deadlines_warn): once per request.
    deadline_warned_at = models.DateTimeField(
        pgettext_lazy("privacy request", "deadline warning sent"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["due_at", "pk"]
        constraints = [
            # One open request of a kind per person: a second click makes no second one.
            models.UniqueConstraint(
                fields=["user", "kind"], condition=models.Q(status="open"),
                name="privacy_request_one_open_per_kind",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["status", "due_at"], name="privacy_request_queue_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.user}"

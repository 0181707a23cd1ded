"""The user, keyed on e-mail, with one full-name field (printed exactly as entered)."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.text import nfc


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
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


phone_validator = RegexValidator(
    r"^\+?[0-9]{9,15}$",
    _("Enter a phone number of 9 to 15 digits, optionally starting with +."),
)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(
        _("full name"),
        max_length=150,
        help_text=_("Printed exactly as entered, e.g. on certificates."),
    )
    # Optional, unique when given: NULL (not "") for people without one.
    phone = models.CharField(
        _("phone number"), max_length=16, blank=True, null=True, unique=True,
        validators=[phone_validator],
    )  # fmt: skip
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
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        self.full_name = nfc(self.full_name).strip()
        if self.phone == "":
            self.phone = None

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        """The given name: the last word of a Vietnamese full name."""
        parts = self.full_name.split()
        return parts[-1] if parts else self.email


class ConsentRecord(models.Model):
    """One consent given (or withdrawn) to a version of the privacy notice (Law 91/2025)."""

    class Purpose(models.TextChoices):
        PRIVACY_NOTICE = "privacy_notice", _("Processing of personal data per the privacy notice")

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
        return f"{self.user_id} {self.purpose} v{self.notice_version}"

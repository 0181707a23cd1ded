"""Data: phone numbers in E.164 (+84912345678), and no placeholder addresses.

People imported with only a phone got `<digits>@khong-co-email.hocso.invalid`; e-mail is
optional now, so the placeholder becomes NULL (and allauth's EmailAddress rows for it go).
A phone that cannot be read as a mobile number is left as it was; one whose E.164 form
another account already holds is left as it was too (never two accounts on one number).
"""

from django.db import migrations

PLACEHOLDER_DOMAIN = "@khong-co-email.hocso.invalid"


def forwards(apps, schema_editor):
    from accounts.phones import to_e164

    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    EmailAddress.objects.filter(email__iendswith=PLACEHOLDER_DOMAIN).delete()
    User.objects.filter(email__iendswith=PLACEHOLDER_DOMAIN).update(email=None)
    taken = set(User.objects.exclude(phone=None).values_list("phone", flat=True))
    for user in User.objects.exclude(phone=None).exclude(phone__startswith="+").order_by("pk"):
        e164 = to_e164(user.phone)
        if e164 and e164 not in taken:
            taken.add(e164)
            User.objects.filter(pk=user.pk).update(phone=e164)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_phone_login"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certificates: issued once inside course completion, rendered in the background."""

    name = "courses.certificates"
    label = "certificates"
    verbose_name = "Certificates"

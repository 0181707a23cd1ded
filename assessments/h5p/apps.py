from django.apps import AppConfig


class H5PConfig(AppConfig):
    """H5P packages, the approved library pool, launches and xAPI results."""

    name = "assessments.h5p"
    label = "h5p"
    verbose_name = "H5P"

"""Admin form of the SCORM package snippet: the title and the .zip (stored by services)."""

from django.utils.translation import gettext_lazy as _

from assessments.h5p.forms import PackageForm, archive_field


class ScormPackageForm(PackageForm):
    archive = archive_field(
        _("SCORM package (.zip)"),
        _(
            "A SCORM 1.2 or 2004 package exported by iSpring, Articulate, Captivate and the "
            "like. It is checked in the background: the status below shows the result and "
            "every reason if it is refused."
        ),
    )

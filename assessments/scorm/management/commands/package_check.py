"""`manage.py package_check PATH...`: check H5P and SCORM files without storing anything.

One line a file: `ok h5p|scorm12|scorm2004 <title>` or `refused <reasons>` (prefixed by the
path when more than one file is given); exit status 1 when any file is refused. With
CLAMAV_SOCKET set, each file is scanned by ClamAV too (an unavailable scanner refuses).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from assessments.h5p.services import approved_pool
from assessments.scorm.packages import package_verdict
from cms import antivirus


class Command(BaseCommand):
    help = "Check H5P and SCORM package files without storing them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")

    def handle(self, *args, paths, **options):
        try:  # H5P libraries already approved count as present
            pool = approved_pool()
        except DatabaseError:  # no database here: the package's own libraries only
            pool = None
            self.stderr.write("no database: H5P packages must carry all their libraries")
        refused = 0
        for path in paths:
            verdict = package_verdict(path, pool=pool)
            if antivirus.enabled():  # CLAMAV_SOCKET set: scanned too, as an upload is
                try:
                    signature = antivirus.scan_file(path)
                except antivirus.ScannerUnavailable as exc:
                    verdict.errors.insert(0, f"virus scanner unavailable ({exc})")
                else:
                    if signature:
                        verdict.errors.insert(0, antivirus.infected_message(signature))
            refused += not verdict.ok
            prefix = f"{path}: " if len(paths) > 1 else ""
            self.stdout.write(prefix + verdict.line())
        if refused:
            raise CommandError(f"{refused} of {len(paths)} refused", returncode=1)

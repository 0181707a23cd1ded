"""`manage.py rollups_rebuild`: recompute the dashboards' rollups from the raw rows now."""

import time

from django.core.management.base import BaseCommand

from campaigns.reporting.rollups import rollups_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the rollup tables (day, month, total) from enrolments, certificates, "
        "assignments and memberships."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = rollups_rebuild()
        self.stdout.write(
            f"rollups rebuilt for {result['people']} people: {result['day_rows']} day rows "
            f"in {time.perf_counter() - started:.1f} s"
        )

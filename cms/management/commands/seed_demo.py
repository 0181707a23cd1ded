"""Load the Vietnamese demo data, idempotently, and print the demo accounts.

Each app's demo content lives in its own `<app>/demo.py` (a `load(stdout)` function); the
order is settings.DEMO_LOADERS (lower floors first), looked up by name like INSTALLED_APPS,
so this command imports no app above cms.
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from cms.demo import print_accounts


def demo_loaders():
    for dotted in settings.DEMO_LOADERS:
        try:
            module = import_module(dotted)
        except ModuleNotFoundError as exc:
            if exc.name != dotted:
                raise
            continue  # that app has no demo content yet
        yield dotted, module.load


class Command(BaseCommand):
    help = "Load the Vietnamese demo data (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        for dotted, load in demo_loaders():
            with transaction.atomic():
                load(self.stdout)
            self.stdout.write(f"  loaded {dotted}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        print_accounts(self.stdout)
        self.stdout.write("Site: http://127.0.0.1:8000/   Admin: http://127.0.0.1:8000/admin/")

"""`manage.py questions_export --bank NAME --format gift|moodlexml|xlsx PATH`: a bank (a
category and every category below it) written as the admin's export writes it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import selectors
from assessments.bank_formats import EXPORTERS


class Command(BaseCommand):
    help = "Export the questions of a bank (a category and those below it) to a file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--bank", required=True, help="Category name (with its subcategories).")
        parser.add_argument("--format", choices=list(EXPORTERS), default="gift")

    def handle(self, *args, path: Path, bank: str, format: str, **options):
        ids = selectors.bank_category_ids(bank)
        if not ids:
            raise CommandError(f"no category named {bank!r}")
        questions = selectors.bank_for_export(category_ids=ids, with_files=format == "moodlexml")
        content = EXPORTERS[format](questions)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        self.stdout.write(f"{len(questions)} questions written to {path}")

"""`manage.py questions_import PATH --bank NAME [--dry-run] [--all-or-nothing]`: a question
bank file (GIFT, Moodle XML, Aiken, the XLSX template) into the bank, as the admin's import does.

Prints one line per question, `ready|imported|refused <type> <name or first words>
[line N: reason]`, then `N ready, M refused`. Without --dry-run the ready questions are
imported (with --all-or-nothing: every question, or none while one is refused)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.bank_formats import PARSERS, format_for_name


class Command(BaseCommand):
    help = "Import a question bank file (GIFT, Aiken, XLSX): a line per question, then a summary."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--bank", required=True, help="Category of the questions the file puts in none."
        )
        parser.add_argument("--format", choices=["auto", *PARSERS], default="auto")
        parser.add_argument("--dry-run", action="store_true", help="List, import nothing.")
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="Import nothing while one is refused."
        )

    def handle(self, *args, path: Path, bank: str, format: str, dry_run: bool, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        fmt = format_for_name(path.name) if format == "auto" else format
        result = PARSERS[fmt](data, default_category=bank)
        for problem in result.file_problems:
            self.stderr.write(str(problem))
        imported = False
        if not dry_run and result.ready:
            try:
                services.bank_import_checked(
                    result=result, default_category=bank, all_or_nothing=options["all_or_nothing"]
                )
            except services.ImportRefused as refused:
                self.stderr.write("; ".join(str(p) for p in refused.problems))
            else:
                imported = True
        for item in result.items:
            self.stdout.write(item.summary(imported=imported))
        self.stdout.write(result.summary())
        if result.file_problems or (not dry_run and result.refused and not imported):
            raise CommandError("nothing was imported")

"""Link person records across cases and forces with the trained Splink model (docs/linkage.md)."""

from django.core.management.base import BaseCommand, CommandError

from cases.linkage.runs import LinkageBusy, link_people


class Command(BaseCommand):
    help = (
        "Link person records probabilistically: new records against all (incremental) unless "
        "--full; --train trains a new model version first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Compare all records again.")
        parser.add_argument(
            "--train", action="store_true", help="Train a new model version, then link all."
        )

    def handle(self, *args, full=False, train=False, **options):
        try:
            outcome = link_people(full=full, train=train)
        except LinkageBusy as error:
            raise CommandError(str(error)) from None
        run = outcome.run
        kind = "incremental" if run.incremental else "full"
        self.stdout.write(
            f"Linkage run {run.pk} ({kind}, model v{outcome.model.version}): "
            f"records {run.records:,}, new records {run.new_records:,}, "
            f"comparisons {run.comparisons:,}, links {run.links:,}, review {run.review:,}, "
            f"clusters {run.clusters:,}, seconds {run.seconds:.1f}, "
            f"peak MB {run.peak_memory_mb:,.0f}"
        )

"""Fill a database of its own with synthetic data at national size (see beaconport.scale)."""

import dataclasses

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from beaconport.scale import ScaleSizes, scale_seed, seed_refusal

DEFAULTS = ScaleSizes()


class Command(BaseCommand):
    help = (
        "Write synthetic cases, users, grants, liaison data and case-file material in bulk "
        "(issue 9: 100,000 cases by default; --documents 0 writes no documents). Only into a "
        "database of its own, with DEBUG on (or --force)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiply every default size (e.g. 0.01)."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed (same seed, same data)."
        )
        for f in dataclasses.fields(ScaleSizes):
            parser.add_argument(
                f"--{f.name.replace('_', '-')}",
                type=int,
                dest=f.name,
                help=f"Default {getattr(DEFAULTS, f.name):,} (times --scale).",
            )
        parser.add_argument(
            "--alongside-other-cases",
            action="store_true",
            help="Seed even though the database holds cases seed_scale did not make.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on real data)."
        )

    def handle(self, *args, scale, seed, alongside_other_cases, force, verbosity, **options):
        try:
            sizes = DEFAULTS.scaled(scale) if scale != 1 else DEFAULTS
        except ValueError as error:
            raise CommandError(str(error)) from None
        given = {
            f.name: options[f.name]
            for f in dataclasses.fields(ScaleSizes)
            if options.get(f.name) is not None
        }
        sizes = dataclasses.replace(sizes, **given)
        if problems := sizes.problems():
            raise CommandError("; ".join(problems))
        refusal = seed_refusal(debug=settings.DEBUG, force=force, alongside=alongside_other_cases)
        if refusal:
            raise CommandError(refusal)
        result = scale_seed(sizes=sizes, seed=seed, progress=verbosity > 0, out=self.stderr)
        width = max(len(table) for table in result.counts)
        self.stdout.write(f"{'table':<{width}} {'rows':>10}")
        for table, count in result.counts.items():
            self.stdout.write(f"{table:<{width}} {count:>10,}")
        self.stdout.write(f"{'total':<{width}} {sum(result.counts.values()):>10,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {sizes.cases:,} synthetic cases (seed {seed}) in {result.seconds:.1f} s."
            )
        )

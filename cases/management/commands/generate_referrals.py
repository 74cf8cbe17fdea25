"""Write a synthetic referral file: the same seed always gives the same bytes."""

from django.core.management.base import BaseCommand, CommandError

from cases.referrals.generator import FORCES, referral_file_generate


class Command(BaseCommand):
    help = (
        "Write a synthetic referral file (no real person is described) that follows the "
        "referral format; deterministic for a given seed, streamed so any size is fine."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="Where to write the file.")
        parser.add_argument("--count", type=int, required=True, help="How many referrals.")
        parser.add_argument("--seed", type=int, required=True, help="Random seed.")
        parser.add_argument(
            "--forces", type=int, default=23, help=f"Distinct referring forces (1-{len(FORCES)})."
        )
        parser.add_argument(
            "--rape", type=int, help="Referrals alleging rape (default: about 18.5%%)."
        )
        parser.add_argument(
            "--reference-prefix",
            default="",
            help="Prefix for force references, to make a fresh set of referrals.",
        )

    def handle(self, *args, out, count, seed, forces, rape, reference_prefix, **options):
        if count < 0:
            raise CommandError("--count must not be negative")
        try:
            written = referral_file_generate(
                out,
                count=count,
                seed=seed,
                forces=forces,
                rape=rape,
                reference_prefix=reference_prefix,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {written} synthetic referrals to {out}."))

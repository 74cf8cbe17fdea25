"""Write a synthetic referral file: the same seed always gives the same bytes."""

from django.core.management.base import BaseCommand, CommandError

from cases.referrals.generator import FORCES, referral_file_generate
from cases.referrals.generator_v2 import REVIEW_REFERRALS, generate_v2


class Command(BaseCommand):
    help = (
        "Write a synthetic referral file (no real person is described) that follows the "
        "referral format; deterministic for a given seed, streamed so any size is fine."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="Where to write the file.")
        parser.add_argument(
            "--count",
            type=int,
            default=REVIEW_REFERRALS,
            help=f"How many referrals (default {REVIEW_REFERRALS}, the review's first set).",
        )
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
        parser.add_argument(
            "--format",
            type=int,
            choices=(1, 2),
            default=1,
            help=(
                "File format version (default 1). Version 2 adds identifiers, people who "
                "recur across referrals and forces, written messily, and writes the true "
                "links beside the file as <file>.links.json."
            ),
        )

    def handle(self, *args, out, count, seed, forces, rape, reference_prefix, **options):
        if count < 0:
            raise CommandError("--count must not be negative")
        if options["format"] == 2:
            try:
                _, links = generate_v2(
                    out,
                    referrals=count,
                    seed=seed,
                    forces=forces,
                    rape=rape,
                    reference_prefix=reference_prefix,
                )
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {count} synthetic referrals (format 2) to {out}, "
                    f"and who is who to {links}."
                )
            )
            return
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

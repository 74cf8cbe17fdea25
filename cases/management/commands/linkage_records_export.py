"""Write the records linkage compares as one Parquet file, for a Spark cluster to read."""

from pathlib import Path

from django.core.management.base import BaseCommand

from cases.linkage import frame


class Command(BaseCommand):
    help = (
        "Export every person record in its compared form (cases/linkage/frame.py) as Parquet: "
        "the input of a linkage run on a Spark cluster (docs/linkage.md, 'Running on Spark')."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The Parquet file to write.")

    def handle(self, *args, path: Path, **options):
        import pyarrow.parquet as pq

        table = frame.records_frame()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Names and dates of birth: the file is as sensitive as the database it came from.
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        pq.write_table(table, path, compression="zstd")
        self.stdout.write(f"Wrote {table.num_rows:,} records to {path}.")

"""The database Splink computes in: DuckDB in this process, configured from settings.

DuckDB is the default: it needs no server, reads the records as an Arrow table without a
copy, spills to disk past its memory limit, and runs the 550,000-record linkage on two
cores. `LINKAGE_DUCKDB_MEMORY`, `LINKAGE_DUCKDB_THREADS` and `LINKAGE_DUCKDB_TEMP_DIR`
bound what it may use (docs/linkage.md).
"""

from pathlib import Path

from django.conf import settings


def duckdb_api():
    """A fresh in-memory DuckDB for one run, within the configured memory and threads."""
    import duckdb
    from splink import DuckDBAPI

    temp = Path(settings.LINKAGE_DUCKDB_TEMP_DIR)
    temp.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": settings.LINKAGE_DUCKDB_MEMORY,
            "threads": settings.LINKAGE_DUCKDB_THREADS,
            "temp_directory": str(temp),
            "preserve_insertion_order": False,
        },
    )
    return DuckDBAPI(connection=con)


def db_api():
    """The Splink database API of the configured backend (`LINKAGE_BACKEND`)."""
    backend = settings.LINKAGE_BACKEND
    if backend == "duckdb":
        return duckdb_api()
    if backend == "spark":
        from cases.linkage.spark import spark_api  # pyspark and Java: the `spark` extra

        return spark_api()
    raise ValueError(f"Unknown LINKAGE_BACKEND {backend!r}")

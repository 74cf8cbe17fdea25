"""Splink on Spark: the same trained model, for when the records outgrow one machine.

`LINKAGE_BACKEND=spark` makes `cases.linkage.backends.db_api` return `spark_api()`: a Spark
session (`LINKAGE_SPARK_MASTER`, local[2] by default, or a cluster's master URL) with
Splink's similarity functions (its bundled jar), wrapped in Splink's `SparkAPI`.

The model is trained and saved on DuckDB, and its comparison levels are written in DuckDB's
SQL (`cases.linkage.spec`). Rather than keep a second copy of every level, each statement
Splink sends to Spark is translated on its way (`duckdb_to_spark`): list functions become
Spark's array functions, DuckDB's Jaro-Winkler becomes the jar's, a string slice becomes
SUBSTRING. Weights, thresholds and blocking are the model's own, so a pair scores the same.
"""

import logging
from functools import lru_cache
from pathlib import Path

import sqlglot
from django.conf import settings
from sqlglot import exp

logger = logging.getLogger(__name__)

# DuckDB's name -> Spark's (or the Splink jar's) for the functions the model uses.
RENAMED = {
    "list_contains": "array_contains",
    "list_intersect": "array_intersect",
    "jaro_winkler_similarity": "jaro_winkler",
}


def _spark_node(node: exp.Expression) -> exp.Expression:
    """One node of a statement in Spark's terms (see the module's docstring)."""
    if isinstance(node, exp.Anonymous) and node.name.lower() in RENAMED:
        return exp.Anonymous(this=RENAMED[node.name.lower()], expressions=node.expressions)
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(this="jaro_winkler", expressions=[node.this, node.expression])
    if isinstance(node, exp.Length) and isinstance(node.this, exp.Anonymous | exp.ArrayIntersect):
        # DuckDB's len() of a list is Spark's size(); Spark's length() is of a string.
        return exp.Anonymous(this="size", expressions=[node.this.transform(_spark_node)])
    if (
        isinstance(node, exp.Bracket)
        and len(node.expressions) == 1
        and isinstance(node.expressions[0], exp.Slice)
    ):
        # DuckDB's text[a:b] (1-based, both ends included) is SUBSTRING(text, a, b - a + 1).
        start = int(node.expressions[0].this.name)
        end = int(node.expressions[0].expression.name)
        return exp.Substring(
            this=node.this,
            start=exp.Literal.number(start),
            length=exp.Literal.number(end - start + 1),
        )
    return node


@lru_cache(maxsize=512)
def duckdb_to_spark(sql: str) -> str:
    """A statement Splink wrote for Spark around the model's DuckDB levels, all in Spark SQL."""
    # Registers Splink's "customspark" dialect (needs sqlglot only, not pyspark).
    from splink.internals.spark.spark_helpers import custom_spark_dialect  # noqa: F401

    tree = sqlglot.parse_one(sql, read="spark").transform(_spark_node)
    return tree.sql(dialect="customspark", pretty=True)


def spark_session():
    """The Spark session linkage runs in, built from settings (one per process)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    checkpoints = settings.LINKAGE_SPARK_CHECKPOINT_DIR
    if "://" not in checkpoints:  # a local directory; a cluster's storage makes its own
        Path(checkpoints).mkdir(parents=True, exist_ok=True)
    builder = (
        SparkSession.builder.master(settings.LINKAGE_SPARK_MASTER)
        .appName("beaconport-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(settings.LINKAGE_SPARK_PARTITIONS))
        .config("spark.default.parallelism", str(settings.LINKAGE_SPARK_PARTITIONS))
        .config("spark.driver.memory", settings.LINKAGE_SPARK_DRIVER_MEMORY)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if settings.LINKAGE_SPARK_MASTER.startswith("local"):
        # On one machine Spark needs no network beyond loopback.
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config(
            "spark.driver.host", "127.0.0.1"
        )
    for pair in settings.LINKAGE_SPARK_CONF:
        key, _, value = pair.partition("=")
        builder = builder.config(key.strip(), value.strip())
    # py4j says goodbye at INFO from a finaliser, after the program's logging has closed.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(checkpoints)
    return session


def spark_api():
    """Splink's Spark API on `spark_session()`, translating the model's SQL as it goes."""
    from splink.backends.spark import SparkAPI

    class DuckDBModelSparkAPI(SparkAPI):
        """SparkAPI that runs a model whose levels are written in DuckDB's SQL."""

        def _setup_for_execute_sql(self, sql: str, physical_name: str) -> str:
            return duckdb_to_spark(sql)

    local = settings.LINKAGE_SPARK_MASTER.startswith("local")
    session = spark_session()
    # One session serves a process's runs (a worker's, or training then scoring): each API
    # starts clean, as DuckDB's fresh database does, or Splink refuses the records' name.
    for table in session.catalog.listTables():
        if table.isTemporary:
            session.catalog.dropTempView(table.name)
    return DuckDBModelSparkAPI(
        spark_session=session,
        num_partitions_on_repartition=settings.LINKAGE_SPARK_PARTITIONS,
        # Splink cuts each step's lineage: in memory on one machine; on a cluster, as
        # Parquet under the checkpoint directory (Splink's default), which survives a lost
        # executor.
        break_lineage_method="persist" if local else None,
    )

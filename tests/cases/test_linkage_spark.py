"""The same trained model on Spark: a model trained and saved on DuckDB, run on Spark in
local mode over a few hundred generated records, finds the same links with the same scores
and the same reasons. Skips without pyspark or Java, except under CI=true, where it fails.

One Spark session for the module (starting a JVM is most of the cost).
"""

import datetime
import importlib.util
import io
import json
import os
import shutil

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.test import override_settings

from cases.linkage import backends, engine, frame, keys
from cases.linkage.spark import duckdb_to_spark
from cases.referrals.generator_v2 import generate_v2
from tests.services import require_service

# Small data: two partitions, a JVM that starts quickly and never compiles hard.
SMALL_SPARK = {
    "LINKAGE_SPARK_MASTER": "local[2]",
    "LINKAGE_SPARK_PARTITIONS": 2,
    "LINKAGE_SPARK_DRIVER_MEMORY": "1g",
    "LINKAGE_SPARK_CONF": [
        "spark.driver.extraJavaOptions=-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
        "spark.sql.adaptive.enabled=false",
    ],
}
REVIEW = 0.5


def spark_here() -> bool:
    java = shutil.which("java") or (
        os.environ.get("JAVA_HOME") and shutil.which("java", path=f"{os.environ['JAVA_HOME']}/bin")
    )
    return importlib.util.find_spec("pyspark") is not None and bool(java)


def records_of(path) -> list[dict]:
    """The frame rows of a generated version 2 file (party ids numbered in file order)."""
    referrals = json.loads(path.read_text())["referrals"]
    rows = []
    for case_id, referral in enumerate(referrals, start=1):
        for role, people in (("suspect", referral["suspects"]), ("victim", referral["victims"])):
            for person in people:
                born = person.get("date_of_birth")
                rows.append(
                    frame.record(
                        party_id=len(rows) + 1,
                        case_id=case_id,
                        role=role,
                        surname=person["surname"],
                        forenames=person["forenames"],
                        date_of_birth=datetime.date.fromisoformat(born) if born else None,
                        pnc_id=person.get("pnc_id"),
                        identifiers={
                            kind: [keys.identifier_key(kind, v) for v in person.get(field) or []]
                            for kind, field in (
                                ("alias", "aliases"),
                                ("postcode", "postcodes"),
                                ("phone", "phones"),
                                ("vehicle", "vehicles"),
                            )
                        },
                    )
                )
    return rows


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """Pairs scored by DuckDB and by Spark with one model, read back from its saved file."""
    if not spark_here():
        require_service("Spark (pyspark and Java 17)", False, "pip install '.[spark]'")
    folder = tmp_path_factory.mktemp("spark")
    path, _ = generate_v2(folder / "referrals.json", referrals=60, seed=7)
    table = frame.records_table(records_of(path))
    model_file = folder / "model-v1.json"
    model_file.write_text(json.dumps(engine.model_train(table, api=backends.duckdb_api())))
    model = json.loads(model_file.read_text())

    def score(api):
        return engine.pairs_score(table, model, incremental=False, review_threshold=REVIEW, api=api)

    duckdb = score(backends.duckdb_api())
    parquet = folder / "records.parquet"
    pq.write_table(table, parquet)
    with override_settings(LINKAGE_BACKEND="spark", **SMALL_SPARK):
        api = backends.db_api()
        try:
            spark = score(api)
            # On a cluster the records come from storage, not through the driver.
            from_parquet = engine.pairs_score(
                api.spark.read.parquet(str(parquet)),
                model,
                incremental=False,
                review_threshold=REVIEW,
                api=backends.db_api(),
            )
        finally:
            api.spark.stop()
    return {
        "records": table.num_rows,
        "duckdb": duckdb,
        "spark": spark,
        "from_parquet": from_parquet,
    }


def by_pair(result):
    return {(pair.left, pair.right): pair for pair in result.pairs}


def test_spark_finds_the_same_links_as_duckdb_with_the_saved_model(scored):
    duckdb, spark = by_pair(scored["duckdb"]), by_pair(scored["spark"])
    assert scored["records"] > 200
    assert len(duckdb) > 20  # the generated people recur: there is something to find
    assert spark.keys() == duckdb.keys()
    assert scored["spark"].comparisons == scored["duckdb"].comparisons
    for key, pair in duckdb.items():
        assert spark[key].probability == pytest.approx(pair.probability, abs=1e-6)
        assert spark[key].cross_role == pair.cross_role


def test_spark_reads_the_records_from_parquet_and_finds_the_same_links(scored):
    assert by_pair(scored["from_parquet"]).keys() == by_pair(scored["duckdb"]).keys()


def test_spark_gives_the_same_reasons_field_by_field(scored):
    duckdb, spark = by_pair(scored["duckdb"]), by_pair(scored["spark"])
    for key, pair in duckdb.items():
        assert [(e["comparison"], e["level"]) for e in spark[key].evidence] == [
            (e["comparison"], e["level"]) for e in pair.evidence
        ]
        assert [e["weight"] for e in spark[key].evidence] == pytest.approx(
            [e["weight"] for e in pair.evidence], abs=1e-3
        )


def test_the_models_duckdb_sql_is_said_in_sparks_words():
    sql = (
        "SELECT CASE WHEN len(list_intersect(phones_l, phones_r)) >= 1 THEN 1"
        " WHEN list_contains(coalesce(aliases_l, []), forename1_r) THEN 2"
        " WHEN dob_md_l[4:5] = dob_md_r[4:5] THEN 3"
        " WHEN jaro_winkler_similarity(surname_l, surname_r) >= 0.92 THEN 4 END FROM t"
    )
    spark = " ".join(duckdb_to_spark(sql).split())
    assert "SIZE(ARRAY_INTERSECT(phones_l, phones_r)) >= 1" in spark
    assert "ARRAY_CONTAINS(COALESCE(aliases_l, ARRAY()), forename1_r)" in spark
    assert "SUBSTRING(dob_md_l, 4, 2) = SUBSTRING(dob_md_r, 4, 2)" in spark
    assert "JARO_WINKLER(surname_l, surname_r) >= 0.92" in spark


@pytest.mark.django_db
def test_the_records_export_as_parquet_in_their_compared_form(tmp_path):
    from tests.factories import make_case

    case = make_case(suspects=2, victims=1)
    path = tmp_path / "out" / "records.parquet"
    out = io.StringIO()

    call_command("linkage_records_export", str(path), stdout=out)

    table = pq.read_table(path)
    assert table.schema == frame.SCHEMA
    assert sorted(table.column("unique_id").to_pylist()) == sorted(
        case.parties.values_list("pk", flat=True)
    )
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert "Wrote 3 records" in out.getvalue()

"""Splink on a frame of records: train a model, score pairs, explain each score.

Pure computation: a frame in (`cases.linkage.frame`), a model (Splink's settings with
trained parameters) and scored pairs out. Nothing here reads or writes the database;
`cases.linkage.runs` does, around it.
"""

import logging
import math
from dataclasses import dataclass

import pyarrow as pa

from cases.linkage import spec

logger = logging.getLogger(__name__)

TABLE = "beaconport_records"  # the frame's name inside Splink's database: a plain identifier
U_SAMPLE_PAIRS = 2e6
EM_MAX_PAIRS = 1e6
SEED = 10


@dataclass(frozen=True)
class Pair:
    """Two records scored by the model (`left < right`), with the reasons field by field."""

    left: int
    right: int
    probability: float
    weight: float
    cross_role: bool
    evidence: list[dict]


@dataclass
class Scored:
    """What one prediction found: the pairs at or above the review threshold, and how many
    pairs blocking let the model compare."""

    pairs: list[Pair]
    comparisons: int


def _linker(api, table: pa.Table, model: dict):
    from splink import Linker

    registered = api.register(table, dataset_display_name=TABLE)
    return Linker(registered, model, log_level=logging.ERROR)


def model_train(table: pa.Table, *, api) -> dict:
    """A model trained on these records: u by random sampling, m by expectation maximisation.

    The prior (the chance that two records are one person) is estimated from near-certain
    matches; m and u of the PNC ID stay fixed (`spec.PNC_SAME`).
    """
    linker = _linker(api, table, spec.settings())
    linker.training.estimate_probability_two_random_records_match(
        [spec.training_rule(rule) for rule in spec.DETERMINISTIC_RULES],
        recall=spec.DETERMINISTIC_RECALL,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
    for rule in spec.TRAINING_RULES:
        linker.training.estimate_parameters_using_expectation_maximisation(
            spec.training_rule(rule),
            estimate_without_term_frequencies=True,
            # A sample of each rule's pairs: enough to estimate m, the same at any size.
            max_pairs=EM_MAX_PAIRS,
        )
    return linker.misc.save_model_to_json(overwrite=True)


def _with_rules(model: dict, *, incremental: bool) -> dict:
    """The trained model with this run's blocking rules (incremental or full)."""
    return {
        **model,
        "blocking_rules_to_generate_predictions": spec.blocking_rules(incremental=incremental),
    }


def _labels(model: dict) -> list[tuple[str, dict[int, str]]]:
    """Per comparison, its output column and each comparison vector value's label."""
    labels = []
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [level for level in levels if not level.get("is_null_level")]
        by_value = {-1: "missing"}
        for index, level in enumerate(non_null):
            by_value[len(non_null) - 1 - index] = level.get("label_for_charts", "")
        labels.append((comparison["output_column_name"], by_value))
    return labels


def prior_weight(model: dict) -> float:
    """The match weight before any field is compared: log2 of the prior odds."""
    prior = model["probability_two_random_records_match"]
    return math.log2(prior / (1 - prior))


def pairs_score(
    table: pa.Table, model: dict, *, incremental: bool, review_threshold: float, api
) -> Scored:
    """Score the pairs blocking finds; keep those at or above `review_threshold`.

    In an incremental run only pairs with at least one new record (`is_new`) are compared.
    """
    linker = _linker(api, table, _with_rules(model, incremental=incremental))
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    comparisons = blocked.query_sql("SELECT count(*) AS n FROM {this}").as_record_list()[0]["n"]
    predictions = linker.inference.predict(
        threshold_match_probability=review_threshold, warning_mode="never"
    )
    pairs = _pairs(predictions, model)
    blocked.drop_table_from_database_and_remove_from_cache()
    return Scored(pairs=pairs, comparisons=comparisons)


def pnc_pairs_score(
    table: pa.Table, model: dict, *, incremental: bool, below: float, api
) -> list[Pair]:
    """The pairs of records holding one PNC ID that score below `below`, each explained.

    One PNC ID is one person (docs/linkage.md), but its +12 cannot lift a pair whose names
    and dates all disagree into the review band, so `pairs_score` drops such a pair. This
    second, narrow prediction blocks on the PNC ID alone (same role, and suspect/victim) and
    keeps every pair it finds with no threshold; there are few, as a PNC ID is held by one
    person's records. Give it its own `api`: Splink caches intermediate tables per database.
    """
    rules = spec.pnc_blocking_rules(incremental=incremental)
    linker = _linker(api, table, {**model, "blocking_rules_to_generate_predictions": rules})
    predictions = linker.inference.predict(warning_mode="never")
    return _pairs(predictions, model, where=f"match_probability < {float(below)!r}")


def _pairs(predictions, model: dict, *, where: str | None = None) -> list[Pair]:
    """The scored pairs of a prediction (those `where` holds), with the reasons field by
    field: comparison levels and weights only, never a record's value."""
    labels = _labels(model)
    columns = [
        "unique_id_l",
        "unique_id_r",
        "match_probability",
        "match_weight",
        "role_l",
        "role_r",
    ]
    for name, _ in labels:
        columns += [f"gamma_{name}", f"mw_{name}"]
    present = {column.unquote().name for column in predictions.columns}
    tf_columns = {name: f"mw_tf_adj_{name}" for name, _ in labels if f"mw_tf_adj_{name}" in present}
    columns += list(tf_columns.values())
    # Only the pairs kept, and only these columns, leave Splink's database: comparison levels
    # and weights, never the records' values.
    sql = f"SELECT {', '.join(columns)} FROM {{this}}"  # noqa: S608 - our column names
    if where:
        sql += f" WHERE {where}"
    selected = predictions.query_sql(sql).as_dict()
    rows = zip(*(selected[c] for c in columns), strict=True)
    prior = {"comparison": "prior", "level": None, "weight": round(prior_weight(model), 3)}
    pairs = []
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        evidence = [prior]
        for name, by_value in labels:
            weight = values[f"mw_{name}"] + (values.get(tf_columns.get(name)) or 0.0)
            gamma = values[f"gamma_{name}"]
            evidence.append(
                {
                    "comparison": name,
                    "level": by_value.get(gamma, str(gamma)),
                    "weight": round(weight, 3),
                }
            )
        left, right = sorted((values["unique_id_l"], values["unique_id_r"]))
        pairs.append(
            Pair(
                left=left,
                right=right,
                probability=values["match_probability"],
                weight=values["match_weight"],
                cross_role=values["role_l"] != values["role_r"],
                evidence=evidence,
            )
        )
    return pairs

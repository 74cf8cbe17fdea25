"""Figures of the review for the oversight dashboards (issue 11, parts 1 and 2).

Pure reads: each service takes the Case queryset its caller has already narrowed to the
viewer's scope and the dashboard's filters, and returns `beaconport.reports.tables.Table`s.
Every figure is aggregated in the database (grouped and conditional counts, one window query
for the time spent in each status), in a fixed number of queries whatever the number of
cases; Python only lays out grouped rows, which the vocabularies and the 43 forces bound.
"""

from cases.figures.quality import quality_tables
from cases.figures.review import review_tables

__all__ = ["quality_tables", "review_tables"]

"""Oversight dashboards (issue 11): counts across the review, never names or free text for
analysts, small numbers suppressed, every dashboard downloadable as CSV.

The figures are computed by services in the app that owns the data (`cases.figures`,
`liaison.figures`), aggregated in the database, and returned as `tables.Table`; this
package scopes them to the viewer, suppresses small numbers, draws the charts and serves
the pages and downloads.
"""

"""Dashboard placeholder: DASHBOARD is set once its figures are built (issue 11)."""

DASHBOARD = None

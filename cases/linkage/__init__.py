"""The person index: linking records of one person across cases and forces (issue 10)."""

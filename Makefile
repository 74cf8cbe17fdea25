.PHONY: run test lint setup

run:
	scripts/run

test:
	scripts/test

setup:
	scripts/setup

lint:
	.venv/bin/ruff check .

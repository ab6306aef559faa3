"""Practica benchmarks: run them with ``.venv/bin/python bench/run.py`` (or ``make bench``); see docs/benchmarks.md."""

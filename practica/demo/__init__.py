"""The demo: ``manage.py seed_demo`` and its data by subject (network, discussions, events, knowledge)."""

"""Test helpers: factories and shared fixtures for the pytest suite."""

"""Fuzz registry entries, one file per topic; imported by ``tests/test_fuzz.py`` (see there)."""

"""Postings for the search tests: the one posting builder of tests/factories."""

from tests.factories import make_posting

__all__ = ["make_posting"]

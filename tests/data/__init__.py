"""Tests of :mod:`splitalloc.data`, one module per module of the package."""

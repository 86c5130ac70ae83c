"""Tests of the valuation engine, its rulebooks and the `sroi check` command."""

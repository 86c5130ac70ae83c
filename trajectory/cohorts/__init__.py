"""Cohorts at the overlegtafel, the signals, and the quarterly evaluation."""

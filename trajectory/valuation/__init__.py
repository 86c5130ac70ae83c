"""Valuation of Social Return: the pure engine, the rulebook editions and the `sroi` CLI,
and beside them the web side (contracts, claims, evidence, the ledger, exports).

This module imports nothing, so the engine can be loaded on its own.
"""

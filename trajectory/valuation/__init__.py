"""Valuation of Social Return: the pure engine, the rulebook editions and the `sroi` CLI."""

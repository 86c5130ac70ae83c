"""Organisations: the region, its municipalities and the care providers."""

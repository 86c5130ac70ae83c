"""Made-up demo data: the product's shop window."""

"""Administration of accounts and organisations."""

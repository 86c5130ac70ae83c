"""The audit trail (who changed what) and the processing log (who saw whose data)."""

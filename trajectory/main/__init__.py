"""Home pages per role, language switch, health checks and error pages."""

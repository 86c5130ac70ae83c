"""The learning line: stages of a candidate at providers, from intake to paid job."""

"""The buddy's progress log: contacts with a candidate and the signals they raise."""

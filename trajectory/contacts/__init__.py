"""The buddy's progress log: contacts with a candidate and the signals they raise."""


def init_app(app) -> None:
    """The candidate export's "last contact" column (trajectory.candidates.exports)."""
    from trajectory.contacts import exports

    exports.install()

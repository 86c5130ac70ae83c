"""What every service shares."""


class ServiceError(Exception):
    """A business rule refused the action; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

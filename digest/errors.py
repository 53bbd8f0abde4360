"""The error tree. The library raises these; only the CLI picks exit codes."""


class DigestError(Exception):
    """Root of every error digest raises on purpose."""


class ConfigError(DigestError):
    """The config file is missing or invalid. Carries every problem found."""

    def __init__(self, problems: list[str], path: str = "") -> None:
        self.problems = problems
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(where + "; ".join(problems))


class SourceError(DigestError):
    """One source could not be read. The run goes on with the others."""


class RenderError(DigestError):
    """A template is missing or broken."""


class DeliveryError(DigestError):
    """Mail could not be handed to the transport."""


class NotFound(DigestError):
    """A list, issue, article or subscriber that was named does not exist."""

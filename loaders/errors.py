"""One exception type for everything a refresh can fail on, with a one-line message for KS staff."""


class LoaderError(RuntimeError):
    """A source could not be fetched or did not look as expected. The message says which and why."""


class SchemaDrift(LoaderError):
    """The publisher changed the shape of a response (renamed dimension, unknown category, ...)."""

"""Exit codes of the `leadwerk` command (documented in README.md, "Exit codes")."""

SUCCESS = 0
FAILURE = 1  # a step failed, or an unexpected error; the log file has the details
USAGE = 2  # invalid arguments or environment; nothing was changed
FILES_REJECTED = 3  # the run completed, but this run rejected at least one landing file whole
PUBLISH_BLOCKED = 4  # the run completed, but a gate kept the previous serving copy


class UsageError(ValueError):
    """The command line or its environment is invalid; raised before anything is written."""

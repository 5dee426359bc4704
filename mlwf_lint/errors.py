"""The tool's own failures: a user's environment or configuration it cannot work with.

A broken *document* is never an exception (it is a finding); these are for the cases
where the run cannot go on, and each becomes exit code 2 with a one-line message.
"""


class UsageError(Exception):
    """Exit 2: the command line, the configuration or the environment is unusable."""

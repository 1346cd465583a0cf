"""The one error type of the offline preview's inputs and run: its message is all a user sees (exit 2)."""


class OfflineRunError(Exception):
    """The program could not run: bad config, a failed read, bad input, or an error in the program. Message only."""

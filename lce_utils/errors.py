"""One exception tree: every error a user can cause says where and what, in one line."""


class LCEError(Exception):
    """Root of every error LCE reports to a user (the CLI prints it as one line, exit status 1)."""


class UsageError(LCEError):
    """The command was called wrongly (exit status 2)."""


class DataError(LCEError):
    """An input file or value is wrong: the message names the file, row, column or field."""


class SubmissionError(LCEError):
    """A learner's submission could not be collected or graded."""


class ParameterError(LCEError):
    """A notebook or report parameter is not acceptable."""


class NotebookError(LCEError):
    """A notebook failed while executing: the message names the notebook and the cell."""

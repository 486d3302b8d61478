"""Learn, Create, Engage: the package that courses, labs, mentorship apps and reports import."""

from lce_utils.errors import LCEError

__version__ = "0.1.0"
__all__ = ["LCEError", "__version__"]

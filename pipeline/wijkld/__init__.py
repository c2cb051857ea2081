"""wijkld: the pilot "Nieuwe coalities voor de wijk" (2006-2007) as 5-star linked open data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wijkld")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

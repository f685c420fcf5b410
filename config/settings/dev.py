"""Local development on the embedded database (what `make run` uses)."""

from config.settings.base import *

DEBUG = env.DEBUG

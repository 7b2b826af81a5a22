"""Fixed inputs shared by the serving tests and the helper processes they start."""

from datetime import datetime

SALT = "9c1f0e7b4a2d4c6e8f0a1b2c3d4e5f60"
PUBLISHED_AT = datetime(2026, 11, 23, 4, 0, 0)

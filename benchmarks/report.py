"""What every benchmark report shares: where it was measured, and writing it out."""

from __future__ import annotations

import datetime as dt
import os
import platform


def measured_on() -> str:
    """``Measured DATE on MACHINE (N cores), Python X.Y.Z``."""
    return (f"Measured {dt.date.today().isoformat()} on {platform.machine()} ({os.cpu_count()} cores), "
            f"Python {platform.python_version()}")


def write_report(path: str, text: str) -> int:
    """Write a report and say where; the exit status for ``main``."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {path}")
    return 0

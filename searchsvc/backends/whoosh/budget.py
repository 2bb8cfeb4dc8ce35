"""A search's time limit, checked between the steps of matching."""
from __future__ import annotations

import time


class Budget:
    """A search's time limit: over() tells, and records, whether it has passed."""

    def __init__(self, deadline: float | None = None) -> None:
        self.deadline = deadline      # a time.monotonic() value; None: no limit
        self.exceeded = False

    def over(self) -> bool:
        """Return True (and remember it) once the deadline has passed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.exceeded = True
        return self.exceeded

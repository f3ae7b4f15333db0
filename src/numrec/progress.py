"""A small progress bar on stderr, so the app needs no extra dependency."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`with Progress(total, "epoch 1") as bar: bar.update(n, loss=0.1)`.

    Redraws at most every `interval` seconds; on a non-terminal stream it
    prints only the final line, so logs stay readable.
    """

    def __init__(
        self,
        total: int,
        desc: str = "",
        unit: str = "it",
        stream: TextIO | None = None,
        interval: float = 0.2,
        width: int = 24,
    ) -> None:
        self.total = max(total, 0)
        self.desc = desc
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.width = width
        self.count = 0
        self.info: dict[str, float | str] = {}
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: int = 1, **info: float | str) -> None:
        self.count += n
        self.info.update(info)
        now = time.perf_counter()
        if self._tty and now - self._last_draw >= self.interval:
            self._last_draw = now
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def line(self) -> str:
        elapsed = time.perf_counter() - self.start
        frac = self.count / self.total if self.total else 1.0
        filled = int(round(self.width * min(frac, 1.0)))
        bar = "#" * filled + "-" * (self.width - filled)
        rate = self.count / elapsed if elapsed > 0 else 0.0
        extra = " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in self.info.items())
        return (
            f"{self.desc} [{bar}] {self.count}/{self.total} {elapsed:5.1f}s {rate:,.0f} {self.unit}/s {extra}".rstrip()
        )

    def close(self) -> None:
        self.stream.write(("\r" if self._tty else "") + self.line() + "\n")
        self.stream.flush()

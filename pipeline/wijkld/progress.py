"""Progress of long runs (a live line per stage on a terminal, plain log lines in CI) and the summary of a build.

``Display(mode)`` with mode ``quiet`` (nothing), ``normal`` (on a terminal a live line
while a stage runs and one line when it ends; elsewhere a line every LOG_EVERY seconds
of a long stage and when it ends) or ``verbose`` (also a
line when a stage starts, and periodic lines even on a terminal's scrollback).
Progress goes to standard error, so standard output stays the build summary (:class:`Summary`).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

#: Seconds between plain log lines when standard error is not a terminal.
LOG_EVERY = 10.0
#: Seconds between redraws of the live line on a terminal.
REDRAW_EVERY = 0.2


def _count(n: float) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return f"{n:.0f}"


@dataclass
class Summary:
    """What a build read, made and wrote, for its summary on standard output."""

    records: int = 0
    resources: int | None = None  # None where the build does not count them (streaming)
    triples: int = 0
    violations: int = 0
    warnings: int = 0
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: seconds per stage, where the build times its stages
    stages: dict[str, float] = field(default_factory=dict)
    #: seconds of the parts of the stages ("map:store", "publish:wijkld.ttl", ...), for benchmarks/run.py
    parts: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        stages = ", ".join(f"{k} {v:.2f}" for k, v in self.stages.items())
        resources = [] if self.resources is None else [f"resources      {self.resources}"]
        return [
            f"records read   {self.records}",
            *resources,
            f"triples        {self.triples}",
            f"violations     {self.violations}",
            f"warnings       {self.warnings}",
            f"files written  {len(self.files)}",
            f"seconds        {self.seconds:.2f}" + (f" ({stages})" if stages else ""),
        ]


@dataclass
class Stage:
    name: str
    display: Display
    total: int | None = None
    records: int = 0
    triples: int = 0
    started: float = field(default_factory=time.perf_counter)
    last: float = 0.0

    def advance(self, records: int = 0, triples: int = 0) -> None:
        self.records += records
        self.triples += triples
        self.display.update(self)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def line(self) -> str:
        seconds = max(self.seconds, 1e-9)
        done = f"{_count(self.records)}" + (f"/{_count(self.total)}" if self.total else "")
        parts = [f"{self.name:<10}", f"records {done}"]
        if self.total:
            parts.append(f"{100 * min(self.records, self.total) / self.total:5.1f}%")
        parts.append(f"triples {_count(self.triples)}")
        rate = self.triples / seconds if self.triples else self.records / seconds
        parts.append(f"{_count(rate)} {'triples' if self.triples else 'records'}/s")
        parts.append(f"{seconds:6.1f} s")
        return "  ".join(parts)


class Display:
    """Where progress goes; ``mode`` is quiet, normal or verbose."""

    def __init__(self, mode: str = "normal", stream: TextIO | None = None, tty: bool | None = None) -> None:
        if mode not in ("quiet", "normal", "verbose"):
            raise ValueError(f"unknown progress mode {mode!r}")
        self.mode = mode
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.lines: list[str] = []  # what was printed, for tests

    def _emit(self, text: str, live: bool = False) -> None:
        if self.mode == "quiet":
            return
        if live:
            self.stream.write(f"\r\x1b[2K{text}")
        else:
            self.stream.write(("\r\x1b[2K" if self.tty else "") + text + "\n")
            self.lines.append(text)
        self.stream.flush()

    def message(self, text: str) -> None:
        """A line shown only with --verbose."""
        if self.mode == "verbose":
            self._emit(f"... {text}")

    def update(self, stage: Stage) -> None:
        now = time.perf_counter()
        if self.tty and self.mode != "quiet":
            if now - stage.last >= REDRAW_EVERY:
                stage.last = now
                self._emit(stage.line(), live=True)
        elif now - stage.last >= LOG_EVERY and stage.seconds >= LOG_EVERY:
            stage.last = now
            self._emit(stage.line())

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Stage]:
        stage = Stage(name, self, total)
        stage.last = stage.started
        self.message(f"{name} ...")
        yield stage
        # Off a terminal a stage shorter than LOG_EVERY stays silent, so a quick build
        # (or one that fails) keeps standard error for what matters: the error.
        if self.tty or self.mode == "verbose" or stage.seconds >= LOG_EVERY:
            self._emit(f"{stage.line()}  done")

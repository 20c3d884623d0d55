"""The ``lease machine`` child process and its line-delimited JSON protocol."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
from typing import Any, Iterator, Optional


class LeaseNotFound(RuntimeError):
    """Neither ``$LEASE`` nor ``PATH`` names a lease binary."""


class LeaseExited(RuntimeError):
    """The lease process ended while a request was waiting for its answer."""


def find_lease() -> str:
    """The lease binary: ``$LEASE`` when set, else ``lease`` on ``PATH``."""
    configured = os.environ.get("LEASE")
    if configured:
        path = os.path.expanduser(configured)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        raise LeaseNotFound(f"LEASE is set to {configured!r}, which is not an executable file")
    found = shutil.which("lease")
    if found:
        return found
    raise LeaseNotFound(
        "cannot find the lease binary: set LEASE to its path or put lease on PATH "
        "(build it with `swift build -c release --product lease`; it is .build/release/lease)"
    )


_EOF = object()


class LeaseProcess:
    """One ``lease machine`` process: a single session, requests in order.

    A reader thread turns stdout lines into messages on a queue, so waiting
    for an answer never blocks signal handling in the kernel's main thread.
    """

    def __init__(self, binary: Optional[str] = None, args: Optional[list[str]] = None):
        self.binary = binary or find_lease()
        self.args = list(args or [])
        self._next_id = 0
        self._messages: "queue.Queue[Any]" = queue.Queue()
        self.proc = subprocess.Popen(
            [self.binary, "machine", *self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            bufsize=0,
        )
        self._ended = threading.Event()
        self._reader = threading.Thread(target=self._read, name="lease-reader", daemon=True)
        self._reader.start()
        try:
            ready = self._wait(lambda m: m.get("event") == "ready", timeout=30)
        except LeaseExited as e:
            self.close(timeout=1)
            raise LeaseExited(
                f"`{self.binary} machine` did not start: {e} (a lease older than its `machine` subcommand cannot serve this kernel)"
            ) from None
        self.version = ready.get("version", "")
        self.protocol = ready.get("protocol", 0)
        # Whether this lease draws SVG charts (run histograms, plots).
        self.svg = bool(ready.get("svg", False))

    def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            for raw in self.proc.stdout:
                try:
                    self._messages.put(json.loads(raw))
                except ValueError:
                    continue
        except (OSError, ValueError):  # the pipe was closed under us
            pass
        self._ended.set()
        self._messages.put(_EOF)

    @property
    def alive(self) -> bool:
        # A killed lease closes its output as it dies; its exit status may come
        # a moment later (its other threads end after the first), so wait for it.
        if self._ended.is_set() and self.proc.poll() is None:
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        return self.proc.poll() is None

    def send(self, op: str, **fields: Any) -> int:
        """Writes one request; its id."""
        self._next_id += 1
        line = json.dumps({"id": self._next_id, "op": op, **fields}, ensure_ascii=False) + "\n"
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line.encode("utf-8"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise LeaseExited(self.exit_text()) from e
        return self._next_id

    def exit_text(self) -> str:
        """How the process ended, for a message."""
        code = self.proc.poll()
        if code is None:
            return "lease stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"lease was stopped by {name}"
        return f"lease exited with status {code}"

    def _next(self, timeout: Optional[float]) -> Any:
        """The next message, None after `timeout` seconds; raises at end of output."""
        try:
            msg = self._messages.get(timeout=timeout)
        except queue.Empty:
            return None
        if msg is _EOF:
            self._messages.put(_EOF)
            self.proc.wait()
            raise LeaseExited(self.exit_text())
        return msg

    def _wait(self, match, timeout: float) -> dict:
        import time

        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LeaseExited("lease did not answer in time")
            msg = self._next(min(left, 0.1))
            if msg is not None and match(msg):
                return msg

    def messages(self, request_id: int, poll: float = 0.1) -> Iterator[Optional[dict]]:
        """Every message answering `request_id`, ending with its ``done``.

        Yields None every `poll` seconds while nothing arrives, so the caller
        can look at other things (such as a pending interrupt) in between.
        """
        while True:
            msg = self._next(poll)
            if msg is None:
                yield None
                continue
            if msg.get("id") != request_id:
                continue
            yield msg
            if msg.get("event") == "done":
                return

    def request(self, op: str, timeout: float = 60, **fields: Any) -> dict:
        """Sends a request and returns its ``done`` message (outputs dropped)."""
        rid = self.send(op, **fields)
        return self._wait(lambda m: m.get("id") == rid and m.get("event") == "done", timeout)

    def interrupt(self) -> None:
        """Stops the running request: SIGINT, as Ctrl-C in the REPL."""
        if self.alive:
            try:
                self.proc.send_signal(signal.SIGINT)
            except OSError:
                pass

    def close(self, timeout: float = 5) -> None:
        if self.alive:
            try:
                self.send("shutdown")
                self.proc.wait(timeout=timeout)
            except (LeaseExited, subprocess.TimeoutExpired):
                pass
        if self.alive:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=timeout)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

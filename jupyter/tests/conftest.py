"""Fixtures: the lease binary, a `lease machine` process, and `lease` kernels
started through jupyter_client exactly as Jupyter starts them."""

from __future__ import annotations

import os
import queue
import re
import time
from pathlib import Path
from typing import Any, Optional

import pytest

from lease_kernel.process import LeaseProcess, find_lease

REPO = Path(__file__).resolve().parents[2]
COLOSSUS = REPO / "examples" / "colossus.lease"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: str) -> str:
    """`text` without ANSI colours."""
    return ANSI.sub("", text)


@pytest.fixture(scope="session")
def lease_binary() -> str:
    try:
        return find_lease()
    except Exception as e:  # a clear failure, not a skip: the suite needs lease
        pytest.fail(f"{e} (scripts/test-jupyter sets LEASE to .build/release/lease)")


@pytest.fixture
def machine(lease_binary: str):
    proc = LeaseProcess(lease_binary)
    yield proc
    proc.close()


class Cell:
    """What one execute request produced."""

    def __init__(self, reply: dict, outputs: list[dict], elapsed: float):
        self.reply = reply
        self.outputs = outputs
        self.elapsed = elapsed

    @property
    def status(self) -> str:
        return self.reply["status"]

    def of(self, msg_type: str) -> list[dict]:
        return [o["content"] for o in self.outputs if o["msg_type"] == msg_type]

    @property
    def stdout(self) -> str:
        return "".join(c["text"] for c in self.of("stream") if c["name"] == "stdout")

    @property
    def result(self) -> Optional[dict]:
        """The data bundle of the execute_result, if any."""
        results = self.of("execute_result")
        assert len(results) <= 1
        return results[0]["data"] if results else None

    @property
    def bundles(self) -> list[dict]:
        """Every display bundle, display_data and execute_result, in order."""
        return [o["content"]["data"] for o in self.outputs if o["msg_type"] in ("display_data", "execute_result")]


class Kernel:
    """A running `lease` kernel and a client on its channels."""

    def __init__(self, env: Optional[dict] = None):
        from jupyter_client.manager import start_new_kernel

        self.km, self.kc = start_new_kernel(kernel_name="lease", startup_timeout=60, env=env)

    def execute(self, code: str, timeout: float = 60, interrupt_after: Optional[float] = None) -> Cell:
        """Runs a cell and collects its iopub messages until the kernel is idle.

        With `interrupt_after`, interrupts the kernel (as the notebook's stop
        button does) that many seconds after it reported busy.
        """
        msg_id = self.kc.execute(code)
        outputs: list[dict] = []
        started: Optional[float] = None
        deadline = time.monotonic() + timeout
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no idle status within {timeout}s for {code!r}")
            try:
                msg = self.kc.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                if interrupt_after is not None and started is not None and time.monotonic() - started >= interrupt_after:
                    self.km.interrupt_kernel()
                    interrupt_after = None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "status":
                if msg["content"]["execution_state"] == "busy":
                    started = time.monotonic()
                elif msg["content"]["execution_state"] == "idle":
                    break
            elif kind != "execute_input":
                outputs.append(msg)
        elapsed = time.monotonic() - (started or time.monotonic())
        reply = self.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=timeout)
        return Cell(reply["content"], outputs, elapsed)

    def request(self, method: str, *args: Any) -> dict:
        """A shell request (complete, inspect, is_complete, kernel_info) and its reply content."""
        msg_id = getattr(self.kc, method)(*args)
        while True:
            reply = self.kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"]

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


def _kernel_env(lease_binary: str, **extra: str) -> dict:
    env = dict(os.environ)
    env["LEASE"] = lease_binary
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def kernel(lease_binary: str):
    """One kernel, and so one session, for a whole test module."""
    k = Kernel(env=_kernel_env(lease_binary))
    cell = k.execute(f'use "{COLOSSUS}"')
    assert cell.status == "ok", cell.reply
    yield k
    k.close()


@pytest.fixture
def fresh_kernel(lease_binary: str):
    """A kernel of its own, for tests that stop or break things."""
    kernels: list[Kernel] = []

    def start(**extra: str) -> Kernel:
        k = Kernel(env=_kernel_env(lease_binary, **extra))
        kernels.append(k)
        return k

    yield start
    for k in kernels:
        k.close()

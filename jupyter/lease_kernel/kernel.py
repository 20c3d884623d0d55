"""The ``lease`` Jupyter kernel: a wrapper kernel around ``lease machine``.

Every cell is a REPL input in one session, kept by one long-lived lease
process per notebook. The kernel translates Jupyter's messages into the
lease machine protocol (docs/protocol.md) and back:

- execute: ``print`` lines become the stdout stream; each value a display
  bundle (``text/plain`` always, ``text/html`` for tables, records and run
  results, ``image/svg+xml`` for plots and run histograms), the last one as
  the cell's ``execute_result``;
- complete, inspect (the ``:type`` of the name under the cursor) and
  is_complete (open brackets continue) ask lease directly;
- interrupt forwards SIGINT to lease, which stops the run and keeps the
  session; the cell then ends with an ``Interrupted`` error.
"""

from __future__ import annotations

import signal
from typing import Any, Optional

from ipykernel.kernelbase import Kernel

from . import __version__
from .process import LeaseExited, LeaseNotFound, LeaseProcess


class LeaseKernel(Kernel):
    implementation = "lease_kernel"
    implementation_version = __version__
    language = "lease"
    language_version = "0.1.0"
    language_info = {
        "name": "lease",
        "version": "0.1.0",
        "mimetype": "text/x-lease",
        "file_extension": ".lease",
        "pygments_lexer": "lease",
        # The nearest editor mode: `#` comments, strings and numbers as in Python.
        "codemirror_mode": "python",
    }
    banner = "lease: dimension-checked lease deals (a cell is a REPL input; :help for help)"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._lease: Optional[LeaseProcess] = None
        self._start_error: Optional[str] = None
        self._lost: Optional[str] = None
        self._running = False
        self._start()

    # -- the lease process ---------------------------------------------------

    def _start(self) -> None:
        try:
            self._lease = LeaseProcess()
            self.language_version = self._lease.version or self.language_version
            self.language_info = {**self.language_info, "version": self.language_version}
            self._start_error = None
        except (LeaseNotFound, LeaseExited, OSError) as e:
            self._lease = None
            self._start_error = str(e)

    def _process(self) -> LeaseProcess:
        """The running lease process, started again if it has gone (and the
        next cell says so: the old session's bindings are lost)."""
        if self._lease is not None and not self._lease.alive:
            if self._lost is None:
                self._lost = f"{self._lease.exit_text()}: a new session starts, earlier bindings are gone"
            self._lease.close()
            self._lease = None
        if self._lease is None:
            self._start()
        if self._lease is None:
            raise LeaseNotFound(self._start_error or "lease did not start")
        return self._lease

    # SIGINT arrives while a handler runs (ipykernel installs Python's
    # KeyboardInterrupt handler then); forwarding it to lease instead means
    # no KeyboardInterrupt can land in the middle of the kernel's own code.
    def pre_handler_hook(self) -> None:
        try:
            self.saved_sigint_handler = signal.signal(signal.SIGINT, self._on_sigint)
        except ValueError:  # not on the main thread: lease still gets the process-group signal
            self.saved_sigint_handler = None

    def post_handler_hook(self) -> None:
        if self.saved_sigint_handler is not None:
            try:
                signal.signal(signal.SIGINT, self.saved_sigint_handler)
            except ValueError:
                pass

    def _on_sigint(self, signum: int, frame: Any) -> None:
        if self._running and self._lease is not None:
            self._lease.interrupt()

    # -- execute -------------------------------------------------------------

    def _error(self, ename: str, evalue: str, traceback: list[str], silent: bool) -> dict:
        content = {"ename": ename, "evalue": evalue, "traceback": traceback}
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    @staticmethod
    def _bundle(msg: dict) -> dict:
        data = {"text/plain": msg.get("text", "")}
        if msg.get("html"):
            data["text/html"] = msg["html"]
        if msg.get("svg"):
            data["image/svg+xml"] = msg["svg"]
        return data

    async def do_execute(
        self,
        code: str,
        silent: bool,
        store_history: bool = True,
        user_expressions: Optional[dict] = None,
        allow_stdin: bool = False,
        *,
        cell_meta: Any = None,
        cell_id: Any = None,
    ) -> dict:
        return self._execute(code, silent)

    def _execute(self, code: str, silent: bool) -> dict:
        ok = {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}
        if not code.strip():
            return ok
        try:
            lease = self._process()
        except LeaseNotFound as e:
            return self._error("LeaseNotFound", str(e), [str(e)], silent)
        if self._lost:
            if not silent:
                self.send_response(self.iopub_socket, "stream", {"name": "stderr", "text": self._lost + "\n"})
            self._lost = None
        pending: Optional[dict] = None

        def show(bundle: dict, result: bool) -> None:
            if silent:
                return
            if result:
                self.send_response(
                    self.iopub_socket,
                    "execute_result",
                    {"execution_count": self.execution_count, "data": bundle, "metadata": {}},
                )
            else:
                self.send_response(self.iopub_socket, "display_data", {"data": bundle, "metadata": {}})

        self._running = True
        try:
            rid = lease.send("execute", code=code, name=f"<cell:{self.execution_count}>", color=True)
            for msg in lease.messages(rid):
                if msg is None:
                    continue
                if msg.get("event") == "output":
                    if pending is not None:
                        show(pending, result=False)
                        pending = None
                    if msg.get("kind") == "print":
                        if not silent:
                            self.send_response(
                                self.iopub_socket, "stream", {"name": "stdout", "text": msg.get("text", "") + "\n"}
                            )
                    else:
                        pending = self._bundle(msg)
                elif msg.get("event") == "done":
                    if msg.get("status") == "ok":
                        if pending is not None:
                            show(pending, result=True)
                        return ok
                    if pending is not None:
                        show(pending, result=False)
                    return self._error(
                        msg.get("ename", "Error"),
                        msg.get("evalue", ""),
                        msg.get("traceback") or [msg.get("evalue", "")],
                        silent,
                    )
            return ok
        except LeaseExited as e:
            if pending is not None:
                show(pending, result=False)
            self._lost = f"{e}: a new session starts, earlier bindings are gone"
            return self._error("LeaseExited", str(e), [f"{e}; the session is lost and the next cell starts a new one"], silent)
        finally:
            self._running = False

    # -- complete, inspect, is_complete ---------------------------------------

    def _ask(self, op: str, **fields: Any) -> Optional[dict]:
        try:
            return self._process().request(op, timeout=30, **fields)
        except (LeaseNotFound, LeaseExited):
            return None

    async def do_complete(self, code: str, cursor_pos: Optional[int]) -> dict:
        if cursor_pos is None:
            cursor_pos = len(code)
        reply = self._ask("complete", code=code, cursor=cursor_pos) or {}
        return {
            "status": "ok",
            "matches": reply.get("matches", []),
            "cursor_start": reply.get("cursor_start", cursor_pos),
            "cursor_end": reply.get("cursor_end", cursor_pos),
            "metadata": {},
        }

    async def do_inspect(self, code: str, cursor_pos: Optional[int], detail_level: int = 0, omit_sections=()) -> dict:
        if cursor_pos is None:
            cursor_pos = len(code)
        reply = self._ask("inspect", code=code, cursor=cursor_pos) or {}
        if not reply.get("found"):
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": reply.get("text", "")}, "metadata": {}}

    async def do_is_complete(self, code: str) -> dict:
        reply = self._ask("is_complete", code=code) or {"status": "unknown"}
        out = {"status": reply.get("status", "unknown")}
        if out["status"] == "incomplete":
            out["indent"] = reply.get("indent", "")
        return out

    async def do_shutdown(self, restart: bool) -> dict:
        if self._lease is not None:
            self._lease.close()
            self._lease = None
        return {"status": "ok", "restart": restart}

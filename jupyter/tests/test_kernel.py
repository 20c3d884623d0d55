"""The `lease` kernel through jupyter_client: every message type a notebook
sends, one session across cells, errors, interrupts."""

from __future__ import annotations

import re

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from conftest import COLOSSUS, plain


def test_kernelspec_is_installed_by_pip():
    spec = KernelSpecManager().get_kernel_spec("lease")
    assert spec.language == "lease"
    assert spec.display_name == "lease"
    assert spec.argv[1:3] == ["-m", "lease_kernel"]
    assert spec.interrupt_mode == "signal"


def test_kernel_info_names_the_language_and_lexer(kernel):
    info = kernel.request("kernel_info")
    assert info["status"] == "ok"
    assert info["implementation"] == "lease_kernel"
    lang = info["language_info"]
    assert lang["name"] == "lease"
    assert lang["pygments_lexer"] == "lease"
    assert lang["file_extension"] == ".lease"
    assert re.fullmatch(r"\d+\.\d+\.\d+", lang["version"])


# -- execute ---------------------------------------------------------------


def test_value_is_the_execute_result_as_text_plain(kernel):
    cell = kernel.execute("1 + 2")
    assert cell.status == "ok"
    assert cell.reply["execution_count"] >= 1
    assert cell.result == {"text/plain": "3"}
    assert cell.of("execute_result")[0]["execution_count"] == cell.reply["execution_count"]


def test_one_session_across_cells(kernel):
    assert kernel.execute("let budget = $40B").status == "ok"
    assert kernel.execute("total(anthropic) - budget").result["text/plain"] == "$5B"
    # `_` is the last value shown, as in the REPL.
    assert kernel.execute("_ * 2").result["text/plain"] == "$10B"


def test_several_values_show_in_order_and_the_last_is_the_result(kernel):
    cell = kernel.execute('months(anthropic)\nprint("between")\ntotal(anthropic)')
    assert cell.status == "ok"
    kinds = [o["msg_type"] for o in cell.outputs]
    assert kinds == ["display_data", "stream", "execute_result"]
    assert cell.bundles[0]["text/plain"] == "37"
    assert cell.stdout == "between\n"
    assert cell.result["text/plain"] == "$45B"


def test_statements_without_a_value_show_nothing(kernel):
    cell = kernel.execute("let quiet = 1\nfn twice(x) = 2 * x")
    assert cell.status == "ok"
    assert cell.outputs == []
    assert kernel.execute("twice(quiet)").result["text/plain"] == "2"


def test_table_has_text_and_html(kernel):
    cell = kernel.execute("schedule(anthropic)")
    assert cell.status == "ok"
    data = cell.result
    assert data["text/plain"].splitlines()[0].split() == ["month", "payment", "cumulative"]
    html = data["text/html"]
    assert html.startswith("<table") and html.endswith("</table>")
    assert html.count("<tr>") == 1 + 37  # the header and one row a month
    assert ">2026-05<" in html and ">$625M<" in html and ">$45B<" in html
    assert "image/svg+xml" not in data


def test_html_is_escaped(kernel):
    cell = kernel.execute('[{name: "<b>&\'\\"", n: 1}, {name: "x", n: 2}]')
    html = cell.result["text/html"]
    assert "<b>" not in html
    assert "&lt;b&gt;&amp;&#39;&quot;" in html


def test_record_has_html(kernel):
    cell = kernel.execute("capacity(colossus1, at: 2026-07)")
    data = cell.result
    assert data["text/plain"].startswith("{")
    assert "<table" in data["text/html"] and ">power<" in data["text/html"]


def test_scalar_and_declarations_are_text_only(kernel):
    assert set(kernel.execute("anthropic.rate").result) == {"text/plain"}
    data = kernel.execute("anthropic").result
    assert set(data) == {"text/plain"}
    assert data["text/plain"].startswith("contract anthropic {")


RUN = """scenario kernel_grid {
  given: 2026-06-01 .. 2029-02-01 step 7 days
  discount: 0% .. 60% step 10%
}
run kernel_grid: exposure(anthropic with {discounts: [2026-05: discount]}, at: given)"""


def test_run_result_has_a_summary_table_and_histogram(kernel):
    cell = kernel.execute(RUN)
    assert cell.status == "ok", cell.reply
    data = cell.result
    assert data["text/plain"].startswith("n = ")
    html = data["text/html"]
    for stat in ("n", "mean", "sd", "min", "p5", "p50", "p95", "max"):
        assert f">{stat}</th>" in html
    assert "run kernel_grid" in html
    # The histogram: the SVG when lease draws charts, else the text bars.
    assert "<svg" in html or "█" in html


def test_run_result_histogram_is_svg_when_lease_draws_charts(kernel, machine):
    if not machine.svg:
        pytest.skip("this lease build draws no SVG charts (ready message says svg: false)")
    data = kernel.execute("run kernel_grid: exposure(anthropic, at: given)").result
    svg = data["image/svg+xml"]
    assert svg.lstrip().startswith(("<svg", "<?xml"))
    assert "</svg>" in svg
    assert "<svg" in data["text/html"]


def test_print_goes_to_stdout(kernel):
    cell = kernel.execute('print("hello", 1 + 1)')
    assert cell.status == "ok"
    assert cell.stdout == "hello 2\n"
    assert cell.result is None


def test_repl_commands_work_in_cells(kernel):
    cell = kernel.execute(":type anthropic.rate")
    assert cell.status == "ok"
    assert cell.stdout.startswith("quantity of USD/time")
    cell = kernel.execute("let shown_by_ls = 5\n:ls")
    assert "shown_by_ls" in cell.stdout
    assert "anthropic" in kernel.execute(":ls").stdout
    assert "Topics" in kernel.execute(":help").stdout


def test_unknown_command_is_an_error(kernel):
    cell = kernel.execute(":frobnicate")
    assert cell.status == "error"
    assert cell.reply["ename"] == "CommandError"
    assert "unknown command :frobnicate" in cell.reply["evalue"]


# -- errors ----------------------------------------------------------------


def test_error_has_ename_evalue_and_the_rendered_diagnostic(kernel):
    cell = kernel.execute("total(anthropc)")
    assert cell.status == "error"
    assert cell.reply["ename"] == "CheckError"
    assert cell.reply["evalue"] == "unknown name `anthropc`"
    errors = cell.of("error")
    assert len(errors) == 1 and errors[0]["ename"] == "CheckError"
    text = plain("\n".join(cell.reply["traceback"]))
    n = cell.reply["execution_count"]
    assert text == (
        f"<cell:{n}>:1:7: error: unknown name `anthropc`\n"
        "  |\n"
        "1 | total(anthropc)\n"
        "  |       ^^^^^^^^\n"
        "  = help: did you mean `anthropic`?"
    )
    assert "\x1b[" in "".join(cell.reply["traceback"])  # coloured for the notebook


def test_error_cell_then_a_good_one(kernel):
    bad = kernel.execute("let kept = 7\nkept + 300 MW")
    assert bad.status == "error"
    assert bad.reply["ename"] == "CheckError"
    assert "^" in plain("\n".join(bad.reply["traceback"]))
    good = kernel.execute("total(anthropic)")
    assert good.status == "ok"
    assert good.result["text/plain"] == "$45B"


def test_runtime_error_keeps_what_ran_before_it(kernel):
    cell = kernel.execute('let before_error = [1, 2, 3]\n"shown"\nbefore_error[months(anthropic)]')
    assert cell.status == "error"
    assert cell.reply["ename"] == "RuntimeError"
    assert cell.reply["evalue"] == "index 37 is out of range for a list of 3"
    assert [b["text/plain"] for b in cell.bundles] == ["shown"]
    assert kernel.execute("before_error").result["text/plain"] == "[1, 2, 3]"


def test_check_error_runs_nothing_of_the_cell(kernel):
    cell = kernel.execute('let never_bound = 1\n"not shown"\nnever_bound + 300 MW')
    assert cell.status == "error" and cell.reply["ename"] == "CheckError"
    assert cell.bundles == []
    assert kernel.execute("never_bound").status == "error"


def test_parse_error_position_counts_from_the_cell(kernel):
    cell = kernel.execute("let a = 1\nlet b = (2 +\n")
    assert cell.status == "error"
    assert cell.reply["ename"] == "ParseError"
    assert re.search(r"<cell:\d+>:\d+:\d+: error:", plain(cell.reply["traceback"][0]))


def test_missing_lease_is_reported_in_the_cell(fresh_kernel):
    k = fresh_kernel(LEASE="/nonexistent/lease")
    cell = k.execute("1 + 1")
    assert cell.status == "error"
    assert cell.reply["ename"] == "LeaseNotFound"
    assert "LEASE" in cell.reply["evalue"]


# -- complete, inspect, is_complete ----------------------------------------


def test_complete_names(kernel):
    reply = kernel.request("complete", "total(anth", 10)
    assert reply["status"] == "ok"
    assert "anthropic" in reply["matches"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (6, 10)


def test_complete_fields_after_a_dot(kernel):
    code = "anthropic.ra"
    reply = kernel.request("complete", code, len(code))
    assert reply["matches"] == ["rate"]
    assert reply["cursor_start"] == len("anthropic.")


def test_complete_builtins_commands_and_units(kernel):
    assert "schedule" in kernel.request("complete", "sched", 5)["matches"]
    assert ":load" in kernel.request("complete", ":lo", 3)["matches"]
    units = kernel.request("complete", "300 M", 5)["matches"]
    assert "MW" in units


def test_complete_on_a_later_line_and_mid_text(kernel):
    code = "let y = 1\nmonths(anth) + 1"
    cursor = code.index("anth") + 4
    reply = kernel.request("complete", code, cursor)
    assert "anthropic" in reply["matches"]
    assert reply["cursor_start"] == code.index("anth")
    assert reply["cursor_end"] == cursor


def test_complete_counts_code_points(kernel):
    code = "let é = \"₩\"; anth"
    reply = kernel.request("complete", code, len(code))
    assert "anthropic" in reply["matches"]
    assert reply["cursor_start"] == len(code) - 4


def test_inspect_shows_the_type(kernel):
    code = "anthropic.rate / anthropic.gpus"
    reply = kernel.request("inspect", code, len("anthropic.ra"))
    assert reply["status"] == "ok" and reply["found"]
    assert reply["data"]["text/plain"].startswith("anthropic.rate: quantity of USD/time")


def test_inspect_a_builtin_and_inside_a_call(kernel):
    reply = kernel.request("inspect", "total(anthropic)", 2)
    assert reply["found"]
    assert reply["data"]["text/plain"] == "total(c): sum of all payments"
    reply = kernel.request("inspect", "npv(anthropic, ", len("npv(anthropic, "))
    assert reply["found"] and reply["data"]["text/plain"].startswith("npv(")


def test_inspect_nothing(kernel):
    reply = kernel.request("inspect", "1 + 2", 1)
    assert reply["status"] == "ok" and not reply["found"]
    assert not kernel.request("inspect", "no_such_name", 3)["found"]


def test_is_complete_follows_open_brackets(kernel):
    assert kernel.request("is_complete", "contract c {")["status"] == "incomplete"
    assert kernel.request("is_complete", "contract c {")["indent"] == "  "
    assert kernel.request("is_complete", "total(anthropic)")["status"] == "complete"
    assert kernel.request("is_complete", 'print("(")')["status"] == "complete"
    assert kernel.request("is_complete", "1 + 2)")["status"] == "invalid"


# -- interrupt -------------------------------------------------------------

def long_grid(step: str) -> str:
    """978 notice days × the discounts from 0% to 100% in `step`."""
    return f"""scenario long_grid {{
  given: 2026-06-01 .. 2029-02-01 step 1 day
  discount: 0% .. 100% step {step}
}}"""


LONG_RUN = "let long = run long_grid: exposure(anthropic with {discounts: [2026-05: discount]}, at: given)"


def _interrupted_then_good(k, step: str, interrupt_after: float):
    assert k.execute(f'use "{COLOSSUS}"\nlet kept_across = 41').status == "ok"
    assert k.execute(long_grid(step)).status == "ok"
    cell = k.execute(LONG_RUN, timeout=300, interrupt_after=interrupt_after)
    assert cell.status == "error", "the run finished before the interrupt reached it"
    assert cell.reply["ename"] == "Interrupted"
    assert cell.of("error")[0]["ename"] == "Interrupted"
    # Stopped soon after the interrupt, not at the end of the run.
    assert cell.elapsed < interrupt_after + 5
    # The session is kept and the kernel answers the next cell.
    after = k.execute("kept_across + 1")
    assert after.status == "ok"
    assert after.result["text/plain"] == "42"
    assert k.execute("long").status == "error"  # the interrupted `let` bound nothing
    assert k.execute("total(anthropic)").result["text/plain"] == "$45B"


def test_interrupt_stops_a_vectorized_run_and_keeps_the_session(fresh_kernel):
    # 48,850,977 rows, on every core.
    _interrupted_then_good(fresh_kernel(), step="0.002%", interrupt_after=0.3)


def test_interrupt_stops_a_row_by_row_run_and_keeps_the_session(fresh_kernel):
    # 1,957,978 rows one at a time: half a minute or more without the interrupt.
    _interrupted_then_good(fresh_kernel(LEASE_ENGINE="scalar"), step="0.05%", interrupt_after=1.0)


def test_interrupt_while_idle_changes_nothing(kernel):
    kernel.km.interrupt_kernel()
    cell = kernel.execute("months(anthropic)")
    assert cell.status == "ok" and cell.result["text/plain"] == "37"


# -- the lease process ending ----------------------------------------------


def _lease_child(k) -> int:
    """The pid of the kernel's lease process (Linux: /proc lists children)."""
    import os
    from pathlib import Path

    kernel_pid = k.km.provisioner.process.pid
    children = Path(f"/proc/{kernel_pid}/task/{kernel_pid}/children")
    if not children.exists():
        pytest.skip("needs /proc to find the lease process")
    for pid in children.read_text().split():
        try:
            with open(f"/proc/{pid}/stat") as f:
                # A finished helper process (a zombie until reaped) is not the session's lease.
                if f.read().rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
                    continue
            if os.path.basename(os.readlink(f"/proc/{pid}/exe")).startswith("lease"):
                return int(pid)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    raise AssertionError("the kernel has no lease process")


def test_a_lost_lease_process_is_said_and_a_new_session_starts(fresh_kernel):
    import os
    import signal

    import time

    k = fresh_kernel()
    assert k.execute("let before = 1").status == "ok"
    pid = _lease_child(k)
    os.kill(pid, signal.SIGKILL)
    # Wait until the kernel can see the process has died (a zombie or gone),
    # as a person would find it dead at the next cell, not in the same instant.
    # A multi-threaded process is dead when its first thread is a zombie and its
    # other threads are gone too.
    for _ in range(500):
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[-1].split()[0] in ("Z", "X") and len(os.listdir(f"/proc/{pid}/task")) <= 1:
                    break
        except FileNotFoundError:
            break
        time.sleep(0.01)
    cell = k.execute("2 + 2")
    stderr = "".join(c["text"] for c in cell.of("stream") if c["name"] == "stderr")
    assert "SIGKILL" in stderr and "new session" in stderr
    assert cell.result["text/plain"] == "4"
    assert k.execute("before").status == "error"  # the old session is gone, and the kernel says so
    assert k.execute("1 + 1").result["text/plain"] == "2"


def test_a_lease_without_the_machine_subcommand_is_explained(fresh_kernel, tmp_path):
    fake = tmp_path / "lease"
    fake.write_text("#!/bin/sh\necho 'Error: unknown subcommand' >&2\nexit 2\n")
    fake.chmod(0o755)
    cell = fresh_kernel(LEASE=str(fake)).execute("1 + 1")
    assert cell.status == "error"
    assert cell.reply["ename"] == "LeaseNotFound"
    assert "did not start" in cell.reply["evalue"] and "status 2" in cell.reply["evalue"]

"""`lease machine` on its own: the line-delimited JSON of docs/protocol.md."""

from __future__ import annotations

import json
import signal
import subprocess
import time

from conftest import COLOSSUS


def ask(machine, op, **fields):
    """Every message answering one request: (outputs, done)."""
    rid = machine.send(op, **fields)
    outputs = []
    for msg in machine.messages(rid):
        if msg is None:
            continue
        if msg["event"] == "done":
            return outputs, msg
        outputs.append(msg)
    raise AssertionError("no done message")


def raw(lease_binary, lines, timeout=60):
    """Feeds raw lines to a fresh `lease machine`; its exit status and output lines."""
    proc = subprocess.run(
        [lease_binary, "machine"], input="".join(l + "\n" for l in lines), capture_output=True, text=True, timeout=timeout
    )
    return proc.returncode, [json.loads(l) for l in proc.stdout.splitlines()], proc.stderr


def test_ready_line_comes_first(lease_binary):
    code, msgs, err = raw(lease_binary, [])
    assert code == 0 and err == ""
    assert msgs[0]["event"] == "ready"
    assert msgs[0]["protocol"] == 1
    assert isinstance(msgs[0]["svg"], bool)
    assert len(msgs) == 1


def test_execute_outputs_then_done(machine):
    outputs, done = ask(machine, "execute", code='let x = 40\nx + 2\nprint("hi")')
    assert done == {"id": done["id"], "event": "done", "status": "ok"}
    assert outputs == [
        {"id": done["id"], "event": "output", "kind": "value", "type": "number", "text": "42"},
        {"id": done["id"], "event": "output", "kind": "print", "text": "hi"},
    ]


def test_ids_are_echoed_as_given(lease_binary):
    lines = [
        json.dumps({"id": "cell-a", "op": "execute", "code": "1"}),
        json.dumps({"id": None, "op": "is_complete", "code": "("}),
        json.dumps({"id": [1, 2], "op": "is_complete", "code": "1"}),
    ]
    code, msgs, _ = raw(lease_binary, lines)
    assert code == 0
    assert [m["id"] for m in msgs[1:]] == ["cell-a", "cell-a", None, [1, 2]]


def test_values_carry_html_for_tables_records_and_results(machine):
    ask(machine, "execute", code=f'use "{COLOSSUS}"')
    [table], _ = ask(machine, "execute", code="schedule(anthropic)")
    assert table["type"] == "table" and table["html"].startswith("<table")
    [record], _ = ask(machine, "execute", code="{a: 1, b: 2026-05}")
    assert record["type"] == "record" and ">a</th>" in record["html"]
    [number], _ = ask(machine, "execute", code="total(anthropic)")
    assert "html" not in number and "svg" not in number
    ask(machine, "execute", code="scenario p { d: 0% .. 50% step 5% }")
    [result], _ = ask(machine, "execute", code="run p: total(anthropic with {discounts: [2026-05: d]})")
    assert result["type"] == "result"
    assert result["text"].startswith("n = 11  mean = ")
    assert ">p95</th>" in result["html"]
    assert ("svg" in result) == machine.svg


LONG_LEASE = """cluster tiny {
  power: 1 MW
  gpus: 10 gpu
}
contract long {
  lessor: "a"
  lessee: "b"
  cluster: tiny
  start: 2000-01
  end: 2041-12
  rate: $1M / month
  notice: 30 days
}"""


def test_long_tables_are_shortened_in_html_only(machine):
    _, done = ask(machine, "execute", code=LONG_LEASE)
    assert done["status"] == "ok", done
    [out], _ = ask(machine, "execute", code="schedule(long)")
    assert len(out["text"].splitlines()) == 1 + 504
    html = out["html"]
    assert html.count("<tr>") == 1 + 100 + 1 + 20
    assert "… 384 more rows …" in html
    assert ">2000-01<" in html and ">2041-12<" in html and ">2010-01<" not in html


def test_error_done_has_ename_evalue_traceback(machine):
    outputs, done = ask(machine, "execute", code="1 + 300 MW", name="<mine>")
    assert outputs == []
    assert done["status"] == "error"
    assert done["ename"] == "CheckError"
    assert done["traceback"][0].startswith("<mine>:1:")
    assert any("^" in line for line in done["traceback"])
    assert not any("\x1b[" in line for line in done["traceback"])  # no colour unless asked
    _, coloured = ask(machine, "execute", code="1 + 300 MW", color=True)
    assert any("\x1b[" in line for line in coloured["traceback"])


def test_cells_are_named_by_their_number(machine):
    ask(machine, "execute", code="1")
    _, done = ask(machine, "execute", code="nope")
    assert done["traceback"][0].startswith("<cell:2>:1:1: error:")


def test_commands_between_statements_keep_positions(machine):
    outputs, done = ask(machine, "execute", code="let a = 1\n:type a\nlet b = a +")
    assert [o["text"] for o in outputs] == ["number"]
    assert done["ename"] == "ParseError"
    assert done["traceback"][0].startswith("<cell:1>:3:")


def test_bad_lines_are_answered_and_reading_goes_on(lease_binary):
    lines = [
        "this is not json",
        json.dumps({"id": 5, "code": "1"}),
        json.dumps({"id": 6, "op": "fly"}),
        json.dumps({"id": 7, "op": "execute", "code": "6 * 7"}),
    ]
    code, msgs, _ = raw(lease_binary, lines)
    assert code == 0
    errors = [m for m in msgs if m.get("ename") == "ProtocolError"]
    assert [m["id"] for m in errors] == [None, 5, 6]
    assert {"id": 7, "event": "output", "kind": "value", "type": "number", "text": "42"} in msgs


def test_shutdown_answers_and_exits(lease_binary):
    proc = subprocess.Popen([lease_binary, "machine"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert json.loads(proc.stdout.readline())["event"] == "ready"
    proc.stdin.write('{"id": 1, "op": "shutdown"}\n')
    proc.stdin.flush()
    assert json.loads(proc.stdout.readline()) == {"id": 1, "event": "done", "status": "ok"}
    assert proc.wait(timeout=10) == 0


def test_complete_inspect_is_complete(machine):
    ask(machine, "execute", code=f'use "{COLOSSUS}"')
    _, done = ask(machine, "complete", code="anthropic.ra", cursor=12)
    assert (done["matches"], done["cursor_start"], done["cursor_end"]) == (["rate"], 10, 12)
    _, done = ask(machine, "complete", code="anthropic.ra")  # cursor defaults to the end
    assert done["matches"] == ["rate"]
    _, done = ask(machine, "inspect", code="months(anthropic)", cursor=10)
    assert done["found"] and done["type"].startswith("contract")
    assert done["text"].startswith(f"anthropic: {done['type']}\ncontract anthropic {{")
    _, done = ask(machine, "is_complete", code="scenario s {\n  d: [1, 2")
    assert (done["status"], done["indent"]) == ("incomplete", "    ")


def test_interrupt_request_stops_the_run(machine):
    ask(machine, "execute", code=f'use "{COLOSSUS}"')
    ask(machine, "execute", code="scenario big { given: 2026-06-01 .. 2029-02-01 step 1 day\ndiscount: 0% .. 100% step 0.002% }")
    rid = machine.send("execute", code="let r = run big: exposure(anthropic with {discounts: [2026-05: discount]}, at: given)")
    time.sleep(0.3)
    iid = machine.send("interrupt")
    answers = {}
    for msg in machine.messages(rid):
        if msg is not None and msg["event"] == "done":
            answers[msg["id"]] = msg
    assert answers[rid]["ename"] == "Interrupted"
    _, done = ask(machine, "execute", code="total(anthropic)")
    assert done["status"] == "ok"


def test_sigint_stops_the_run_and_is_ignored_when_idle(machine):
    machine.interrupt()  # idle: nothing to stop, the process stays
    time.sleep(0.1)
    assert machine.alive
    ask(machine, "execute", code="scenario big { a: 1 .. 7000 step 1\nb: 1 .. 7000 step 1 }")
    rid = machine.send("execute", code="let r = run big: a * b + 1")
    time.sleep(0.2)
    machine.proc.send_signal(signal.SIGINT)
    done = [m for m in machine.messages(rid) if m is not None and m["event"] == "done"][0]
    assert done["status"] in ("error", "ok")  # ok when the run beat the signal
    if done["status"] == "error":
        assert done["ename"] == "Interrupted"
    _, after = ask(machine, "execute", code="2 + 2")
    assert after["status"] == "ok" and machine.alive

#!/usr/bin/env python3
"""Writes the 1,000-line script of the `check a 1,000-line script` benchmark
(checkScript in Benchmarks/LeaseRuns/LeaseRuns.swift), for timing
`lease check` from the shell: python3 gen_check_script.py > /tmp/check1000.lease"""
import sys

def check_script(lines):
    out = [
        'cluster colossus1 { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }',
        'contract anthropic { lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1; start: 2026-05; end: 2029-05; rate: $1.25B / month; notice: 90 days }',
    ]
    i = 0
    while len(out) < lines:
        block = [
            f"let rate_{i} = $1.25B / month * {100 + i % 7} / 100",
            f"fn cost_{i}(m) = rate_{i} * m",
            f"let term_{i} = {i % 36 + 1} months",
            f"let total_{i} = cost_{i}(term_{i})",
            f"let power_{i} = 300 MW * {i % 5 + 1} / 5",
            f"let deal_{i} = anthropic with {{rate: rate_{i}, discounts: [2026-05: {i % 50}%, 2026-06: 10%]}}",
            f"let r_{i} = {{low: total_{i}, high: total_{i} * 1.1}}",
            f"npv(deal_{i}, 8%) - r_{i}.low",
            f"if total_{i} > $40B then (power_{i} -> GW) else (power_{i} -> kW)",
            f"exposure(deal_{i}, at: 2026-09-01) + paid(deal_{i}, 2027) / months(deal_{i})",
        ]
        out += block[: lines - len(out)]
        i += 1
    return "\n".join(out) + "\n"

if __name__ == "__main__":
    sys.stdout.write(check_script(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))

#!/usr/bin/env python3
"""Generate Tests/Fixtures/npv_table.json: an independent cross-check of `npv`.

Each row is a contract declaration (with the cluster it needs), an annual rate,
and the present value computed here with numpy_financial.npv: payments are due
monthly in advance, so the first payment is the cash flow at time 0, and month
k after start is discounted at the monthly rate (1 + r)^(1/12) - 1.

Payment semantics (LANGUAGE.md section 5):
    payment(c, m) = monthly rate * (1 + escalation)^(whole years since start)
                    * (1 - discount of m) * billed fraction of m,
rounded to the cent, half to even (LANGUAGE.md section 10),
where the billed fraction is 1, except for a day-precision `end`, whose month
is billed end.day / days_in_month(end).

Usage: python3 scripts/gen_npv_table.py   (needs `pip install numpy-financial`)
The output is deterministic (fixed seed); commit the JSON it writes.
"""
import calendar
import json
from decimal import Decimal, ROUND_HALF_EVEN
import os
import random

import numpy_financial as npf

SEED = 20260520
ANNUAL_RATES = [("0%", 0.0), ("3%", 0.03), ("8%", 0.08), ("12.5%", 0.125), ("25%", 0.25)]
CLUSTER = "cluster k { power: 300 MW; gpus: 1000 gpu }"

# (literal, value in currency units, currency code, per) rates per unit of time.
AMOUNTS = [
    ("$1.25B", 1.25e9, "USD"),
    ("$500M", 5e8, "USD"),
    ("$3.2M", 3.2e6, "USD"),
    ("$150_000", 150_000.0, "USD"),
    ("$7.5k", 7500.0, "USD"),
    ("€750k", 750_000.0, "EUR"),
    ("£42.5M", 42.5e6, "GBP"),
    ("₩1.87T", 1.87e12, "KRW"),
    ("$1234.56", 1234.56, "USD"),
    ("$99M", 99e6, "USD"),
]
DISCOUNTS = [("50%", 0.5), ("30%", 0.3), ("12.5%", 0.125), ("100%", 1.0), ("5%", 0.05), ("75%", 0.75)]
ESCALATIONS = [("3%", 0.03), ("2.5%", 0.025), ("5%", 0.05), ("10%", 0.10)]


def add_months(y, m, n):
    i = y * 12 + (m - 1) + n
    return i // 12, i % 12 + 1


def make_contract(rng, idx):
    lit, amount, _code = rng.choice(AMOUNTS)
    per_year = rng.random() < 0.2  # some rates are written per year: rate/12 per month
    months = rng.choice([1, 1, 2, 3, 6, 12, 13, 24, 25, 36, 37, 48, 59, 60]) if idx > 2 else [1, 37, 60][idx]
    months = max(1, min(60, months if rng.random() < 0.7 else rng.randint(1, 60)))
    sy, sm = rng.randint(2024, 2031), rng.randint(1, 12)
    ey, em = add_months(sy, sm, months - 1)
    monthly = amount / 12 if per_year else amount
    fields = [
        'lessor: "L%02d"' % idx,
        'lessee: "T%02d"' % idx,
        "cluster: k",
        "start: %04d-%02d" % (sy, sm),
    ]
    # A terminated partial last month: a day-precision end billed pro rata.
    fraction = 1.0
    if rng.random() < 0.3:
        dim = calendar.monthrange(ey, em)[1]
        day = rng.randint(1, dim)
        fraction = day / dim
        fields.append("end: %04d-%02d-%02d" % (ey, em, day))
    else:
        fields.append("end: %04d-%02d" % (ey, em))
    fields.append("rate: %s / %s" % (lit, "year" if per_year else "month"))
    discounts = {}
    if rng.random() < 0.5:
        for _ in range(rng.randint(1, min(4, months))):
            k = rng.randrange(months)
            discounts[k] = rng.choice(DISCOUNTS)
        entries = []
        for k in sorted(discounts):
            y, m = add_months(sy, sm, k)
            entries.append("%04d-%02d: %s" % (y, m, discounts[k][0]))
        fields.append("discounts: [%s]" % ", ".join(entries))
    esc = 0.0
    if rng.random() < 0.4:
        esc_lit, esc = rng.choice(ESCALATIONS)
        fields.append("escalation: %s" % esc_lit)
    if rng.random() < 0.5:
        fields.append("notice: %d days" % rng.choice([30, 90, 180]))
    name = "c%02d" % idx
    decl = "contract %s {\n  %s\n}" % (name, "\n  ".join(fields))
    flows = []
    for k in range(months):
        f = fraction if k == months - 1 else 1.0
        d = discounts[k][1] if k in discounts else 0.0
        flows.append(amount_due(monthly * (1 + esc) ** (k // 12) * (1 - d) * f))
    return name, decl, flows


def amount_due(x):
    """A payment as an amount due (LANGUAGE.md section 10): rounded to the cent,
    half to even, on the decimal the double prints as."""
    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def main():
    rng = random.Random(SEED)
    rows = []
    for idx in range(40):
        name, decl, flows = make_contract(rng, idx)
        for r_lit, r in ANNUAL_RATES:
            monthly_rate = (1 + r) ** (1 / 12) - 1
            pv = float(npf.npv(monthly_rate, flows))
            rows.append({"contract": name, "declaration": decl, "r": r_lit, "r_value": r, "pv": pv})
    out = {
        "generator": "scripts/gen_npv_table.py",
        "seed": SEED,
        "cluster": CLUSTER,
        "rows": rows,
    }
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "Tests", "Fixtures", "npv_table.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote %d rows to %s" % (len(rows), os.path.normpath(path)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate the cross-check tables of LeaseCore's financial functions.

Writes, under Tests/Fixtures/:
  irr_table.json               npv and irr of ~200 generated series: numpy-financial
  xirr_table.json              Excel's XIRR/XNPV example and 100 generated dated series
  lease_accounting_table.json  20 ASC 842 / IFRS 16 lessee tables, to the cent
  solve_table.json             scipy.optimize.brentq on polynomials, npv == target, ...

Everything here is computed independently of the Swift code (docs/finance.md
describes the conventions both follow):

* npv: numpy_financial.npv.
* irr: numpy-financial's algorithm: the real roots g >= 0 of
  values[0]*g^n + ... + values[n] (numpy.roots, LAPACK eigenvalues of the
  companion matrix), rates g - 1; one is the answer; among several the smallest
  rate >= 0, else the negative one closest to 0 (numpy-financial >= 1.1's
  `_irr_default_selection`). numpy-financial 1.1 needs Python >= 3.13; with an
  older numpy-financial installed the rule is applied here to numpy.roots, and
  the old version's own answer (closest to 0 of all rates > -1) is kept in the
  row as `npf_installed` for reference.
* xirr/xnpv: Excel's algorithm written out here: actual/365 from the first date,
  Newton's method from 10%, at most 100 iterations, stop when a step moves the
  rate by at most 1e-8 (Excel: "accurate within 0.000001 percent").
* accounting: the schedule with Python's decimal module (exact cents).
* solve: scipy.optimize.brentq(f, a, b, xtol=1e-12 * (b - a)).

Usage (from the repository root):
  python3 -m venv .build_finance/venv
  .build_finance/venv/bin/pip install numpy-financial scipy
  .build_finance/venv/bin/python scripts/gen_finance_tables.py
The output is deterministic (fixed seed); commit the JSON it writes.
"""
import calendar
import datetime
import json
import math
import os
import random
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import numpy_financial as npf
import scipy
from scipy.optimize import brentq

SEED = 20261201
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "Fixtures")


def write(name, obj):
    path = os.path.normpath(os.path.join(FIXTURES, name))
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False, allow_nan=False)
        f.write("\n")
    print("wrote %s" % path)


# ---------------------------------------------------------------- irr / npv

def irr_reference(values):
    """numpy-financial 1.1's irr; returns (rate, None) or (None, error)."""
    v = np.asarray(values, dtype=float)
    if not (np.any(v > 0) and np.any(v < 0)):
        return None, "noSignChange"
    try:
        # numpy-financial >= 1.1 has the selection rule built in.
        r = npf.irr(v, raise_exceptions=True)
        return float(r), None
    except TypeError:
        pass  # an older numpy-financial: no raise_exceptions keyword
    except getattr(npf, "NoRealSolutionError", ()):  # numpy-financial >= 1.1
        return None, "noRealRoot"
    g = np.roots(v)
    eirr = np.real(g[np.isreal(g)]) - 1
    eirr = eirr[eirr >= -1]
    if len(eirr) == 0:
        return None, "noRealRoot"
    if len(eirr) == 1:
        return float(eirr[0]), None
    nonneg = eirr[eirr >= 0]
    if len(nonneg) > 0:
        return float(nonneg.min()), None
    return float(eirr.max()), None


def irr_series(rng):
    out = []
    # The documented examples (numpy-financial's docstring, LANGUAGE.md 11).
    out += [
        [-100, 39, 59, 55, 20],
        [-100, 0, 0, 74],
        [-100, 100, 0, -7],
        [-100, 100, 0, 7],
        [-5, 10.5, 1, -8, 1],
        [-40000, 5000, 8000, 12000, 30000],
    ]
    # Edge cases: two periods, break-even, leading/trailing zeros, big and small
    # amounts, high and negative returns, several real roots.
    out += [
        [-1, 1],
        [-1, 2],
        [-100, 50],
        [-100, 100.0001],
        [0, 0, -100, 60, 60],
        [-100, 60, 60, 0, 0],
        [-100, 0, 0, 0, 0, 0, 200],
        [-1.25e9, 4e8, 4e8, 4e8, 4e8],
        [-1e-3, 6e-4, 6e-4],
        [-1, 10, 0],
        [-100, 500],
        [-100, 230, -132],          # rates 10% and 20%: the smaller
        [-1, 6, -11, 6],            # rates 0%, 100% (g = 1, 2, 3 -> 0, 1, 2)
        [100, -230, 132],           # the same, borrowed
        [-100, 190, -90.25],        # g = 0.95 (double root, numerically split or complex)
        [-100, 50, 40, -5],
        [100, -50, -60],
        [-1, 2.4, -1.35],           # rates -10% and 50%: numpy-financial 1.1 takes 50%, 1.0 took -10%
        [-1, 3.3, -3.57, 1.12],     # g = 0.7, 1.0, 1.6: rates -30%, 0%, 60%: 0%
        [-1000] + [10] * 120,       # negative return over 120 periods
        [-1000] + [12] * 119 + [1012],
        [-5e6] + [0] * 30 + [6e6],
    ]
    # Generated: an investment then returns, with occasional negative years,
    # zeros, and long monthly series.
    while len(out) < 200:
        n = rng.choice([2, 3, 4, 5, 6, 8, 10, 12, 24, 36, 60, 120])
        scale = 10 ** rng.uniform(0, 10)
        inv = -scale
        target = rng.uniform(-0.05, 0.6) / (12 if n > 12 else 1)
        flows = [inv]
        base = scale * (target + 1.0 / (n - 1 + 1e-9)) * rng.uniform(0.6, 1.6)
        for _ in range(n - 1):
            x = base * rng.uniform(0.2, 1.8)
            u = rng.random()
            if u < 0.05:
                x = 0.0
            elif u < 0.10:
                x = -x * rng.uniform(0.1, 0.5)
            flows.append(round(x, 2))
        out.append(flows)
    # No sign change: errors.
    out += [[100, 50, 25], [-100, -50], [5, 0, 3], [-5, 0], [0, 0, 0], [7]]
    return out


def irr_table(rng):
    rows = []
    for values in irr_series(rng):
        values = [float(v) for v in values]
        rate, err = irr_reference(values)
        row = {"values": values}
        if values == [-100.0, 190.0, -90.25]:
            # A double root: rounding splits it into two close real roots or a
            # complex pair, depending on the eigenvalue routine.
            row["ill_conditioned"] = True
        if err:
            row["error"] = err
        else:
            row["irr"] = rate
        try:
            # What the installed numpy-financial itself answers, for reference.
            installed = float(npf.irr(values))
            row["npf_installed"] = installed if math.isfinite(installed) else None
        except Exception:
            row["npf_installed"] = None
        npvs = []
        for r in [0.0, 0.03, 0.08, 0.25, -0.02] + ([rate] if rate is not None and rate > -1 else []):
            npvs.append({"rate": r, "npv": float(npf.npv(r, values))})
        row["npv"] = npvs
        rows.append(row)
    return {
        "generator": "scripts/gen_finance_tables.py",
        "numpy_financial": npf.__version__,
        "numpy": np.__version__,
        "seed": SEED,
        "rows": rows,
    }


# ---------------------------------------------------------------- xirr / xnpv

def excel_xnpv(rate, amounts, days):
    return math.fsum(a / (1 + rate) ** ((d - days[0]) / 365) for a, d in zip(amounts, days))


def excel_xirr(amounts, days):
    """Excel's XIRR: Newton from 10%, at most 100 iterations, 1e-8 on the step."""
    if not (any(a > 0 for a in amounts) and any(a < 0 for a in amounts)):
        return None, "noSignChange"
    t = [(d - days[0]) / 365 for d in days]
    r = 0.1
    for _ in range(100):
        try:
            f = math.fsum(a * (1 + r) ** -ti for a, ti in zip(amounts, t))
            df = math.fsum(-ti * a * (1 + r) ** -ti / (1 + r) for a, ti in zip(amounts, t))
        except (OverflowError, ZeroDivisionError):
            return None, "notConverged"
        if df == 0 or not math.isfinite(df) or not math.isfinite(f):
            return None, "notConverged"
        nxt = r - f / df
        if not math.isfinite(nxt) or nxt <= -1:
            return None, "notConverged"
        if abs(nxt - r) <= 1e-8:
            return nxt, None
        r = nxt
    return None, "notConverged"


def ordinal(iso):
    return datetime.date.fromisoformat(iso).toordinal()


def xirr_table(rng):
    rows = []
    excel_dates = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]
    excel_amounts = [-10000.0, 2750.0, 4250.0, 3250.0, 2750.0]
    cases = [("excel", excel_amounts, excel_dates)]
    # Cases meant to fail: no sign change; a return so large that Newton from
    # 10% does not settle in 100 iterations.
    cases.append(("no_sign_change", [100.0, 200.0], ["2020-01-01", "2021-01-01"]))
    cases.append(("huge_return", [-1.0, 1e6], ["2020-01-01", "2020-01-02"]))
    cases.append(("same_day", [-100.0, 110.0, 5.0], ["2020-01-01", "2021-01-01", "2021-01-01"]))
    while len(cases) < 104:
        n = rng.randint(2, 24)
        start = datetime.date(rng.randint(2000, 2035), rng.randint(1, 12), rng.randint(1, 28))
        days = [0] + sorted(rng.randint(1, 3650) for _ in range(n - 1))
        dates = [(start + datetime.timedelta(days=d)).isoformat() for d in days]
        scale = 10 ** rng.uniform(1, 9)
        amounts = [-scale]
        growth = rng.uniform(-0.1, 0.8)
        for d in days[1:]:
            x = scale / (n - 1) * (1 + growth) ** (d / 365) * rng.uniform(0.3, 1.7)
            if rng.random() < 0.08:
                x = -x * 0.3
            amounts.append(round(x, 2))
        cases.append(("gen%03d" % len(cases), amounts, dates))
    for name, amounts, dates in cases:
        days = [ordinal(d) for d in dates]
        rate, err = excel_xirr(amounts, days)
        row = {"name": name, "amounts": amounts, "dates": dates}
        if err:
            row["error"] = err
        else:
            row["xirr"] = rate
        row["xnpv"] = [{"rate": r, "xnpv": excel_xnpv(r, amounts, days)} for r in [0.0, 0.09, 0.25]]
        rows.append(row)
    return {"generator": "scripts/gen_finance_tables.py", "seed": SEED, "rows": rows}


# ---------------------------------------------------------------- accounting

def round_minor(x, digits):
    """Half to even on the shortest decimal of the double x (docs/finance.md)."""
    q = Decimal(1).scaleb(-digits)
    return Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_EVEN)


def div_half_even(a, n, digits):
    q = Decimal(1).scaleb(-digits)
    return (a / Decimal(n)).quantize(q, rounding=ROUND_HALF_EVEN)


def lease_table(payments, rate, digits):
    """Both tables for payments in advance at annual rate `rate`, in Decimal."""
    p = [round_minor(x, digits) for x in payments]
    n = len(p)
    i = (1 + rate) ** (1 / 12) - 1
    l0 = round_minor(float(npf.npv(i, [float(x) for x in p])), digits)
    total = sum(p, Decimal(0))
    straight = div_half_even(total, n, digits)
    dep = div_half_even(l0, n, digits)
    asc, ifrs = [], []
    liab = l0
    rou_a = l0
    rou_i = l0
    for k in range(n):
        bal = liab - p[k]
        if k == n - 2:
            interest = p[n - 1] - bal
        elif k == n - 1:
            interest = Decimal(0)
        else:
            interest = round_minor(float(bal) * i, digits)
        liab = bal + interest
        e_a = straight if k < n - 1 else total - (n - 1) * straight
        am_a = e_a - interest
        rou_a -= am_a
        d_i = dep if k < n - 1 else l0 - (n - 1) * dep
        rou_i -= d_i
        asc.append([str(p[k]), str(interest), str(liab), str(rou_a), str(am_a), str(e_a)])
        ifrs.append([str(p[k]), str(interest), str(liab), str(rou_i), str(d_i), str(interest + d_i)])
    assert liab == 0 and rou_a == 0 and rou_i == 0
    return i, l0, asc, ifrs


def add_months(y, m, n):
    k = y * 12 + (m - 1) + n
    return k // 12, k % 12 + 1


def accounting_table(rng):
    currencies = [("USD", 2)] * 14 + [("EUR", 2)] * 2 + [("KRW", 0), ("JPY", 0), ("KWD", 3), ("GBP", 2)]
    contracts = []
    for idx, (code, digits) in enumerate(currencies):
        months = [1, 2, 3, 12, 13, 36, 60, 120][idx] if idx < 8 else rng.choice([6, 12, 24, 37, 48, 59, 60, 84, 120])
        rate = rng.choice([0.0, 0.03, 0.045, 0.06, 0.08, 0.125, 0.25])
        if idx == 3:
            rate = 0.0
        base = rng.choice([1234.56, 7500.0, 150000.0, 3.2e6, 500e6, 1.25e9, 2967741935.485, 99e6 / 31 * 30])
        if digits == 0:
            base = rng.choice([1.87e12, 12345678.0, 98765.5])
        esc = rng.choice([0.0, 0.0, 0.03, 0.025, 0.05])
        discounts = {}
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                discounts[rng.randrange(months)] = rng.choice([0.3, 0.5, 1.0, 0.125])
        sy, sm = rng.randint(2024, 2031), rng.randint(1, 12)
        payments, month_list = [], []
        for k in range(months):
            x = base * (1 + esc) ** (k // 12) * (1 - discounts.get(k, 0.0))
            payments.append(float(round_minor(x, digits)))
            y, m = add_months(sy, sm, k)
            month_list.append("%04d-%02d" % (y, m))
        i, l0, asc, ifrs = lease_table(payments, rate, digits)
        contracts.append({
            "name": "a%02d" % idx,
            "currency": code,
            "digits": digits,
            "rate": rate,
            "monthly_rate": i,
            "months": month_list,
            "payments": payments,
            "initial_liability": str(l0),
            "columns": ["payment", "interest", "liability", "rou_asset", "amortization", "expense"],
            "asc842": asc,
            "ifrs16": ifrs,
        })
    return {"generator": "scripts/gen_finance_tables.py", "seed": SEED, "contracts": contracts}


# ---------------------------------------------------------------- solve

def poly(c):
    def f(x):
        acc = 0.0
        for a in reversed(c):
            acc = acc * x + a
        return acc
    return f


def solve_table(rng):
    cases = [
        {"kind": "poly", "c": [-2.0, 0.0, 1.0], "a": 0.0, "b": 2.0},          # sqrt 2
        {"kind": "poly", "c": [-1.0, -1.0, 1.0], "a": 1.0, "b": 2.0},         # golden ratio
        {"kind": "poly", "c": [6.0, -11.0, 6.0, -1.0], "a": 1.5, "b": 2.5},   # root 2
        {"kind": "poly", "c": [-0.5, 0.0, 0.0, 1.0], "a": 0.0, "b": 1.0},
        {"kind": "poly", "c": [1e-3, -1.0], "a": 0.0, "b": 1.0},
        {"kind": "poly", "c": [0.0, 1.0], "a": 0.0, "b": 1.0},                 # exact root at a
        {"kind": "poly", "c": [-3.0, 1.0], "a": 0.0, "b": 3.0},                # exact root at b
        {"kind": "poly", "c": [1.0, 0.0, 1.0], "a": -1.0, "b": 1.0},           # no root: error
        {"kind": "poly", "c": [-1.0, 0.0, 1.0], "a": -2.0, "b": 2.0},          # two roots: same sign at ends
        {"kind": "exp", "k": 3.0, "a": 0.0, "b": 2.0},
        {"kind": "cos", "a": 0.0, "b": 1.0},
        {"kind": "npv_target", "amounts": [-40000.0, 5000.0, 8000.0, 12000.0, 30000.0], "target": 0.0, "a": 0.0, "b": 1.0},
        {"kind": "npv_target", "amounts": [500e6] * 36, "target": 15e9, "a": 0.0, "b": 0.05},
    ]
    while len(cases) < 60:
        u = rng.random()
        if u < 0.4:
            deg = rng.randint(1, 5)
            root = rng.uniform(-5, 5)
            others = [rng.uniform(-20, 20) for _ in range(deg - 1)]
            # (x - root) * prod(x - o) with others kept outside the bracket
            width = rng.uniform(0.1, 4)
            a = root - rng.uniform(0.01, 1) * width
            b = a + width
            others = [o if not (a <= o <= b) else b + 1 + abs(o) for o in others]
            c = [1.0]
            for r in [root] + others:
                nc = [0.0] * (len(c) + 1)
                for j, cj in enumerate(c):
                    nc[j + 1] += cj
                    nc[j] -= r * cj
                c = nc
            cases.append({"kind": "poly", "c": c, "a": a, "b": b})
        elif u < 0.7:
            n = rng.randint(6, 120)
            pay = 10 ** rng.uniform(3, 9)
            amounts = [round(pay * rng.uniform(0.8, 1.2), 2) for _ in range(n)]
            r_true = rng.uniform(0.0, 0.03)
            target = float(npf.npv(r_true, amounts))
            cases.append({"kind": "npv_target", "amounts": amounts, "target": target, "a": -0.005, "b": 0.05})
        elif u < 0.85:
            cases.append({"kind": "exp", "k": rng.uniform(0.1, 50), "a": -3.0, "b": 4.0})
        else:
            cases.append({"kind": "cos", "a": rng.uniform(-1, 0.5), "b": rng.uniform(0.8, 3)})
    rows = []
    for c in cases:
        if c["kind"] == "poly":
            f = poly(c["c"])
        elif c["kind"] == "exp":
            f = (lambda k: lambda x: math.exp(x) - k)(c["k"])
        elif c["kind"] == "cos":
            f = lambda x: math.cos(x) - x
        else:
            f = (lambda am, t: lambda r: float(npf.npv(r, am)) - t)(c["amounts"], c["target"])
        a, b = c["a"], c["b"]
        fa, fb = f(a), f(b)
        row = dict(c)
        if fa == 0:
            row["root"] = a
        elif fb == 0:
            row["root"] = b
        elif (fa < 0) == (fb < 0):
            row["error"] = "noSignChangeInBracket"
            row["fa"], row["fb"] = fa, fb
        else:
            row["root"] = brentq(f, a, b, xtol=1e-12 * (b - a))
        rows.append(row)
    return {"generator": "scripts/gen_finance_tables.py", "scipy": scipy.__version__, "seed": SEED, "rows": rows}


def main():
    rng = random.Random(SEED)
    write("irr_table.json", irr_table(rng))
    write("xirr_table.json", xirr_table(rng))
    write("lease_accounting_table.json", accounting_table(rng))
    write("solve_table.json", solve_table(rng))


if __name__ == "__main__":
    main()

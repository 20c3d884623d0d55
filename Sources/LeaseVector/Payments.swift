import Foundation
import LeaseCore

/// Sums of payments over month ranges for contracts whose rate, discounts
/// and end vary by row: `total`, `npv`, `exposure`, `paid`, `remaining` and
/// `payment` are all this one kernel with different bounds and discounting.
enum Payments {
    /// Σ payment(m) · v^(m − start) for m in [from, to] ∩ [start, end], per row,
    /// exactly as `Contract.sum` and `Contract.npv` compute it: each payment
    /// rounded to the currency's minor unit, amounts summed in whole minor
    /// units, present values summed order-independently (`FixedSum`), so
    /// every row is bit for bit the scalar evaluator's.
    ///
    /// When the rate takes few values (a grid axis) and escalation and
    /// discount rate are the same for every row, the whole, undiscounted
    /// months come from prefix sums per rate value, so a row costs a few
    /// operations whatever the term; otherwise each row walks its months.
    static func sum(
        _ c: CCol, space: Space, from: Col?, to: Col?, annualRate: Col?, emptyIfReversed: Bool = false
    ) throws(Unsupported) -> Col {
        let base = c.base
        let first = base.firstMonth
        let rate = c.monthlyRate ?? .scalar(base.monthlyRate)
        let end = c.end ?? .scalar(c.baseEndCode)
        let lo = from ?? .scalar(Double(first))
        let hi = to ?? .scalar(Double(base.lastMonth))
        let discounts: [(month: Int, fraction: Col)] = c.discounts
            ?? base.discounts.map { ($0.month.monthIndex, Col.scalar($0.fraction)) }
        let dmonths = discounts.map { $0.month - first }
        let esc = c.escalation ?? .scalar(base.escalation)
        let r = annualRate ?? .scalar(.nan)
        let horizon = max(0, base.lastMonth - first) + 1
        guard horizon < 100_000 else { throw Unsupported("very long term") }
        let digits = MinorUnit.digits(forCurrency: c.currency ?? base.currency)

        // Days in each month of the term, for pro-rata last months.
        let dim = (0..<horizon).map { k -> Double in
            Double(CalendarDate.fromMonthIndex(first + k)?.daysInMonth ?? 30)
        }
        var operands: [Col] = [rate, end, lo, hi, esc, r]
        operands.append(contentsOf: discounts.map(\.fraction))
        // Escalation and discount factors by month when every row shares them,
        // computed as the scalar evaluator computes them month by month.
        var escTable: [Double] = []
        if esc.isScalar {
            let e = esc.data[0]
            escTable = (0..<horizon).map { k in e == 0 ? 1 : pow(1 + e, Double(k / 12)) }
        }
        var vTable: [Double] = []
        if annualRate != nil, r.isScalar {
            let v = pow(1 + r.data[0], -1.0 / 12)
            var vk = 1.0
            vTable.reserveCapacity(horizon)
            for _ in 0..<horizon {
                vTable.append(vk)
                vk *= v
            }
        }
        let setup = Setup(first: first, nd: discounts.count, discounting: annualRate != nil, emptyIfReversed: emptyIfReversed,
                          digits: digits)
        let tables = prefixTables(rate: rate.data, setup: setup, horizon: horizon, escTable: escTable, vTable: vTable,
                                  dmonths: dmonths, fixedRate: annualRate == nil || r.isScalar)
        return kernel(operands, setup, dim: dim, escTable: escTable, vTable: vTable, dmonths: dmonths, tables: tables, space: space)
    }

    struct Setup {
        var first: Int
        var nd: Int
        var discounting: Bool
        var emptyIfReversed: Bool
        var digits: Int
        var scale: Double { Setup.scales[max(0, min(digits, 9))] }
        static let scales: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]
    }

    /// Prefix sums over whole, undiscounted months for each value of the rate
    /// column: `fixed[i * (horizon + 1) + k]` sums months before k (present
    /// values on FixedSum's grid), `units[…]` the amounts in minor units.
    struct Tables {
        var horizon: Int
        var fixed: [Int128]
        var units: [Int64]
    }

    static func prefixTables(
        rate: [Double], setup s: Setup, horizon: Int, escTable: [Double], vTable: [Double], dmonths: [Int], fixedRate: Bool
    ) -> Tables? {
        guard fixedRate, !escTable.isEmpty, !s.discounting || !vTable.isEmpty,
            rate.count * (horizon + 1) <= 1 << 22
        else { return nil }
        let scale = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9][max(0, min(s.digits, 9))]
        let maxEsc = escTable.map { Swift.abs($0) }.max() ?? 1
        // No term may reach the bounds where the scalar sums fall back to another method.
        for x in rate {
            let bound = Swift.abs(x) * maxEsc + 1
            guard bound.isFinite, bound < FixedSum.limit / 2, bound * scale * Double(horizon) < 0x1p61 else { return nil }
        }
        let w = horizon + 1
        var fixed: [Int128] = s.discounting ? Array(repeating: 0, count: rate.count * w) : []
        var units: [Int64] = s.discounting ? [] : Array(repeating: 0, count: rate.count * w)
        let discounted = Set(dmonths)
        for (i, monthly) in rate.enumerated() {
            var f: Int128 = 0
            var u: Int64 = 0
            for k in 0..<horizon {
                if !discounted.contains(k) {
                    let pay = roundToMinorUnit(monthly * escTable[k] * (1 - 0) * 1, digits: s.digits)
                    if s.discounting {
                        f &+= FixedSum.fixed(pay * vTable[k]) ?? 0
                    } else {
                        u &+= Int64((pay * scale).rounded(.toNearestOrEven))
                    }
                }
                if s.discounting { fixed[i * w + k + 1] = f } else { units[i * w + k + 1] = u }
            }
        }
        return Tables(horizon: horizon, fixed: fixed, units: units)
    }

    static func kernel(
        _ operands: [Col], _ setup: Setup, dim: [Double], escTable: [Double], vTable: [Double], dmonths: [Int], tables: Tables?,
        space: Space
    ) -> Col {
        let ptrs = operands.map { $0.data }
        let count = operands.count
        let fixedTable = tables?.fixed ?? []
        let unitTable = tables?.units ?? []
        let width = (tables?.horizon ?? 0) + 1
        let useTables = tables != nil
        return withPointers(ptrs) { pl in
            pl.withUnsafeBufferPointer { pb in
                dim.withUnsafeBufferPointer { dimp in
                    escTable.withUnsafeBufferPointer { et in
                        vTable.withUnsafeBufferPointer { vt in
                            dmonths.withUnsafeBufferPointer { dm in
                                fixedTable.withUnsafeBufferPointer { ft in
                                    unitTable.withUnsafeBufferPointer { ut in
                                        guard let p = pb.baseAddress else { return Col.scalar(0) }
                                        let t = TablePointers(on: useTables, width: width, fixed: ft, units: ut)
                                        return space.drive(operands.map(\.axes)) { out, n, bases, steps in
                                            let idx = UnsafeMutablePointer<Int>.allocate(capacity: count)
                                            defer { idx.deallocate() }
                                            for j in 0..<count { idx[j] = bases[j] }
                                            for k in 0..<n {
                                                out[k] = row(p, idx, setup, dim: dimp, escTable: et, vTable: vt, dmonths: dm, tables: t)
                                                for j in 0..<count { idx[j] += steps[j] }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    struct TablePointers {
        var on: Bool
        var width: Int
        var fixed: UnsafeBufferPointer<Int128>
        var units: UnsafeBufferPointer<Int64>
    }

    /// One row; operands are rate, end, from, to, escalation, annual rate, then discounts.
    @inline(__always)
    static func row(
        _ p: UnsafePointer<UnsafePointer<Double>>, _ idx: UnsafeMutablePointer<Int>, _ s: Setup,
        dim: UnsafeBufferPointer<Double>, escTable: UnsafeBufferPointer<Double>, vTable: UnsafeBufferPointer<Double>,
        dmonths: UnsafeBufferPointer<Int>, tables t: TablePointers
    ) -> Double {
        let monthly = p[0][idx[0]]
        let code = Int(p[1][idx[1]])
        let last = code / 32 - s.first, endDay = code % 32
        var a = Int(p[2][idx[2]]) - s.first, b = Int(p[3][idx[3]]) - s.first
        if s.emptyIfReversed && b < a { return 0 }
        if a < 0 { a = 0 }
        if b > last { b = last }
        guard a <= b && last >= 0 else { return 0 }
        let frac = endDay == 0 ? 1.0 : Double(endDay) / dim[last]
        let e = p[4][idx[4]]
        @inline(__always) func discount(_ m: Int) -> Double {
            for j in 0..<s.nd where dmonths[j] == m { return p[6 + j][idx[6 + j]] }
            return 0
        }
        @inline(__always) func payment(_ m: Int) -> Double {
            let f = m == last ? frac : 1
            let escf = escTable.isEmpty ? (e == 0 ? 1 : pow(1 + e, Double(m / 12))) : escTable[m]
            return roundToMinorUnit(monthly * escf * (1 - discount(m)) * f, digits: s.digits)
        }
        if t.on {
            // Whole months a..<b from the rate's prefix sums, then the discounted
            // months before b one by one, then month b itself.
            let row = idx[0] * t.width
            if s.discounting {
                var total = t.fixed[row + b] &- t.fixed[row + a]
                for j in 0..<s.nd {
                    let m = dmonths[j]
                    if m >= a && m < b { total &+= FixedSum.fixed(payment(m) * vTable[m]) ?? 0 }
                }
                total &+= FixedSum.fixed(payment(b) * vTable[b]) ?? 0
                return FixedSum.value(total)
            }
            let scale = s.scale
            var units = t.units[row + b] &- t.units[row + a]
            for j in 0..<s.nd {
                let m = dmonths[j]
                if m >= a && m < b { units &+= Int64((payment(m) * scale).rounded(.toNearestOrEven)) }
            }
            units &+= Int64((payment(b) * scale).rounded(.toNearestOrEven))
            return AmountSum.value(units: units, digits: s.digits)
        }
        if s.discounting {
            // As Contract.npv: every month from the start, discounted in order.
            var exact = FixedSum()
            let v = vTable.isEmpty ? pow(1 + p[5][idx[5]], -1.0 / 12) : 1
            var vk = 1.0
            for m in 0...b {
                exact.add(payment(m) * (vTable.isEmpty ? vk : vTable[m]))
                vk *= v
            }
            if !exact.hasOverflowed { return exact.value }
            var acc = CompensatedSum()
            vk = 1.0
            for m in 0...b {
                acc.add(payment(m) * (vTable.isEmpty ? vk : vTable[m]))
                vk *= v
            }
            return acc.value
        }
        // As Contract.sum: whole minor units.
        var acc = AmountSum(digits: s.digits)
        for m in a...b { acc.add(payment(m)) }
        return acc.value
    }

    /// Stable base pointers to each operand's data for the kernel's lifetime.
    static func withPointers<R>(_ arrays: [[Double]], _ body: ([UnsafePointer<Double>]) -> R) -> R {
        var ptrs: [UnsafePointer<Double>] = []
        var holders: [UnsafeMutableBufferPointer<Double>] = []
        for a in arrays {
            let buf = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, a.count))
            _ = buf.initialize(from: a)
            holders.append(buf)
            ptrs.append(UnsafePointer(buf.baseAddress ?? UnsafeMutablePointer<Double>.allocate(capacity: 1)))
        }
        defer { for h in holders { h.deallocate() } }
        return body(ptrs)
    }
}

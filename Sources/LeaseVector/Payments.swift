import Foundation
import LeaseCore

/// Sums of payments over month ranges for contracts whose rate, discounts
/// and end vary by row: `total`, `npv`, `exposure`, `paid`, `remaining` and
/// `payment` are all this one kernel with different bounds and discounting.
enum Payments {
    /// Σ payment(m) · v^(m − start) for m in [from, to] ∩ [start, end], per row,
    /// month by month exactly as `Contract.sum` and `Contract.npv` compute it:
    /// each payment rounded to the currency's minor unit, sums of amounts in
    /// whole minor units, present values compensated in month order, so every
    /// row is bit for bit the scalar evaluator's.
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
        // Escalation factors and discount factors by month, when every row shares them,
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
        return kernel(operands, setup, dim: dim, escTable: escTable, vTable: vTable, dmonths: dmonths, space: space)
    }

    struct Setup {
        var first: Int
        var nd: Int
        var discounting: Bool
        var emptyIfReversed: Bool
        var digits: Int
    }

    static func kernel(
        _ operands: [Col], _ setup: Setup, dim: [Double], escTable: [Double], vTable: [Double], dmonths: [Int], space: Space
    ) -> Col {
        let ptrs = operands.map { $0.data }
        let count = operands.count
        return withPointers(ptrs) { pl in
            pl.withUnsafeBufferPointer { pb in
                dim.withUnsafeBufferPointer { dimp in
                    escTable.withUnsafeBufferPointer { et in
                        vTable.withUnsafeBufferPointer { vt in
                            dmonths.withUnsafeBufferPointer { dm in
                                guard let p = pb.baseAddress else { return Col.scalar(0) }
                                return space.drive(operands.map(\.axes)) { out, n, bases, steps in
                                    let idx = UnsafeMutablePointer<Int>.allocate(capacity: count)
                                    defer { idx.deallocate() }
                                    for j in 0..<count { idx[j] = bases[j] }
                                    for k in 0..<n {
                                        out[k] = row(p, idx, setup, dim: dimp, escTable: et, vTable: vt, dmonths: dm)
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

    /// One row; operands are rate, end, from, to, escalation, annual rate, then discounts.
    @inline(__always)
    static func row(
        _ p: UnsafePointer<UnsafePointer<Double>>, _ idx: UnsafeMutablePointer<Int>, _ s: Setup,
        dim: UnsafeBufferPointer<Double>, escTable: UnsafeBufferPointer<Double>, vTable: UnsafeBufferPointer<Double>,
        dmonths: UnsafeBufferPointer<Int>
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
        @inline(__always) func payment(_ m: Int) -> Double {
            let f = m == last ? frac : 1
            let escf = escTable.isEmpty ? (e == 0 ? 1 : pow(1 + e, Double(m / 12))) : escTable[m]
            var d = 0.0
            for j in 0..<s.nd where dmonths[j] == m {
                d = p[6 + j][idx[6 + j]]
                break
            }
            return roundToMinorUnit(monthly * escf * (1 - d) * f, digits: s.digits)
        }
        if s.discounting {
            // As Contract.npv: every month from the start, discounted in order.
            var acc = CompensatedSum()
            if !vTable.isEmpty {
                for m in 0...b { acc.add(payment(m) * vTable[m]) }
            } else {
                let v = pow(1 + p[5][idx[5]], -1.0 / 12)
                var vk = 1.0
                for m in 0...b {
                    acc.add(payment(m) * vk)
                    vk *= v
                }
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

import Foundation
import LeaseCore

/// Sums of payments over month ranges for contracts whose rate, discounts
/// and end vary by row: `total`, `npv`, `exposure`, `paid`, `remaining` and
/// `payment` are all this one kernel with different bounds and discounting.
enum Payments {
    /// Σ payment(m) · v^(m − start) for m in [from, to] ∩ [start, end], per row.
    ///
    /// With one escalation and one discount rate for every row, the full,
    /// undiscounted months come from a prefix table, so a row costs a few
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
        let discounting = annualRate != nil
        let horizon = max(0, base.lastMonth - first) + 1
        guard horizon < 100_000 else { throw Unsupported("very long term") }

        // Days in each month of the term, for pro-rata last months.
        let dim = (0..<horizon).map { k -> Double in
            Double(CalendarDate.fromMonthIndex(first + k)?.daysInMonth ?? 30)
        }
        var operands: [Col] = [rate, end, lo, hi, esc, r]
        operands.append(contentsOf: discounts.map(\.fraction))
        let nd = discounts.count

        // Prefix table when escalation and discount rate are the same for every row.
        var table: [Double] = []
        var term: [Double] = []
        let fixed = esc.isScalar && r.isScalar
        if fixed {
            let e = esc.data[0]
            let v = discounting ? pow(1 + r.data[0], -1.0 / 12) : 1
            var vk = 1.0
            var acc = CompensatedSum()
            table.reserveCapacity(horizon + 1)
            table.append(0)
            for k in 0..<horizon {
                let t = (e == 0 ? 1 : pow(1 + e, Double(k / 12))) * vk
                term.append(t)
                if !dmonths.contains(k) { acc.add(t) }
                table.append(acc.value)
                vk *= v
            }
        }

        // With one escalation and discount rate, the sum is the monthly rate
        // times a factor that depends on the end, bounds and discounts only:
        // compute that factor over its own axes, then scale by the rate.
        if fixed && !(rate.isScalar) {
            var factorOperands = operands
            factorOperands[0] = .scalar(1)
            let factor = kernel(factorOperands, first: first, nd: nd, fixed: true, discounting: discounting,
                                emptyIfReversed: emptyIfReversed, dim: dim, table: table, term: term, dmonths: dmonths, space: space)
            return space.map(rate, factor) { $0 * $1 }
        }
        return kernel(operands, first: first, nd: nd, fixed: fixed, discounting: discounting, emptyIfReversed: emptyIfReversed,
                      dim: dim, table: table, term: term, dmonths: dmonths, space: space)
    }

    static func kernel(
        _ operands: [Col], first: Int, nd: Int, fixed: Bool, discounting: Bool, emptyIfReversed: Bool,
        dim: [Double], table: [Double], term: [Double], dmonths: [Int], space: Space
    ) -> Col {
        let ptrs = operands.map { $0.data }
        let count = operands.count
        return withPointers(ptrs) { pl in
            pl.withUnsafeBufferPointer { pb in
                dim.withUnsafeBufferPointer { dimp in
                    table.withUnsafeBufferPointer { tab in
                        term.withUnsafeBufferPointer { trm in
                            dmonths.withUnsafeBufferPointer { dm in
                                guard let p = pb.baseAddress else { return Col.scalar(0) }
                                return space.drive(operands.map(\.axes)) { out, n, bases, steps in
                                    let idx = UnsafeMutablePointer<Int>.allocate(capacity: count)
                                    defer { idx.deallocate() }
                                    for j in 0..<count { idx[j] = bases[j] }
                                    for k in 0..<n {
                                        out[k] = row(p, idx, first: first, nd: nd, fixed: fixed, discounting: discounting,
                                                     emptyIfReversed: emptyIfReversed, dim: dimp, table: tab, term: trm, dmonths: dm)
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

    /// One row of the payment sum; operands are rate, end, from, to, escalation, annual rate, then discounts.
    @inline(__always)
    static func row(
        _ p: UnsafePointer<UnsafePointer<Double>>, _ idx: UnsafeMutablePointer<Int>, first: Int, nd: Int, fixed: Bool,
        discounting: Bool, emptyIfReversed: Bool, dim: UnsafeBufferPointer<Double>, table: UnsafeBufferPointer<Double>,
        term: UnsafeBufferPointer<Double>, dmonths: UnsafeBufferPointer<Int>
    ) -> Double {
        let monthly = p[0][idx[0]]
        let code = Int(p[1][idx[1]])
        let last = code / 32 - first, endDay = code % 32
        var a = Int(p[2][idx[2]]) - first, b = Int(p[3][idx[3]]) - first
        if emptyIfReversed && b < a { b = a - 1 }
        if a < 0 { a = 0 }
        if b > last { b = last }
        guard a <= b && last >= 0 else { return 0 }
        let frac = endDay == 0 ? 1.0 : Double(endDay) / dim[last]
        if fixed {
            // Whole months a...min(b, last − 1) not discounted come from the table;
            // the few discounted months and the last month are added one by one.
            let fullEnd = min(b, last - 1)
            var s = fullEnd >= a ? table[fullEnd + 1] - table[a] : 0
            var dLast = 0.0
            for j in 0..<nd {
                let m = dmonths[j]
                let d = p[6 + j][idx[6 + j]]
                if m >= a && m <= fullEnd { s += (1 - d) * term[m] }
                if m == last { dLast = d }
            }
            if b == last { s += frac * (1 - dLast) * term[last] }
            return monthly * s
        }
        // Walk the months as Contract.npv and Contract.sum do.
        let e = p[4][idx[4]]
        let v = discounting ? pow(1 + p[5][idx[5]], -1.0 / 12) : 1
        var acc = CompensatedSum()
        var vk = 1.0
        for m in 0...b {
            if m >= a {
                let f = m == last ? frac : 1
                let escf = e == 0 ? 1 : pow(1 + e, Double(m / 12))
                var d = 0.0
                for j in 0..<nd where dmonths[j] == m { d = p[6 + j][idx[6 + j]] }
                acc.add(monthly * escf * (1 - d) * f * vk)
            }
            vk *= v
        }
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

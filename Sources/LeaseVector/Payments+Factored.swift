import Foundation
import LeaseCore
import Synchronization

extension Payments {
    /// A present value over a grid, by the axes each part depends on.
    ///
    /// On a grid most of a row's terms depend on a few of its axes: with the
    /// rate, notice and discount on three axes, the whole and prorated
    /// months depend on the rate and the notice, a listed (discounted) month
    /// on the rate and its discount. `segmentedPresentValueTerms` sums its
    /// terms exactly, in any order, so a row's sum is the sum of its parts:
    ///
    /// - P, once per point of the axes of every operand but the discounts:
    ///   the row's terms without its plainly billed listed months (whole,
    ///   not past the last month, without a charge), and a mask of which
    ///   listed months it bills plainly;
    /// - Q_j, once per point of the axes of the rate, escalation and
    ///   discount j: listed month j's term, billed plainly.
    ///
    /// A row is then P plus its masked Q_j, a few additions: the same bits
    /// as the row worked out whole. A row whose listed month is prorated or
    /// charged, or whose payment is out of the exact sum's range, is worked out whole.
    struct Factored {
        /// Operand indices (into `operands`): P's, and each Q_j's.
        var pAxes: [Int]
        var qAxes: [[Int]]
        var pTotal: UnsafeBufferPointer<Int128>
        var pMask: UnsafeBufferPointer<UInt16>
        /// Q_j's terms, one block per j at `qStart[j]`; `Factored.unknown` where out of range.
        var qTerms: UnsafeBufferPointer<Int128>
        var qStart: [Int]

        static var slow: UInt16 { 1 << 15 }
        /// Kernels run this way so far in the process (for tests).
        static let runs = Mutex(0)
        static var unknown: Int128 { .min }

        /// Worth building when every part has a quarter of the rows or fewer.
        init?(_ operands: [Col], _ s: Setup, _ x: MonthTables, space: Space, p: UnsafePointer<UnsafePointer<Double>>, pins: Pins) {
            let nd = s.nd
            guard s.discounting, x.segments, x.prefix != nil, !x.powers.isEmpty, nd >= 1, nd <= 15,
                  operands.count == 9 + nd, operands[6].isScalar, operands[6].data[0].isFinite, Swift.abs(operands[6].data[0]) < 1e9
            else { return nil }
            let horizon = x.listed.count
            let months = Array(x.dmonths)
            guard Set(months).count == nd, months.allSatisfy({ $0 >= 0 && $0 < horizon }) else { return nil }
            let rows = space.count(Space.union(operands.map(\.axes)))
            let pOps = Array(operands[0..<9])
            let pAxes = Space.union(pOps.map(\.axes))
            let pCount = space.count(pAxes)
            let qOps = (0..<nd).map { j in [operands[0], operands[4], operands[9 + j]] }
            let qAxes = qOps.map { Space.union($0.map(\.axes)) }
            let qCounts = qAxes.map { space.count($0) }
            guard pCount * 4 <= rows, pCount <= 1 << 20, qCounts.allSatisfy({ $0 * 4 <= rows && $0 <= 1 << 20 }) else { return nil }
            // Parts never cover every axis, so a shard's parts are whole.
            let full = Array(space.sizes.indices)
            guard pAxes != full, !qAxes.contains(full) else { return nil }
            self.pAxes = pAxes
            self.qAxes = qAxes

            // Month → listed index, for P's rows.
            var listedIndex = [Int8](repeating: -1, count: horizon)
            for (j, m) in months.enumerated() { listedIndex[m] = Int8(j) }
            let li = pins.pin(listedIndex)
            let totals = UnsafeMutableBufferPointer<Int128>.allocate(capacity: Swift.max(1, pCount))
            let masks = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: Swift.max(1, pCount))
            pins.adopt(totals)
            pins.adopt(masks)
            let tp = UnsafeSendable(totals), mp = UnsafeSendable(masks)
            space.forEach(pOps.map(\.axes), over: pAxes) { start, n, bases, steps in
                var idx = [Int](repeating: 0, count: 9)
                let scratch = UnsafeMutablePointer<Double>.allocate(capacity: Payments.scratchCount)
                defer { scratch.deallocate() }
                idx.withUnsafeMutableBufferPointer { ib in
                    guard let ip = ib.baseAddress else { return }
                    for j in 0..<9 { ip[j] = bases[j] }
                    for k in 0..<n {
                        let (t, m) = Payments.termsWithoutListed(p, ip, s, x, listedIndex: li, scratch: scratch)
                        tp.value[start + k] = t
                        mp.value[start + k] = m
                        for j in 0..<9 { ip[j] += steps[j] }
                    }
                }
            }

            let offset = s.arrears - (Int(p[6][0]) - s.first)
            var qStart: [Int] = []
            var at = 0
            for c in qCounts {
                qStart.append(at)
                at += c
            }
            let terms = UnsafeMutableBufferPointer<Int128>.allocate(capacity: Swift.max(1, at))
            pins.adopt(terms)
            let qp = UnsafeSendable(terms)
            for j in 0..<nd {
                let m = months[j], base = qStart[j]
                let (rate, esc, fraction) = (p[0], p[4], p[9 + j])
                space.forEach(qOps[j].map(\.axes), over: qAxes[j]) { start, n, bases, steps in
                    var (ir, ie, id) = (bases[0], bases[1], bases[2])
                    for k in 0..<n {
                        qp.value[base + start + k] = Payments.listedTerm(
                            monthly: rate[ir], e: esc[ie], d: fraction[id], month: m, offset: offset, s, x) ?? Factored.unknown
                        ir += steps[0]
                        ie += steps[1]
                        id += steps[2]
                    }
                }
            }
            Factored.runs.withLock { $0 += 1 }
            pTotal = UnsafeBufferPointer(totals)
            pMask = UnsafeBufferPointer(masks)
            qTerms = UnsafeBufferPointer(terms)
            self.qStart = qStart
        }

        /// Every row: P and its masked Q_j, or the row worked out whole.
        func run(
            _ operands: [Col], _ p: UnsafePointer<UnsafePointer<Double>>, _ s: Setup, _ x: MonthTables, tables t: TablePointers,
            space: Space
        ) -> Col {
            let count = operands.count
            let nd = s.nd
            var axes = operands.map(\.axes)
            axes.append(pAxes)
            axes.append(contentsOf: qAxes)
            let (totals, masks, terms, qStart) = (pTotal, pMask, qTerms, qStart)
            let slow = Factored.slow, unknown = Factored.unknown
            return space.drive(axes, over: Space.union(operands.map(\.axes))) { out, n, bases, steps in
                let idx = UnsafeMutablePointer<Int>.allocate(capacity: count)
                let scratch = UnsafeMutablePointer<Double>.allocate(capacity: Payments.scratchCount)
                let iq = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(1, nd))
                defer {
                    idx.deallocate()
                    scratch.deallocate()
                    iq.deallocate()
                }
                let ps = steps[count]
                var ip = bases[count]
                for j in 0..<nd { iq[j] = qStart[j] + bases[count + 1 + j] }
                let qs = steps + count + 1
                for k in 0..<n {
                    let mask = masks[ip]
                    var total = totals[ip]
                    var whole = mask & slow != 0
                    if !whole {
                        var bits = mask, j = 0
                        while bits != 0 {
                            if bits & 1 != 0 {
                                let q = terms[iq[j]]
                                if q == unknown { whole = true } else { total &+= q }
                            }
                            bits >>= 1
                            j += 1
                        }
                    }
                    if whole {
                        for j in 0..<count { idx[j] = bases[j] + k * steps[j] }
                        out[k] = Payments.row(p, idx, s, x, tables: t, scratch: scratch)
                    } else {
                        out[k] = PresentValueSum.value(total, scale: s.scale)
                    }
                    ip += ps
                    for j in 0..<nd { iq[j] += qs[j] }
                }
            }
        }
    }

    /// A discounting row's amounts without its plainly billed listed months
    /// (billed 0 here), which it marks in the mask (`scratch[4]`): bit j for
    /// listed month j, or `Factored.slow` when one is prorated or charged.
    /// Never reads a discount.
    struct AmountsWithoutListed: MonthAmounts {
        let row: RowAmounts
        let listedIndex: UnsafeBufferPointer<Int8>

        @inline(__always) func mark(_ bits: UInt16) { row.scratch[4] = Double(UInt16(row.scratch[4]) | bits) }

        @inline(__always) func payment(_ m: Int) -> Double {
            let r = row.r
            var pay = 0.0
            if m <= r.last {
                let j = m >= 0 && m < listedIndex.count ? Int(listedIndex[m]) : -1
                if j >= 0 {
                    mark((m == r.last && r.endDay != 0) || (r.hasCharge && m == r.chargeM) ? Factored.slow : 1 << j)
                    return 0
                }
                let f = m == r.last ? r.frac : 1
                let mr = m >= row.s.renewFrom ? row.s.renewMonthly : r.monthly
                pay = row.rounded(mr * row.escalation(m) * (1 - 0) * f)
            }
            if r.hasCharge && m == r.chargeM { pay = pay + r.charge }
            return pay
        }

        @inline(__always) func plain(_ m: Int) -> Double { row.plain(m) }
        @inline(__always) func plainUnits(_ m: Int, scale: Double) -> Double { row.plainUnits(m, scale: scale) }
    }

    /// A discounting row's terms without its plainly billed listed months,
    /// and the mask of those months (`AmountsWithoutListed`), as `row` works
    /// them out; `Factored.slow` also when a term is out of range.
    @inline(__always)
    static func termsWithoutListed(
        _ p: UnsafePointer<UnsafePointer<Double>>, _ idx: UnsafePointer<Int>, _ s: Setup, _ x: MonthTables,
        listedIndex: UnsafeBufferPointer<Int8>, scratch: UnsafeMutablePointer<Double>
    ) -> (Int128, UInt16) {
        guard let r = RowBounds(p, idx, s, x) else { return (0, 0) }
        scratch[4] = 0
        let amounts = AmountsWithoutListed(row: RowAmounts(p, idx, s, x, r, scratch: scratch), listedIndex: listedIndex)
        let sum = segmentedPresentValueTerms(
            from: r.a, to: r.b, last: r.last, lastIsSpecial: r.endDay != 0, chargeMonth: r.hasCharge ? r.chargeM : nil,
            offset: s.arrears - r.kd, plan: x.nextBreak, listed: x.listed, segments: x.segments, prefix: x.prefix, scale: s.scale,
            amounts: amounts)
        let mask = UInt16(scratch[4])
        return (sum.total, sum.hasOverflowed ? mask | Factored.slow : mask)
    }

    /// Listed month m's term billed plainly (whole, no charge), as `row` works it out.
    @inline(__always)
    static func listedTerm(monthly: Double, e: Double, d: Double, month m: Int, offset: Int, _ s: Setup, _ x: MonthTables) -> Int128? {
        let j = m + offset
        guard let prefix = x.prefix, j >= 0, j + 1 < prefix.count else { return nil }
        let escf = x.escTable.isEmpty ? (e == 0 ? 1 : pow(1 + e, Double(x.years[m]))) : x.escTable[m]
        let mr = m >= s.renewFrom ? s.renewMonthly : monthly
        let q = minorUnits(mr * escf * (1 - d) * 1, scale: s.scale, digits: s.digits)
        guard Swift.abs(q) < PresentValueSum.unitLimit else { return nil }
        return Int128(Int64(q)) &* (prefix[j + 1] &- prefix[j])
    }
}

/// Counts of the engine's paths, for tests.
package enum EngineCounters {
    /// Present-value kernels that ran by parts (`Payments.Factored`).
    package static var factoredKernels: Int { Payments.Factored.runs.withLock { $0 } }
    /// Present-value kernels that ran by flat layouts (`Payments.FlatLayouts`).
    package static var flatLayoutKernels: Int { Payments.FlatLayouts.runs.withLock { $0 } }
}

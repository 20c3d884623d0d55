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
        _ c: CCol, space: Space, from: Col?, to: Col?, annualRate: Col?, discountFrom: Col? = nil, emptyIfReversed: Bool = false
    ) throws(Unsupported) -> Col {
        let base = c.base
        let first = base.firstMonth
        let rate = c.monthlyRate ?? .scalar(base.monthlyRate)
        let end = c.end ?? .scalar(c.baseEndCode)
        let lo = from ?? .scalar(Double(first))
        let hi = to ?? .scalar(Double(Swift.max(base.lastMonth, base.billingMonths?.upperBound ?? base.lastMonth)))
        let discounts: [(month: Int, fraction: Col)] = c.discounts
            ?? base.discounts.map { ($0.month.monthIndex, Col.scalar($0.fraction)) }
        let dmonths = discounts.map { $0.month - first }
        let r = annualRate ?? .scalar(.nan)
        let kd = discountFrom ?? lo
        let horizon = max(0, base.lastMonth - first) + 1
        guard horizon < 100_000 else { throw Unsupported("very long term") }
        let digits = MinorUnit.digits(forCurrency: c.currency ?? base.currency)
        // A base terminated before the columns were applied bills its charge as a constant.
        let charge = c.charge ?? .scalar(base.terms.termination?.charge ?? 0)
        let chargeMonth = c.chargeMonth ?? .scalar(Double(base.terms.termination?.chargeMonth ?? -1))

        // Days in each month of the term, for pro-rata last months.
        // The billed fraction of month k ending on day d, at k * 32 + d (a division once, not a row).
        var fractions = [Double](repeating: 1, count: horizon * 32)
        for k in 0..<horizon {
            let days = Double(CalendarDate.fromMonthIndex(first + k)?.daysInMonth ?? 30)
            for d in 1..<32 { fractions[k * 32 + d] = Double(d) / days }
        }
        // Whole years of escalation by month, counted as `Contract.escalationFactor` counts them.
        let escFrom = base.escalationBase - first
        let years = (0..<horizon).map { k in (k >= escFrom ? k - escFrom : k) / 12 }
        // Escalation factors by month when every row shares them: the base's own
        // (a % or an index), or one % for every row.
        var escTable: [Double] = []
        let esc: Col
        if let e = c.escalation {
            esc = e
            if e.isScalar {
                let x = e.data[0]
                escTable = years.map { y in x == 0 ? 1 : pow(1 + x, Double(y)) }
            }
        } else {
            esc = .scalar(base.escalation)
            escTable = (0..<horizon).map { base.escalationFactor(first + $0) }
        }
        var usage: [Double] = []
        if let u = base.usagePerGPUHour { usage = (0..<horizon).map { base.usageBase(first + $0, perGPUHour: u) } }
        let arrears = base.terms.timing == .arrears ? 1 : 0
        // Powers v^j of the monthly discount factor as repeated products from 1,
        // long enough for any month discounted from any `at` in the run.
        var powers: [Double] = []
        var prefix: [Int128]?
        var shift = 0
        if annualRate != nil, r.isScalar {
            let minKd = Int(kd.data.min() ?? Double(first)) - first
            shift = Swift.max(0, -minKd)
            let n = horizon + shift + arrears + 1
            guard n < 1_000_000 else { throw Unsupported("discounting from far before the start") }
            let dp = DiscountPowers(annualRate: r.data[0], count: n)
            powers = dp.powers
            prefix = dp.prefix
        }
        var renewFrom = Int.max, renewMonthly = 0.0
        if let f = base.terms.renewedFrom, let rr = base.terms.renewedRate {
            renewFrom = f - first
            renewMonthly = Contract.monthly(rr.value, unit: rr.unit)
        }
        var operands: [Col] = [rate, end, lo, hi, esc, r, kd, charge, chargeMonth]
        operands.append(contentsOf: discounts.map(\.fraction))
        var setup = Setup(first: first, nd: discounts.count, discounting: annualRate != nil, emptyIfReversed: emptyIfReversed,
                          digits: digits, arrears: arrears, renewFrom: renewFrom, renewMonthly: renewMonthly)
        setup.scale = MinorUnits.scale(max(0, min(digits, 9)))
        let rows = space.count(Space.union(operands.map(\.axes)))
        // Sums of amounts come from prefix tables; present values by segments (`segmentedPresentValue`).
        let tables = annualRate != nil ? nil
            : prefixTables(rate: rate.data, setup: setup, horizon: horizon, escTable: escTable, usage: usage, dmonths: dmonths, rows: rows)
        let plan = PresentValuePlan(horizon: horizon, escalationFrom: escFrom, renewFrom: renewFrom, discountMonths: dmonths,
                                    usage: !usage.isEmpty)
        let context = Context(fractions: fractions, escTable: escTable, powers: powers, prefix: prefix ?? [], hasPrefix: prefix != nil,
                              years: years, usage: usage, dmonths: dmonths, nextBreak: plan.nextBreak, listed: plan.listed,
                              segments: plan.segments)
        return kernel(operands, setup, context, tables: tables, space: space)
    }

    /// Tables every row reads, by month of the term (k = 0 at the start).
    struct Context {
        var fractions: [Double]
        var escTable: [Double]
        var powers: [Double]
        var prefix: [Int128]
        var hasPrefix: Bool
        var years: [Int]
        var usage: [Double]
        var dmonths: [Int]
        var nextBreak: [Int]
        var listed: [Bool]
        var segments: Bool
    }

    struct Setup {
        var first: Int
        var nd: Int
        var discounting: Bool
        var emptyIfReversed: Bool
        var digits: Int
        /// 1 when payments are in arrears: month k is discounted one month more.
        var arrears: Int
        /// First renewed month (k) billed at `renewMonthly`, or Int.max.
        var renewFrom: Int
        var renewMonthly: Double
        /// 10^digits.
        var scale = 1.0
    }

    /// Prefix sums over whole, undiscounted months for each value of the rate
    /// column: `units[i * (horizon + 1) + k]` sums the amounts of months
    /// before k in minor units (present values go by segments instead).
    struct Tables {
        var horizon: Int
        var units: [Int64]
    }

    static func prefixTables(
        rate: [Double], setup s: Setup, horizon: Int, escTable: [Double], usage: [Double], dmonths: [Int], rows: Int
    ) -> Tables? {
        // Worth building only when rows share rate values (a grid axis), not when each row has its own.
        guard !s.discounting, !escTable.isEmpty, rate.count * (horizon + 1) <= 1 << 22, rate.count <= 1 || rate.count * 4 <= rows
        else { return nil }
        let scale = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9][max(0, min(s.digits, 9))]
        let maxEsc = escTable.map { Swift.abs($0) }.max() ?? 1
        let maxUsage = usage.map { Swift.abs($0) }.max() ?? 0
        // No term may reach the bounds where the scalar sums fall back to another method.
        for x in rate + [s.renewMonthly] {
            let bound = (Swift.abs(x) + maxUsage) * maxEsc + 1
            guard bound.isFinite, bound < FixedSum.limit / 2, bound * scale * Double(horizon) < 0x1p61 else { return nil }
        }
        let w = horizon + 1
        var units = [Int64](repeating: 0, count: rate.count * w)
        let discounted = Set(dmonths)
        for (i, monthly) in rate.enumerated() {
            var u: Int64 = 0
            for k in 0..<horizon {
                if !discounted.contains(k) {
                    let mr = k >= s.renewFrom ? s.renewMonthly : monthly
                    let fixedPart = mr * escTable[k] * (1 - 0) * 1
                    let raw = usage.isEmpty ? fixedPart : fixedPart + usage[k] * escTable[k] * 1
                    let pay = roundToMinorUnit(raw, digits: s.digits)
                    u &+= Int64((pay * scale).rounded(.toNearestOrEven))
                }
                units[i * w + k + 1] = u
            }
        }
        return Tables(horizon: horizon, units: units)
    }

    static func kernel(_ operands: [Col], _ setup: Setup, _ x: Context, tables: Tables?, space: Space) -> Col {
        let pins = Pins()
        let t = TablePointers(on: tables != nil, width: (tables?.horizon ?? 0) + 1, units: pins.pin(tables?.units ?? []))
        let m = MonthTables(fractions: pins.pin(x.fractions), escTable: pins.pin(x.escTable), powers: pins.pin(x.powers),
                            prefix: x.hasPrefix ? pins.pin(x.prefix) : nil, years: pins.pin(x.years), usage: pins.pin(x.usage),
                            dmonths: pins.pin(x.dmonths), nextBreak: pins.pin(x.nextBreak), listed: pins.pin(x.listed),
                            segments: x.segments)
        return withPointers(operands.map(\.data)) { pl in
            pl.withUnsafeBufferPointer { pb in
                guard let p = pb.baseAddress else { return Col.scalar(0) }
                if let f = Factored(operands, setup, m, space: space, p: p, pins: pins) {
                    return f.run(operands, p, setup, m, tables: t, space: space)
                }
                if let layouts = Layouts(operands, setup, m, rows: space.count(Space.union(operands.map(\.axes)))) {
                    if let flat = FlatLayouts(layouts, operands, setup, m) {
                        return flat.run(operands, p, setup, m, space: space, pins: pins) { idx, scratch in
                            row(p, idx, setup, m, tables: t, scratch: scratch)
                        }
                    }
                    let l = LayoutPointers(layouts, pins: pins)
                    return eachRow(operands, space) { idx, scratch in row(p, idx, setup, m, tables: t, scratch: scratch, layouts: l) }
                }
                return eachRow(operands, space) { idx, scratch in row(p, idx, setup, m, tables: t, scratch: scratch) }
            }
        }
    }

    /// Doubles of scratch a row may use: the last amount rounded and its
    /// rounding (0, 1), the last amount in minor units and its units (2, 3),
    /// and a mask for the kernel by parts (4).
    static let scratchCount = 5

    /// `row(idx, scratch)` for every row of the operands' axes: idx holds each
    /// operand's index in its column, scratch `scratchCount` doubles a row may use.
    @inline(__always)
    static func eachRow(
        _ operands: [Col], _ space: Space, _ row: (UnsafePointer<Int>, UnsafeMutablePointer<Double>) -> Double
    ) -> Col {
        let count = operands.count
        return space.drive(operands.map(\.axes)) { out, n, bases, steps in
            let idx = UnsafeMutablePointer<Int>.allocate(capacity: count)
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: scratchCount)
            defer {
                idx.deallocate()
                scratch.deallocate()
            }
            // Only the operands that vary along the piece move from row to row.
            let moving = UnsafeMutablePointer<Int>.allocate(capacity: count)
            defer { moving.deallocate() }
            var m = 0
            for j in 0..<count {
                idx[j] = bases[j]
                if steps[j] != 0 {
                    moving[m] = j
                    m += 1
                }
            }
            for k in 0..<n {
                out[k] = row(idx, scratch)
                for i in 0..<m { idx[moving[i]] += steps[moving[i]] }
            }
        }
    }

    /// Copies of a kernel's tables at stable addresses, freed with it.
    final class Pins {
        private var buffers: [UnsafeMutableRawPointer] = []

        func pin<T: BitwiseCopyable>(_ a: [T]) -> UnsafeBufferPointer<T> {
            let b = UnsafeMutableBufferPointer<T>.allocate(capacity: Swift.max(1, a.count))
            _ = b.initialize(from: a)
            if let base = b.baseAddress { buffers.append(UnsafeMutableRawPointer(base)) }
            return UnsafeBufferPointer(start: b.baseAddress, count: a.count)
        }

        /// Frees `b` with the pins.
        func adopt<T>(_ b: UnsafeMutableBufferPointer<T>) {
            if let base = b.baseAddress { buffers.append(UnsafeMutableRawPointer(base)) }
        }

        deinit { for b in buffers { b.deallocate() } }
    }

    struct TablePointers {
        var on: Bool
        var width: Int
        var units: UnsafeBufferPointer<Int64>
    }

    struct MonthTables {
        var fractions: UnsafeBufferPointer<Double>
        var escTable: UnsafeBufferPointer<Double>
        var powers: UnsafeBufferPointer<Double>
        var prefix: UnsafeBufferPointer<Int128>?
        var years: UnsafeBufferPointer<Int>
        var usage: UnsafeBufferPointer<Double>
        var dmonths: UnsafeBufferPointer<Int>
        var nextBreak: UnsafeBufferPointer<Int>
        var listed: UnsafeBufferPointer<Bool>
        var segments: Bool
    }

    /// A row's months and the operands every month reads: nil when the row bills nothing.
    struct RowBounds {
        var monthly: Double
        var last: Int, endDay: Int
        var a: Int, b: Int
        var chargeM: Int, charge: Double, hasCharge: Bool
        var frac: Double
        var e: Double
        var kd: Int

        @inline(__always)
        init?(_ p: UnsafePointer<UnsafePointer<Double>>, _ idx: UnsafePointer<Int>, _ s: Setup, _ x: MonthTables) {
            monthly = p[0][idx[0]]
            let code = Int(p[1][idx[1]])
            last = code / 32 - s.first
            endDay = code % 32
            a = Int(p[2][idx[2]]) - s.first
            b = Int(p[3][idx[3]]) - s.first
            if s.emptyIfReversed && b < a { return nil }
            let cm = p[8][idx[8]]
            chargeM = Int(cm) - (cm < 0 ? 0 : s.first)
            charge = p[7][idx[7]]
            hasCharge = cm >= 0
            if a < 0 { a = 0 }
            let upper = hasCharge ? Swift.max(last, chargeM) : last
            if b > upper { b = upper }
            guard a <= b && upper >= 0 else { return nil }
            frac = endDay == 0 || last < 0 ? 1.0 : x.fractions[last * 32 + endDay]
            e = p[4][idx[4]]
            kd = Int(p[6][idx[6]]) - s.first
        }
    }

    /// A row's amounts by month, as `Contract.payment` bills them. Rounding
    /// is a function of the amount, so months that bill the same amount round
    /// it once: the last amount and its rounding live in `scratch`, and so do
    /// the last amount in minor units and its units.
    struct RowAmounts: MonthAmounts {
        let p: UnsafePointer<UnsafePointer<Double>>
        let idx: UnsafePointer<Int>
        let s: Setup
        let x: MonthTables
        let r: RowBounds
        let scratch: UnsafeMutablePointer<Double>

        @inline(__always)
        init(_ p: UnsafePointer<UnsafePointer<Double>>, _ idx: UnsafePointer<Int>, _ s: Setup, _ x: MonthTables, _ r: RowBounds,
             scratch: UnsafeMutablePointer<Double>) {
            self.p = p
            self.idx = idx
            self.s = s
            self.x = x
            self.r = r
            self.scratch = scratch
            scratch[0] = .nan
            scratch[2] = .nan
        }

        @inline(__always) func rounded(_ raw: Double) -> Double {
            if raw != scratch[0] {
                scratch[0] = raw
                scratch[1] = roundToMinorUnit(raw, scale: s.scale, digits: s.digits)
            }
            return scratch[1]
        }

        /// `rounded(raw)` in whole minor units, without a division (`minorUnits`).
        @inline(__always) func units(_ raw: Double) -> Double {
            if raw != scratch[2] {
                scratch[2] = raw
                scratch[3] = minorUnits(raw, scale: s.scale, digits: s.digits)
            }
            return scratch[3]
        }

        @inline(__always) func discount(_ m: Int) -> Double {
            for j in 0..<s.nd where x.dmonths[j] == m { return p[9 + j][idx[9 + j]] }
            return 0
        }

        @inline(__always) func escalation(_ m: Int) -> Double {
            x.escTable.isEmpty ? (r.e == 0 ? 1 : pow(1 + r.e, Double(x.years[m]))) : x.escTable[m]
        }

        /// The amount of month m before any charge, as `Contract.payment` works it out.
        @inline(__always) func raw(_ m: Int) -> Double {
            let f = m == r.last ? r.frac : 1
            let escf = escalation(m)
            let mr = m >= s.renewFrom ? s.renewMonthly : r.monthly
            let fixed = mr * escf * (1 - discount(m)) * f
            return x.usage.isEmpty ? fixed : fixed + x.usage[m] * escf * f
        }

        @inline(__always) func payment(_ m: Int) -> Double {
            let pay = m <= r.last ? rounded(raw(m)) : 0
            if r.hasCharge && m == r.chargeM { return pay + r.charge }
            return pay
        }

        @inline(__always) func plainRaw(_ m: Int) -> Double {
            let mr = m >= s.renewFrom ? s.renewMonthly : r.monthly
            return mr * escalation(m) * (1 - 0) * 1
        }

        @inline(__always) func plain(_ m: Int) -> Double { rounded(plainRaw(m)) }

        @inline(__always) func paymentUnits(_ m: Int, scale: Double) -> Double {
            if r.hasCharge && m == r.chargeM { return (payment(m) * scale).rounded(.toNearestOrEven) }
            return m <= r.last ? units(raw(m)) : 0
        }

        @inline(__always) func plainUnits(_ m: Int, scale: Double) -> Double { units(plainRaw(m)) }
    }

    /// One row; operands are rate, end, from, to, escalation, annual rate,
    /// the month discounting starts from, charge, charge month, then discounts.
    @inline(__always)
    static func row(
        _ p: UnsafePointer<UnsafePointer<Double>>, _ idx: UnsafePointer<Int>, _ s: Setup, _ x: MonthTables,
        tables t: TablePointers, scratch: UnsafeMutablePointer<Double>
    ) -> Double {
        guard let r = RowBounds(p, idx, s, x) else { return 0 }
        let amounts = RowAmounts(p, idx, s, x, r, scratch: scratch)
        let (last, endDay, a, b, chargeM, hasCharge) = (r.last, r.endDay, r.a, r.b, r.chargeM, r.hasCharge)
        if s.discounting {
            // As Contract.npv: by segments of plain months, discounted from month kd.
            let offset = s.arrears - r.kd
            let charged: Int? = hasCharge ? chargeM : nil
            if !x.powers.isEmpty {
                return segmentedPresentValue(
                    from: a, to: b, last: last, lastIsSpecial: endDay != 0, chargeMonth: charged, offset: offset, plan: x.nextBreak,
                    listed: x.listed, segments: x.segments, powers: x.powers, prefix: x.prefix, scale: s.scale, amounts: amounts)
            }
            // A rate that varies by row: its powers for this row.
            let dp = DiscountPowers(annualRate: p[5][idx[5]], count: Swift.max(1, b + offset + 1))
            return dp.powers.withUnsafeBufferPointer { pw in
                let go = { (px: UnsafeBufferPointer<Int128>?) -> Double in
                    segmentedPresentValue(
                        from: a, to: b, last: last, lastIsSpecial: endDay != 0, chargeMonth: charged, offset: offset, plan: x.nextBreak,
                        listed: x.listed, segments: x.segments, powers: pw, prefix: px, scale: s.scale, amounts: amounts)
                }
                guard let prefix = dp.prefix else { return go(nil) }
                return prefix.withUnsafeBufferPointer { go($0) }
            }
        }
        if t.on {
            // Whole months a..<b from the rate's prefix sums, then the discounted
            // months before b one by one, then month b itself (with any charge:
            // the charge month is the last billed month, or the start month of a
            // contract that notice ended before it began, which bills nothing else).
            let row = idx[0] * t.width
            let scale = s.scale
            var units = t.units[row + b] &- t.units[row + a]
            for j in 0..<s.nd {
                let m = x.dmonths[j]
                if m >= a && m < b { units &+= Int64((amounts.payment(m) * scale).rounded(.toNearestOrEven)) }
            }
            units &+= Int64((amounts.payment(b) * scale).rounded(.toNearestOrEven))
            return AmountSum.value(units: units, digits: s.digits)
        }
        // As Contract.sum: whole minor units.
        var acc = AmountSum(digits: s.digits)
        for m in a...b { acc.add(amounts.payment(m)) }
        return acc.value
    }

    /// Stable base pointers to each operand's data for the kernel's lifetime (no copies).
    static func withPointers<R>(_ arrays: [[Double]], _ body: ([UnsafePointer<Double>]) -> R) -> R {
        var ptrs: [UnsafePointer<Double>] = []
        ptrs.reserveCapacity(arrays.count)
        let empty = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        empty.initialize(to: 0)
        defer { empty.deallocate() }
        func nest(_ i: Int) -> R {
            guard i < arrays.count else { return body(ptrs) }
            return arrays[i].withUnsafeBufferPointer { b in
                ptrs.append(b.baseAddress ?? UnsafePointer(empty))
                return nest(i + 1)
            }
        }
        return nest(0)
    }
}

extension Payments {
    /// The columns a row's contract is built from (`rowContract`), in order.
    static func contractColumns(_ c: CCol) -> [Col] {
        let base = c.base
        let none = Col.scalar(.nan)
        var cols: [Col] = [c.monthlyRate ?? .scalar(base.monthlyRate), c.end ?? .scalar(c.baseEndCode), c.escalation ?? none]
        cols.append(c.charge ?? .scalar(0))
        cols.append(c.chargeMonth ?? .scalar(-1))
        cols.append(c.fee ?? none)
        cols.append(c.minimum ?? none)
        cols.append(c.notice ?? none)
        cols.append(c.share ?? none)
        for d in c.discounts ?? [] { cols.append(d.fraction) }
        return cols
    }

    /// A row's contract: the base with the row's values of `contractColumns(c)`.
    static func rowContract(_ c: CCol, _ values: [Double]) -> Contract {
        let base = c.base
        var row = base
        if c.monthlyRate != nil {
            let perMonth = UnitExpr(terms: [.init(unit: Units.currency(base.currency) ?? 0, exponent: 1), .init(unit: Units.month, exponent: -1)])
            row.rate = Quantity(values[0], perMonth)
        }
        if let discounts = c.discounts {
            row.discounts = discounts.enumerated().compactMap { j, d in
                CalendarDate.fromMonthIndex(d.month).map { Contract.Discount(month: $0, fraction: values[9 + j]) }
            }
        }
        if c.end != nil {
            let code = Int(values[1]), m = code / 32, day = code % 32
            if let d = CalendarDate.fromMonthIndex(m) {
                row.end = day == 0 ? d : (CalendarDate(year: d.year, month: d.month, day: day) ?? d)
            }
            if day != 0 { row.discounts.removeAll { $0.month.monthIndex > m } }
        }
        if c.escalation != nil {
            row.escalation = values[2]
            row.terms.index = nil
        }
        if c.fee != nil { row.terms.terminationFee = values[5] == 0 ? nil : .amount(values[5]) }
        if c.minimum != nil { row.terms.minimum = values[6] == 0 ? nil : values[6] }
        if c.notice != nil { row.notice = Quantity(values[7], c.noticeUnit) }
        if c.share != nil { row.share = values[8] }
        if c.chargeMonth != nil {
            row.terms.termination = values[4] < 0 ? nil : ContractTerms.Termination(
                noticeOn: row.end, originalEnd: base.end, originalDiscounts: base.discounts, chargeMonth: Int(values[4]),
                fee: values[3], shortfall: 0)
        }
        return row
    }

    /// `f` of each row's contract, built from the base and the row's column
    /// values: for the queries that need a row's whole payment list (`irr`).
    static func perRow(_ c: CCol, extra: [Col], space: Space, _ f: (Contract, [Double]) -> Double) -> Col {
        var cols = contractColumns(c)
        let fixed = cols.count
        cols += extra
        let arrays = cols.map(\.data)
        return withPointers(arrays) { ptrs in
            space.drive(cols.map(\.axes)) { out, n, bases, steps in
                var idx = Array(UnsafeBufferPointer(start: bases, count: cols.count))
                var values = [Double](repeating: 0, count: cols.count)
                for k in 0..<n {
                    for j in 0..<cols.count { values[j] = ptrs[j][idx[j]] }
                    out[k] = f(rowContract(c, Array(values[..<fixed])), Array(values[fixed...]))
                    for j in 0..<cols.count { idx[j] += steps[j] }
                }
            }
        }
    }
}

import LeaseCore
import Synchronization

extension Payments {
    /// The terms of a present value laid out once per last month, for rows
    /// that differ in their amounts only (a Monte Carlo's rates and
    /// discounts): which months are billed one by one, with their discount
    /// factors, and which plain segments are summed by their factors.
    ///
    /// With one escalation table for every row, the month walk of
    /// `segmentedPresentValueTerms` depends only on the row's last month and
    /// whether it is prorated (its first and last billed months are the
    /// run's, and a row with a charge is worked out whole). A row then costs
    /// its amounts and terms, not the walk. Plain segments that bill the same
    /// amount for every row (the same escalation factor, both before or both
    /// after a renewal) are summed into one group here: the exact sum does
    /// not depend on how terms are grouped, so every row has the same bits.
    struct Layouts {
        struct Single {
            var month: Int
            /// Its discount factor on FixedSum's grid.
            var weight: Int128
        }
        struct Group {
            var month: Int
            var weight: Int128
        }
        /// Elements start..<end of `singles` or `groups`; start −1 for a layout worked out whole.
        struct Extent {
            var start: Int
            var end: Int
        }
        /// Layout i (= (last + 1) * 2 + prorated): its singles and groups.
        var singleRange: [Extent]
        var groupRange: [Extent]
        var singles: [Single]
        var groups: [Group]
        var firstMonth: Int
        var toMonth: Int

        /// Nil when rows do not share their layouts this way, or are too few to pay for them.
        init?(_ operands: [Col], _ s: Setup, _ x: MonthTables, rows: Int) {
            guard s.discounting, x.segments, let prefix = x.prefix, !x.powers.isEmpty, !x.escTable.isEmpty,
                  operands[2].isScalar, operands[3].isScalar, operands[6].isScalar
            else { return nil }
            let horizon = x.listed.count
            guard horizon > 0, horizon <= 2400, rows >= 8 * horizon,
                  [operands[2], operands[3], operands[6]].allSatisfy({ $0.data[0].isFinite && Swift.abs($0.data[0]) < 1e9 })
            else { return nil }
            let a = Swift.max(0, Int(operands[2].data[0]) - s.first)
            let hi = Int(operands[3].data[0]) - s.first
            let offset = s.arrears - (Int(operands[6].data[0]) - s.first)
            firstMonth = a
            toMonth = hi
            singleRange = []
            groupRange = []
            singles = []
            groups = []
            for last in -1..<horizon {
                for prorated in [false, true] {
                    var v = Recorder(s: s, x: x, prefix: prefix, offset: offset)
                    v.valid = a <= Swift.min(hi, last) && last >= 0
                    if v.valid {
                        walkSegments(from: a, to: Swift.min(hi, last), last: last, lastIsSpecial: prorated, chargeMonth: nil,
                                     plan: x.nextBreak, listed: x.listed, grouped: true, &v)
                    }
                    if v.valid {
                        singleRange.append(Extent(start: singles.count, end: singles.count + v.singles.count))
                        groupRange.append(Extent(start: groups.count, end: groups.count + v.groups.count))
                        singles += v.singles
                        groups += v.groups
                    } else {
                        // Worked out whole (`row`), as rows that bill nothing or read outside the tables.
                        singleRange.append(Extent(start: 0, end: 0))
                        groupRange.append(Extent(start: -1, end: -1))
                    }
                }
            }
        }

        /// One layout's singles and groups, from the walk. Plain segments with
        /// the same escalation factor, both before or both after a renewal,
        /// bill the same amount in every row: one group.
        struct Recorder: SegmentVisitor {
            let s: Setup
            let x: MonthTables
            let prefix: UnsafeBufferPointer<Int128>
            let offset: Int
            var valid = true
            var singles: [Single] = []
            var groups: [Group] = []
            var key: (Bool, UInt64)?

            init(s: Setup, x: MonthTables, prefix: UnsafeBufferPointer<Int128>, offset: Int) {
                self.s = s
                self.x = x
                self.prefix = prefix
                self.offset = offset
            }

            mutating func plain(from k: Int, through e: Int) {
                guard k + offset >= 0, e + offset + 1 < prefix.count else {
                    valid = false
                    return
                }
                let w = prefix[e + offset + 1] &- prefix[k + offset]
                let groupKey = (k >= s.renewFrom, x.escTable[k].bitPattern)
                if let g = key, g == groupKey, !groups.isEmpty {
                    groups[groups.count - 1].weight &+= w
                } else {
                    groups.append(Group(month: k, weight: w))
                    key = groupKey
                }
            }

            mutating func single(_ k: Int) {
                guard k + offset >= 0, k + offset + 1 < prefix.count else {
                    valid = false
                    return
                }
                singles.append(Single(month: k, weight: prefix[k + offset + 1] &- prefix[k + offset]))
            }
        }
    }

    /// One row by its layout, or whole (`row`) when it has a charge or no layout.
    @inline(__always)
    static func row(
        _ p: UnsafePointer<UnsafePointer<Double>>, _ idx: UnsafePointer<Int>, _ s: Setup, _ x: MonthTables,
        tables t: TablePointers, scratch: UnsafeMutablePointer<Double>, layouts l: LayoutPointers
    ) -> Double {
        guard let r = RowBounds(p, idx, s, x) else { return 0 }
        let i = (r.last + 1) * 2 + (r.endDay != 0 ? 1 : 0)
        guard !r.hasCharge, r.a == l.firstMonth, r.b == Swift.min(l.toMonth, r.last), i >= 0, i < l.count,
              l.groupRange[i].start >= 0
        else { return row(p, idx, s, x, tables: t, scratch: scratch) }
        let amounts = RowAmounts(p, idx, s, x, r, scratch: scratch)
        var exact = PresentValueSum()
        let ss = l.singleRange[i], gs = l.groupRange[i]
        // No charge, and every month of a layout is billed (at most the last): its amount, as `paymentUnits`.
        for j in ss.start..<ss.end {
            let single = l.singles[j]
            exact.add(units: amounts.units(amounts.raw(single.month)), weight: single.weight)
        }
        for j in gs.start..<gs.end {
            let g = l.groups[j]
            exact.add(units: amounts.units(amounts.plainRaw(g.month)), weight: g.weight)
        }
        if exact.hasOverflowed { return row(p, idx, s, x, tables: t, scratch: scratch) }
        return exact.value(scale: s.scale)
    }

    /// `Layouts` at stable addresses for a kernel's rows.
    struct LayoutPointers {
        var singleRange: UnsafeBufferPointer<Layouts.Extent>
        var groupRange: UnsafeBufferPointer<Layouts.Extent>
        var singles: UnsafeBufferPointer<Layouts.Single>
        var groups: UnsafeBufferPointer<Layouts.Group>
        var firstMonth: Int
        var toMonth: Int
        var count: Int { singleRange.count }

        init(_ l: Layouts, pins: Pins) {
            singleRange = pins.pin(l.singleRange)
            groupRange = pins.pin(l.groupRange)
            singles = pins.pin(l.singles)
            groups = pins.pin(l.groups)
            firstMonth = l.firstMonth
            toMonth = l.toMonth
        }
    }
}

extension Payments {
    /// Layout rows when nothing but the rate, the end and the discounts
    /// varies, no row has a charge and no month bills usage (a Monte Carlo
    /// of a lease): each layout's terms as flat items, and each row one pass
    /// over them reading its values from a few slots, without the general
    /// row's bounds and branches. A row whose layout is worked out whole, or
    /// whose payment is out of the exact sum's range, goes to `row`.
    struct FlatLayouts {
        /// One term: the amount slots[mr] × escalation × (1 − slots[d]) × slots[f]
        /// in minor units, times weight; as `RowAmounts.raw` multiplies them.
        struct Item {
            var weight: Int128
            var escalation: Double
            var mr: Int32
            var d: Int32
            var f: Int32
        }
        /// Slots a row fills: its rate, the renewed rate, 1, its last month's
        /// billed fraction, 0, then its discounts.
        static let rateSlot = 0, renewedSlot = 1, oneSlot = 2, fractionSlot = 3, zeroSlot = 4, discountSlots = 5
        var items: [Item]
        /// Items start..<end of layout i; start −1 for a layout worked out whole.
        var extents: [Layouts.Extent]
        /// The discounts a row reads into their slots: one per column.
        var loads: [Int]
        /// Kernels run this way so far in the process (for tests).
        static let runs = Mutex(0)

        init?(_ l: Layouts, _ operands: [Col], _ s: Setup, _ x: MonthTables) {
            guard x.usage.isEmpty, operands[2...8].allSatisfy(\.isScalar), operands[8].data[0] < 0,
                  !s.emptyIfReversed || Int(operands[3].data[0]) >= Int(operands[2].data[0])
            else { return nil }
            // Discounts read from one column (`[2026-05: d, 2026-06: d]`) share a slot, so their months bill the same amount.
            let slotOf = (0..<s.nd).map { j in
                Int32(FlatLayouts.discountSlots + ((0...j).first { Compiler.sameStorage(operands[9 + $0], operands[9 + j]) } ?? j))
            }
            loads = (0..<s.nd).filter { slotOf[$0] == Int32(FlatLayouts.discountSlots + $0) }
            items = []
            extents = []
            for i in 0..<l.singleRange.count {
                let gs = l.groupRange[i], ss = l.singleRange[i]
                guard gs.start >= 0 else {
                    extents.append(Layouts.Extent(start: -1, end: -1))
                    continue
                }
                let last = i / 2 - 1, prorated = i % 2 == 1
                let start = items.count
                for single in l.singles[ss.start..<ss.end] {
                    let m = single.month
                    guard m >= 0, m < x.escTable.count else { return nil }
                    // `discount(m)`: the first discount listed for the month.
                    let j = (0..<s.nd).first { x.dmonths[$0] == m }
                    items.append(Item(weight: single.weight, escalation: x.escTable[m],
                                      mr: Int32(m >= s.renewFrom ? FlatLayouts.renewedSlot : FlatLayouts.rateSlot),
                                      d: j.map { slotOf[$0] } ?? Int32(FlatLayouts.zeroSlot),
                                      f: Int32(m == last && prorated ? FlatLayouts.fractionSlot : FlatLayouts.oneSlot)))
                }
                for g in l.groups[gs.start..<gs.end] {
                    let m = g.month
                    guard m >= 0, m < x.escTable.count else { return nil }
                    items.append(Item(weight: g.weight, escalation: x.escTable[m],
                                      mr: Int32(m >= s.renewFrom ? FlatLayouts.renewedSlot : FlatLayouts.rateSlot),
                                      d: Int32(FlatLayouts.zeroSlot), f: Int32(FlatLayouts.oneSlot)))
                }
                // Terms that bill the same amount in every row (both discounted months) make one: q × w + q × w' = q × (w + w').
                var merged: [Item] = []
                for item in items[start...] {
                    if let at = merged.firstIndex(where: {
                        $0.mr == item.mr && $0.d == item.d && $0.f == item.f && $0.escalation.bitPattern == item.escalation.bitPattern
                    }) {
                        merged[at].weight &+= item.weight
                    } else {
                        merged.append(item)
                    }
                }
                items.removeSubrange(start...)
                items += merged
                extents.append(Layouts.Extent(start: start, end: items.count))
            }
        }

        /// Every row, or `whole` for one this way cannot do.
        func run(
            _ operands: [Col], _ p: UnsafePointer<UnsafePointer<Double>>, _ s: Setup, _ x: MonthTables, space: Space, pins: Pins,
            whole: (UnsafePointer<Int>, UnsafeMutablePointer<Double>) -> Double
        ) -> Col {
            FlatLayouts.runs.withLock { $0 += 1 }
            let items = pins.pin(self.items), extents = pins.pin(self.extents), loads = pins.pin(self.loads)
            let count = operands.count, nd = s.nd
            let (first, scale, digits, fractions) = (s.first, s.scale, s.digits, x.fractions)
            return space.drive(operands.map(\.axes)) { out, n, bases, steps in
                let idx = UnsafeMutablePointer<Int>.allocate(capacity: count)
                let scratch = UnsafeMutablePointer<Double>.allocate(capacity: Payments.scratchCount)
                let slots = UnsafeMutablePointer<Double>.allocate(capacity: FlatLayouts.discountSlots + nd)
                defer {
                    idx.deallocate()
                    scratch.deallocate()
                    slots.deallocate()
                }
                slots[FlatLayouts.renewedSlot] = s.renewMonthly
                slots[FlatLayouts.oneSlot] = 1
                slots[FlatLayouts.zeroSlot] = 0
                let rate = p[0] + bases[0], end = p[1] + bases[1], (rs, es) = (steps[0], steps[1])
                for k in 0..<n {
                    var value = Double.nan
                    // An end is a month index × 32 + day, a whole number (checked, then converted without a trap check).
                    let c = end[k &* es]
                    if c >= 0, c < 0x1p40 {
                        let code = Int(Int64(bitPattern: (c + 0x1.8p52).bitPattern) &- Int64(bitPattern: (0x1.8p52 as Double).bitPattern))
                        let last = (code >> 5) &- first, endDay = code & 31
                        let i = (last &+ 1) &* 2 &+ (endDay != 0 ? 1 : 0)
                        if i >= 0, i < extents.count, extents[i].start >= 0 {
                            slots[FlatLayouts.rateSlot] = rate[k &* rs]
                            slots[FlatLayouts.fractionSlot] = endDay == 0 ? 1 : fractions[last &* 32 &+ endDay]
                            for j in loads { slots[FlatLayouts.discountSlots &+ j] = p[9 &+ j][bases[9 &+ j] &+ k &* steps[9 &+ j]] }
                            var total: Int128 = 0
                            var inRange = true
                            let e = extents[i]
                            for t in e.start..<e.end {
                                let item = items[t]
                                let raw = slots[Int(item.mr)] * item.escalation * (1 - slots[Int(item.d)]) * slots[Int(item.f)]
                                var (units, exact) = fastMinorUnits(raw, scale: scale)
                                if !exact {
                                    let q = minorUnits(raw, scale: scale, digits: digits)
                                    inRange = inRange && Swift.abs(q) < PresentValueSum.unitLimit
                                    units = inRange ? Int64(q) : 0
                                }
                                total &+= Int128(units) &* item.weight
                            }
                            if inRange { value = PresentValueSum.value(total, scale: scale) }
                        }
                    }
                    if value.isNaN {
                        for j in 0..<count { idx[j] = bases[j] + k * steps[j] }
                        value = whole(idx, scratch)
                    }
                    out[k] = value
                }
            }
        }
    }
}

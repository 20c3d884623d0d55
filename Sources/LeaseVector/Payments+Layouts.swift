import LeaseCore

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
    /// after a renewal) are summed into one group here; groups whose amounts
    /// turn out equal in a row are merged as the walk merges them, so every
    /// row has the walk's terms and the same bits.
    struct Layouts {
        struct Single {
            var month: Int
            var power: Double
        }
        struct Group {
            var month: Int
            var weight: Int128
            /// `FixedSum.value(weight)`, for a group not merged with the next.
            var value: Double
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
                    groups[groups.count - 1].value = FixedSum.value(groups[groups.count - 1].weight)
                } else {
                    groups.append(Group(month: k, weight: w, value: FixedSum.value(w)))
                    key = groupKey
                }
            }

            mutating func single(_ k: Int) {
                guard k + offset >= 0, k + offset < x.powers.count else {
                    valid = false
                    return
                }
                singles.append(Single(month: k, power: x.powers[k + offset]))
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
        var exact = FixedSum()
        let ss = l.singleRange[i], gs = l.groupRange[i]
        for j in ss.start..<ss.end {
            let single = l.singles[j]
            exact.add(amounts.payment(single.month) * single.power)
        }
        if gs.end - gs.start == 1 {
            // One group (a lease without escalation): its amount times its factors' sum.
            let g = l.groups[gs.start]
            exact.add(amounts.plain(g.month) * g.value)
            if exact.hasOverflowed { return row(p, idx, s, x, tables: t, scratch: scratch) }
            return exact.value
        }
        var amount = 0.0, weight: Int128 = 0, pending = false
        for j in gs.start..<gs.end {
            let g = l.groups[j]
            let a = amounts.plain(g.month)
            if pending && a == amount {
                weight &+= g.weight
            } else {
                if pending { exact.add(amount * FixedSum.value(weight)) }
                amount = a
                weight = g.weight
                pending = true
            }
        }
        if pending { exact.add(amount * FixedSum.value(weight)) }
        if exact.hasOverflowed { return row(p, idx, s, x, tables: t, scratch: scratch) }
        return exact.value
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

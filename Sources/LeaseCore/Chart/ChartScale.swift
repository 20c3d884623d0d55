import Foundation

/// Where the ticks of an axis go and how they read, shared by both renderers.
struct ChartScale {
    /// Tick positions, in the axis's numbers, increasing.
    var ticks: [Double]
    var labels: [String]
    /// The numbers the axis spans (for y, from the first tick to the last).
    var lo: Double
    var hi: Double

    /// A y scale: ticks on round numbers covering the range, the finest
    /// step that needs at most `intervals` intervals.
    static func y(_ axis: Chart.Axis, lo: Double, hi: Double, intervals: Int = 6, integer: Bool = false) -> ChartScale {
        var step = niceStep((hi - lo) / Double(max(1, intervals)), integer: integer)
        var first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        for _ in 0..<8 where last - first > Double(intervals) {
            step = niceStep(step * 1.0001, integer: integer)
            first = (lo / step).rounded(.down)
            last = (hi / step).rounded(.up)
        }
        let count = Int(max(1, min(50, last - first)))
        let ticks = (0...count).map { clean((first + Double($0)) * step) }
        return ChartScale(ticks: ticks, labels: labels(ticks, axis), lo: ticks[0], hi: ticks[ticks.count - 1])
    }

    /// An x scale over exactly [lo, hi], ticks inside it, at most `maxTicks`.
    static func x(_ axis: Chart.Axis, lo: Double, hi: Double, maxTicks: Int, integer: Bool = false) -> ChartScale {
        let n = max(1, maxTicks)
        var ticks: [Double]
        switch axis {
        case .months:
            ticks = monthTicks(lo, hi, n)
        case .days:
            if hi - lo > 120 {
                ticks = monthStarts(lo, hi, n)
            } else {
                let step = [1.0, 2, 7, 14, 28].first { (hi - lo) / $0 < Double(n) } ?? 28
                ticks = inside(lo, hi, step)
            }
        case .quantity:
            var target = n
            ticks = []
            while target >= 1 {
                let step = niceStep((hi - lo) / Double(target), integer: integer)
                ticks = inside(lo, hi, step)
                if ticks.count <= n { break }
                target -= 1
            }
        }
        if ticks.isEmpty { ticks = [lo] }
        return ChartScale(ticks: ticks, labels: labels(ticks, axis), lo: lo, hi: hi)
    }

    /// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double, integer: Bool) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let mag = pow(10, (log10(raw)).rounded(.down))
        let norm = raw / mag
        let m: Double = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10
        var step = m * mag
        if integer && step < 1 { step = 1 }
        if integer && step != step.rounded() { step = step.rounded(.up) }
        return step
    }

    /// Multiples of `step` within [lo, hi].
    static func inside(_ lo: Double, _ hi: Double, _ step: Double) -> [Double] {
        let first = (lo / step - 1e-9).rounded(.up)
        let last = (hi / step + 1e-9).rounded(.down)
        guard last >= first, last - first < 1000 else { return [] }
        return stride(from: first, through: last, by: 1).map { clean($0 * step) }
    }

    /// Month indices within [lo, hi] at a step of 1, 2, 3, 6 or 12·k months,
    /// aligned so that quarters, halves and years start on their months.
    static func monthTicks(_ lo: Double, _ hi: Double, _ n: Int) -> [Double] {
        let a = Int(lo.rounded(.up)), b = Int(hi.rounded(.down))
        guard b >= a else { return [lo] }
        for step in [1, 2, 3, 6, 12, 24, 36, 60, 120, 240, 600, 1200, 2400, 6000] {
            let first = (a + step - 1) / step * step
            let count = first > b ? 0 : (b - first) / step + 1
            if count <= n { return stride(from: first, through: b, by: step).map(Double.init) }
        }
        return [Double(a)]
    }

    /// The first days of months within [lo, hi] (day ordinals), spaced as `monthTicks`.
    static func monthStarts(_ lo: Double, _ hi: Double, _ n: Int) -> [Double] {
        guard let a = CalendarDate.fromOrdinal(Int(lo.rounded(.up))), let b = CalendarDate.fromOrdinal(Int(hi.rounded(.down))) else { return [lo] }
        let first = a.day == 1 ? a.monthIndex : a.monthIndex + 1
        return monthTicks(Double(first), Double(b.monthIndex), n).compactMap {
            CalendarDate.fromMonthIndex(Int($0)).map { Double($0.ordinal) }
        }
    }

    /// Zero without its sign, and tick arithmetic's last-bit noise left to the display.
    static func clean(_ x: Double) -> Double { x == 0 ? 0 : x }

    /// Tick labels in the axis's unit: `$1.25B`, `300 MW`, `40%`, `2026-05`.
    static func labels(_ ticks: [Double], _ axis: Chart.Axis) -> [String] {
        switch axis {
        case .months:
            return ticks.map { CalendarDate.fromMonthIndex(Int($0.rounded()))?.description ?? Format.number($0) }
        case .days:
            let dates = ticks.map { CalendarDate.fromOrdinal(Int($0.rounded())) }
            let firsts = dates.allSatisfy { $0?.day == 1 } && ticks.count > 1
            return zip(ticks, dates).map { t, d in
                guard let d else { return Format.number(t) }
                return firsts ? d.monthOnly.description : d.description
            }
        case .quantity(let unit):
            return quantityLabels(ticks, unit)
        }
    }

    static func quantityLabels(_ ticks: [Double], _ unit: UnitExpr) -> [String] {
        var out = ticks.map { label($0, unit) }
        // `$150,000.00` reads as `$150,000` on an axis of whole amounts.
        if unit.moneyCurrency != nil, zip(ticks, out).allSatisfy({ $0 == 0 || abs($0) >= 1e6 || $1.contains(".00") }) {
            out = out.map { $0.replacingOccurrences(of: ".00", with: "") }
        }
        if Set(out).count < out.count {
            // Steps finer than the compact display shows: write every digit.
            let text = unit.text()
            out = ticks.map { Format.number($0) + (text.isEmpty ? "" : " " + text) }
        }
        return out
    }

    static func label(_ x: Double, _ unit: UnitExpr) -> String {
        if unit.moneyCurrency != nil, x == 0 {
            return Format.quantity(Quantity(0, unit)).replacingOccurrences(of: "0.00", with: "0")
        }
        return Format.quantity(Quantity(x, unit))
    }
}

extension String {
    /// At most `n` characters, with `…` when cut.
    func clipped(_ n: Int) -> String {
        guard count > n else { return self }
        guard n > 1 else { return String(prefix(max(0, n))) }
        return String(prefix(n - 1)) + "…"
    }
}

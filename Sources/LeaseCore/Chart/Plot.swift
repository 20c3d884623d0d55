/// `plot(x)`: the chart of a list, a table, a map by month, a record of lists
/// or a run result, and its drawings.
public enum Plot {
    /// Histograms of run results have this many bins: twice the text
    /// display's ten, on the same edges, so each of its bins is two of these.
    public static let histogramBins = 20

    /// A chart of `v`, or nil for a value with nothing to plot (one number, a string).
    public static func chart(_ v: Value) -> Chart? { charts(v).first }

    /// One chart per output column of a run result; one chart for anything else that plots.
    public static func charts(_ v: Value) -> [Chart] {
        switch v {
        case .chart(let cs):
            return cs
        case .result(let r):
            return r.outputs.compactMap { histogram($0, title: r.outputs.count > 1 ? "\(r.scenario): \($0.name)" : r.scenario) }
        case .list(let xs) where v.isTable:
            return table(xs)
        case .list(let xs):
            return list(xs).map { [$0] } ?? []
        case .map(let entries):
            return map(entries).map { [$0] } ?? []
        case .record(let r):
            return record(r).map { [$0] } ?? []
        default:
            return []
        }
    }

    // MARK: Private API

    /// Quantities of one dimension, all written in the first one's unit.
    private static func numbers(_ xs: [Value]) -> (values: [Double], unit: UnitExpr)? {
        var unit: UnitExpr?
        var out: [Double] = []
        out.reserveCapacity(xs.count)
        for x in xs {
            guard case .quantity(let q) = x else { return nil }
            if let u = unit {
                guard q.dimension == u.dimension else { return nil }
                out.append(q.converted(to: u).value)
            } else {
                unit = q.unit
                out.append(q.value)
            }
        }
        guard let unit else { return nil }
        return (out, unit)
    }

    /// Dates as the x axis: months when every one is a month, else days.
    private static func dates(_ xs: [Value]) -> (values: [Double], axis: Chart.Axis)? {
        var ds: [CalendarDate] = []
        for x in xs {
            guard case .date(let d) = x else { return nil }
            ds.append(d)
        }
        guard !ds.isEmpty else { return nil }
        if ds.allSatisfy({ $0.precision == .month }) { return (ds.map { Double($0.monthIndex) }, .months) }
        return (ds.map { Double($0.ordinal) }, .days)
    }

    private static func list(_ xs: [Value]) -> Chart? {
        guard let (ys, unit) = numbers(xs) else { return nil }
        let points = ys.enumerated().map { Chart.Point(x: Double($0.offset + 1), y: $0.element) }
        let bars = ys.count <= 30 && ys.allSatisfy { $0 >= 0 }
        return Chart(kind: bars ? .bars : .line, x: .quantity(.none), y: .quantity(unit), xName: "element",
                     series: [Chart.Series(name: "", points: points)])
    }

    private static func map(_ entries: [Value.MapEntry]) -> Chart? {
        guard let (ys, unit) = numbers(entries.map(\.value)) else { return nil }
        let keys = entries.map(\.key)
        let xs: [Double]
        let axis: Chart.Axis
        if let (d, a) = dates(keys) {
            (xs, axis) = (d, a)
        } else if let (n, u) = numbers(keys) {
            (xs, axis) = (n, .quantity(u))
        } else {
            return nil
        }
        let points = zip(xs, ys).map { Chart.Point(x: $0, y: $1) }.sorted { $0.x < $1.x }
        return Chart(kind: .line, x: axis, y: .quantity(unit), xName: axis == .months ? "month" : "",
                     series: [Chart.Series(name: "", points: points)])
    }

    /// `{low: [...], high: [...]}`: one series per field, by position.
    private static func record(_ r: Record) -> Chart? {
        var unit: UnitExpr?
        var series: [Chart.Series] = []
        for f in r.fields {
            guard case .list(let xs) = f.value, let (ys, u) = numbers(xs) else { return nil }
            var values = ys
            if let first = unit {
                guard first.dimension == u.dimension else { return nil }
                values = ys.map { Quantity($0, u).converted(to: first).value }
            } else {
                unit = u
            }
            series.append(Chart.Series(name: f.name, points: values.enumerated().map { Chart.Point(x: Double($0.offset + 1), y: $0.element) }))
        }
        guard let unit, !series.isEmpty else { return nil }
        return Chart(kind: .line, title: r.fields.map(\.name).joined(separator: ", "), x: .quantity(.none), y: .quantity(unit),
                     xName: "element", series: series)
    }

    /// A table: x from its first date column (else its row number), one series
    /// per amount column of the first amount's dimension, and per contract,
    /// cluster or string when a column names one. Columns whose sizes differ
    /// more than eightfold (a payment and the cumulative total) get a chart each,
    /// so that neither is flattened against the axis.
    private static func table(_ rows: [Value]) -> [Chart] {
        let records = rows.compactMap { row -> Record? in
            if case .record(let r) = row { return r }
            return nil
        }
        guard let first = records.first, records.count == rows.count else { return [] }
        let names = first.fields.map(\.name)
        func column(_ name: String) -> [Value] { records.map { $0[name] ?? .bool(false) } }

        var xs = Array(1...records.count).map(Double.init)
        var xAxis = Chart.Axis.quantity(.none)
        var xName = "row"
        var xColumn: String?
        for n in names {
            if let (d, a) = dates(column(n)) {
                (xs, xAxis, xName, xColumn) = (d, a, n, n)
                break
            }
        }
        // Without dates, an increasing first column of numbers is the x axis
        // (`{discount: 10%, npv: $41B}` rows plot npv against discount).
        if xColumn == nil, names.count > 1, let n = names.first, let (v, u) = numbers(column(n)),
            zip(v, v.dropFirst()).allSatisfy({ $0 < $1 }), names.dropFirst().contains(where: { numbers(column($0)) != nil })
        {
            (xs, xAxis, xName, xColumn) = (v, .quantity(u), n, n)
        }
        var category: [String]?
        var categoryColumn: String?
        for n in names where n != xColumn {
            let labels = column(n).map { v -> String? in
                switch v {
                case .string(let s): return s
                case .contract(let c): return c.name
                case .cluster(let k): return k.name
                default: return nil
                }
            }
            if labels.allSatisfy({ $0 != nil }) {
                category = labels.compactMap { $0 }
                categoryColumn = n
                break
            }
        }
        var unit: UnitExpr?
        var fields: [(String, [Double])] = []
        for n in names where n != xColumn && n != categoryColumn {
            guard let (ys, u) = numbers(column(n)) else { continue }
            if let first = unit {
                guard first.dimension == u.dimension else { continue }
                fields.append((n, ys.map { Quantity($0, u).converted(to: first).value }))
            } else {
                unit = u
                fields.append((n, ys))
            }
        }
        guard let unit, !fields.isEmpty else { return [] }
        let groups: [String] = category.map { cats in cats.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } } } ?? [""]
        return bySize(fields).map { part in
            var series: [Chart.Series] = []
            for g in groups {
                for (name, ys) in part {
                    var points: [Chart.Point] = []
                    for i in 0..<records.count where category == nil || category?[i] == g {
                        if ys[i].isFinite { points.append(Chart.Point(x: xs[i], y: ys[i])) }
                    }
                    points.sort { $0.x < $1.x }
                    let label = g.isEmpty ? name : (part.count > 1 ? "\(g) \(name)" : g)
                    series.append(Chart.Series(name: label, points: points))
                }
            }
            let title = Self.sentence(part.map(\.0)) + (xColumn.map { " by \($0)" } ?? "")
                + (categoryColumn.map { " per \($0)" } ?? "")
            return Chart(kind: .line, title: title, x: xAxis, y: .quantity(unit), xName: xName, series: series)
        }
    }

    /// Columns in groups whose largest magnitudes are within eightfold, in order.
    static func bySize(_ fields: [(String, [Double])]) -> [[(String, [Double])]] {
        var groups: [(lo: Double, hi: Double, fields: [(String, [Double])])] = []
        for f in fields {
            let m = f.1.filter(\.isFinite).map(abs).max() ?? 0
            if m == 0, !groups.isEmpty {
                groups[0].fields.append(f)
            } else if let i = groups.firstIndex(where: { max($0.hi, m) <= 8 * min($0.lo, m) || $0.hi == 0 }) {
                groups[i] = (groups[i].hi == 0 ? m : min(groups[i].lo, m), max(groups[i].hi, m), groups[i].fields + [f])
            } else {
                groups.append((m, m, [f]))
            }
        }
        return groups.map(\.fields)
    }

    /// `a`, `a and b`, `a, b and c`.
    static func sentence(_ words: [String]) -> String {
        guard let last = words.last else { return "" }
        if words.count == 1 { return last }
        return words.dropLast().joined(separator: ", ") + " and " + last
    }

    /// The bins of a run's output column: equal widths from min to max, the
    /// last one closed, as the text display counts them.
    static func histogram(_ col: RunResult.Column, title: String) -> Chart? {
        var lo = Double.infinity, hi = -Double.infinity
        var n = 0
        for v in col.values where v.isFinite {
            lo = min(lo, v)
            hi = max(hi, v)
            n += 1
        }
        guard n > 0 else { return nil }
        var bins = histogramBins
        if hi == lo {
            bins = 1
            lo -= 0.5
            hi += 0.5
        }
        let w = (hi - lo) / Double(bins)
        var counts = Array(repeating: 0, count: bins)
        for v in col.values where v.isFinite {
            counts[min(bins - 1, max(0, Int((v - lo) / w)))] += 1
        }
        let points = counts.enumerated().map { Chart.Point(x: lo + w * Double($0.offset), y: Double($0.element)) }
        let titled = title + " (n = " + Format.number(Double(n)) + ")"
        return Chart(kind: .histogram, title: titled, x: col.isDate ? .days : .quantity(col.unit), y: .quantity(.none),
                     xName: col.name == "value" ? "" : col.name, series: [Chart.Series(name: "count", points: points)], binWidth: w)
    }
}

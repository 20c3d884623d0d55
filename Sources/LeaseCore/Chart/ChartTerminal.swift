/// Charts as Unicode text: a y axis of labelled ticks, the plot (Braille dots
/// for one line, a glyph per series for several, eighth blocks for bars), an
/// x axis with readable labels, and a legend when there are several series.
extension Plot {
    /// The chart of `v` as text (every chart of a run result with several
    /// outputs, one under the other), or nil when `v` does not plot.
    public static func terminal(_ v: Value, width: Int = 80) -> String? {
        let cs = charts(v)
        return cs.isEmpty ? nil : terminal(cs, width: width)
    }

    /// Charts one under the other, a blank line between, as `charts(_:)` gives them.
    public static func terminal(_ cs: [Chart], width: Int = 80) -> String {
        cs.map { terminal($0, width: width) }.joined(separator: "\n\n")
    }

    /// `c` drawn in Unicode, every line at most `width` columns.
    public static func terminal(_ c: Chart, width: Int = 80) -> String {
        var t = TerminalChart(c, width: max(20, width))
        return t.render().map { String($0.prefix(max(1, width))) }.joined(separator: "\n")
    }

    /// Marks for the series of a chart with several, in order.
    static let glyphs: [Character] = ["•", "×", "+", "o", "*", "#"]
}

/// One chart being laid out in character cells.
struct TerminalChart {
    let chart: Chart
    let width: Int
    /// Plot area in cells.
    var rows = 0
    var cols = 0
    var margin = 0
    var canvas: [[Character]] = []
    var yScale: ChartScale
    var rowsPerTick = 1

    init(_ c: Chart, width: Int) {
        chart = c
        self.width = width
        let (lo, hi) = c.yRange
        yScale = ChartScale.y(c.y, lo: lo, hi: hi, intervals: 6, integer: c.kind == .histogram)
    }

    mutating func render() -> [String] {
        let intervals = max(1, yScale.ticks.count - 1)
        rowsPerTick = max(1, Int((14.0 / Double(intervals)).rounded()))
        rows = intervals * rowsPerTick + 1
        margin = yScale.labels.map(\.count).max() ?? 0
        cols = max(8, width - margin - 2)
        canvas = Array(repeating: Array(repeating: " ", count: cols), count: rows)

        let ticks: [(col: Int, label: String)]
        switch chart.kind {
        case .line where chart.series.count == 1: ticks = drawBraille()
        case .line: ticks = drawGlyphs()
        case .bars, .histogram: ticks = drawBars()
        }

        var lines: [String] = []
        if !chart.title.isEmpty { lines.append(chart.title.clipped(width)) }
        for r in 0..<rows {
            let fromBottom = rows - 1 - r
            let tick = fromBottom % rowsPerTick == 0 ? fromBottom / rowsPerTick : nil
            let label = tick.map { yScale.labels[$0] } ?? ""
            let pad = String(repeating: " ", count: margin - label.count)
            let line = pad + label + (tick != nil ? " ┤" : " │") + String(canvas[r])
            lines.append(line.trimmingTrailingBlanks)
        }
        let (labels, shown) = labelRow(ticks)
        var axis = Array(repeating: Character("─"), count: cols)
        for t in shown where t.col >= 0 && t.col < cols { axis[t.col] = "┬" }
        lines.append(String(repeating: " ", count: margin) + " └" + String(axis))
        lines.append(labels)
        if chart.series.count > 1 {
            let entries = chart.series.enumerated().map { "\(Plot.glyphs[$0.offset % Plot.glyphs.count]) \($0.element.name)" }
            lines.append(contentsOf: wrap(entries, indent: margin + 2))
        }
        return lines
    }

    /// The x labels, each centred under its tick, dropped (with its tick)
    /// where it would touch the one before.
    func labelRow(_ ticks: [(col: Int, label: String)]) -> (String, [(col: Int, label: String)]) {
        var row = Array(repeating: Character(" "), count: width)
        var free = 0
        var shown: [(col: Int, label: String)] = []
        for t in ticks {
            let len = t.label.count
            let centre = margin + 2 + t.col
            var start = centre - len / 2
            start = min(max(0, start), width - len)
            guard start >= free, start + len <= width else { continue }
            for (k, ch) in t.label.enumerated() { row[start + k] = ch }
            free = start + len + 2
            shown.append(t)
        }
        return (String(row).trimmingTrailingBlanks, shown)
    }

    /// Legend entries on as few lines as fit.
    func wrap(_ entries: [String], indent: Int) -> [String] {
        var out: [String] = []
        var line = String(repeating: " ", count: indent)
        for e in entries {
            let piece = e.clipped(max(1, width - indent))
            if line.count > indent, line.count + 3 + piece.count > width {
                out.append(line)
                line = String(repeating: " ", count: indent)
            }
            line += (line.count > indent ? "   " : "") + piece
        }
        out.append(line)
        return out
    }

    /// The x scale with as many ticks as the labels leave room for.
    func xTicks(lo: Double, hi: Double, integer: Bool = false, column: (Double) -> Int) -> [(col: Int, label: String)] {
        var n = max(2, cols / 6)
        while n >= 1 {
            let s = ChartScale.x(chart.x, lo: lo, hi: hi, maxTicks: n, integer: integer)
            let placed = zip(s.ticks, s.labels).map { (col: column($0), label: $1) }
            let room = zip(placed, placed.dropFirst()).allSatisfy { a, b in
                b.col - a.col >= (a.label.count + b.label.count) / 2 + 2
            }
            if room || n == 1 { return placed }
            n -= 1
        }
        return []
    }

    func fraction(_ y: Double) -> Double {
        let span = yScale.hi - yScale.lo
        return span > 0 ? (y - yScale.lo) / span : 0.5
    }

    // MARK: One line in Braille

    mutating func drawBraille() -> [(col: Int, label: String)] {
        let (lo, hi) = chart.xRange
        let dotCols = cols * 2, dotRows = rows * 4
        func dx(_ x: Double) -> Int { Int(((x - lo) / (hi - lo) * Double(dotCols - 1)).rounded()) }
        func dy(_ y: Double) -> Int { Int((fraction(y) * Double(dotRows - 1)).rounded()) }
        var dots = Array(repeating: Array(repeating: false, count: dotCols), count: dotRows)
        func set(_ x: Int, _ y: Int) {
            guard x >= 0, x < dotCols, y >= 0, y < dotRows else { return }
            dots[dotRows - 1 - y][x] = true
        }
        let points = Chart.thinned(chart.series[0].points.filter { $0.y.isFinite }, buckets: dotCols)
        var previous: (Int, Int)?
        for p in points {
            let cur = (dx(p.x), dy(p.y))
            if let (x0, y0) = previous {
                let steps = max(abs(cur.0 - x0), abs(cur.1 - y0))
                for s in 0...max(1, steps) {
                    let f = Double(s) / Double(max(1, steps))
                    set(Int((Double(x0) + f * Double(cur.0 - x0)).rounded()), Int((Double(y0) + f * Double(cur.1 - y0)).rounded()))
                }
            } else {
                set(cur.0, cur.1)
            }
            previous = cur
        }
        let bits: [[UInt32]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
        for r in 0..<rows {
            for c in 0..<cols {
                var code: UInt32 = 0
                for sub in 0..<4 {
                    for half in 0..<2 where dots[r * 4 + sub][c * 2 + half] { code |= bits[sub][half] }
                }
                if code != 0, let u = Unicode.Scalar(0x2800 + code) { canvas[r][c] = Character(u) }
            }
        }
        return xTicks(lo: lo, hi: hi, integer: chart.x == .quantity(.none)) { dx($0) / 2 }
    }

    // MARK: Several lines, one glyph each

    mutating func drawGlyphs() -> [(col: Int, label: String)] {
        let (lo, hi) = chart.xRange
        func col(_ x: Double) -> Int { Int(((x - lo) / (hi - lo) * Double(cols - 1)).rounded()) }
        func row(_ y: Double) -> Int { Int((fraction(y) * Double(rows - 1)).rounded()) }
        for (k, s) in chart.series.enumerated() {
            let glyph = Plot.glyphs[k % Plot.glyphs.count]
            let points = s.points.filter { $0.y.isFinite }
            guard let first = points.first, let last = points.last else { continue }
            var previous: Int?
            var j = 0
            for c in 0..<cols {
                let x = lo + Double(c) / Double(max(1, cols - 1)) * (hi - lo)
                guard x >= first.x - 1e-9 * abs(first.x), x <= last.x + 1e-9 * abs(last.x) else {
                    previous = nil
                    continue
                }
                while j + 1 < points.count, points[j + 1].x < x { j += 1 }
                let a = points[j], b = points[min(j + 1, points.count - 1)]
                let y = b.x > a.x ? a.y + (b.y - a.y) * min(1, max(0, (x - a.x) / (b.x - a.x))) : a.y
                let r = row(y)
                let from = previous.map { $0 < r ? $0 + 1 : r } ?? r
                let to = previous.map { $0 > r ? $0 - 1 : r } ?? r
                for rr in min(from, to)...max(from, to) where rr >= 0 && rr < rows { canvas[rows - 1 - rr][c] = glyph }
                if r >= 0 && r < rows { canvas[rows - 1 - r][c] = glyph }
                previous = r
            }
            if points.count == 1 { canvas[rows - 1 - min(rows - 1, max(0, row(first.y)))][min(cols - 1, max(0, col(first.x)))] = glyph }
        }
        return xTicks(lo: lo, hi: hi, integer: chart.x == .quantity(.none)) { col($0) }
    }

    // MARK: Bars

    mutating func drawBars() -> [(col: Int, label: String)] {
        let points = chart.series.first?.points ?? []
        let n = max(1, points.count)
        // Bar i takes columns [i·cols/n, (i+1)·cols/n); separate bars keep a blank column between.
        func from(_ i: Int) -> Int { i * cols / n }
        var heights = Array(repeating: -Double.infinity, count: cols)
        for (i, p) in points.enumerated() where p.y.isFinite {
            var a = from(i), b = max(a + 1, from(i + 1))
            if chart.kind == .bars, b - a >= 2 { b -= 1 }
            a = min(a, cols - 1)
            b = min(b, cols)
            for c in a..<b { heights[c] = max(heights[c], p.y) }
        }
        let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        for c in 0..<cols where heights[c] > yScale.lo {
            var eighths = Int((fraction(heights[c]) * Double(rows * 8)).rounded())
            if eighths == 0 { eighths = 1 }
            for j in 0..<rows {
                let left = eighths - j * 8
                guard left > 0 else { break }
                canvas[rows - 1 - j][c] = left >= 8 ? "█" : blocks[left - 1]
            }
        }
        if chart.kind == .histogram {
            let (lo, hi) = chart.xRange
            return xTicks(lo: lo, hi: hi) { x in min(cols - 1, Int(((x - lo) / (hi - lo) * Double(cols)).rounded(.down))) }
        }
        // Bars by position: 1 is the first bar, its label under its middle.
        return xTicks(lo: 1, hi: Double(n), integer: true) { p in
            let i = Int(p.rounded()) - 1
            let b = max(from(i) + 1, from(i + 1)) - (chart.kind == .bars && from(i + 1) - from(i) >= 2 ? 1 : 0)
            return min(cols - 1, (from(i) + b - 1) / 2)
        }
    }
}

extension String {
    var trimmingTrailingBlanks: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

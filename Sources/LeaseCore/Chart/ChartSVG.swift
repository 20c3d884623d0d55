import Foundation

/// Charts as standalone SVG 1.1 (UTF-8, no XML declaration, so the same text
/// works as a file and inline in HTML), written by hand: a white background, grid
/// lines at the y ticks, labelled axes, the series, a legend when there are
/// several, and a `<title>` on every point and bar for notebooks' tooltips.
extension Plot {
    /// The chart of `v` as SVG (a run result's outputs one under the other),
    /// or nil when `v` does not plot.
    public static func svg(_ v: Value) -> String? {
        let cs = charts(v)
        return cs.isEmpty ? nil : svg(cs)
    }

    /// Charts one under the other in one SVG document, as `charts(_:)` gives them.
    public static func svg(_ cs: [Chart]) -> String {
        if cs.count == 1 { return svg(cs[0]) }
        var body = ""
        var y = 0.0
        for c in cs {
            let (inner, height) = SVGChart(c).body()
            body += "<g transform=\"translate(0,\(SVGChart.n(y)))\">\n\(inner)</g>\n"
            y += height
        }
        return SVGChart.document(body, width: SVGChart.width, height: y, title: cs.map(\.title).joined(separator: "; "))
    }

    /// `c` as a standalone SVG document.
    public static func svg(_ c: Chart) -> String {
        let (body, height) = SVGChart(c).body()
        return SVGChart.document(body, width: SVGChart.width, height: height, title: c.title)
    }

    /// Series colours (Paul Tol's "bright" scheme, readable when colour-blind).
    static let colors = ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB"]
}

struct SVGChart {
    static let width = 720.0
    static let plotHeight = 300.0
    /// Average advance of a digit of the 12 px font, to keep labels apart.
    static let charWidth = 7.6

    let chart: Chart
    let yScale: ChartScale

    init(_ c: Chart) {
        chart = c
        let (lo, hi) = c.yRange
        yScale = ChartScale.y(c.y, lo: lo, hi: hi, intervals: 8, integer: c.kind == .histogram)
    }

    static func document(_ body: String, width: Double, height: Double, title: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(n(width))" height="\(n(height))" \
        viewBox="0 0 \(n(width)) \(n(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
        <title>\(escape(title.isEmpty ? "chart" : title))</title>
        <rect x="0" y="0" width="\(n(width))" height="\(n(height))" fill="#ffffff"/>
        \(body)</svg>

        """
    }

    /// The chart's elements and the height they take.
    func body() -> (String, Double) {
        var out = ""
        var top = 16.0
        if !chart.title.isEmpty {
            out += "<text x=\"16\" y=\"24\" font-size=\"14\" font-weight=\"bold\">\(Self.escape(chart.title))</text>\n"
            top = 40
        }
        var legendY: Double?
        if chart.series.count > 1 {
            legendY = top + 4
            top += 24
        }
        let labelChars = yScale.labels.map(\.count).max() ?? 1
        let left = 20 + Double(labelChars) * Self.charWidth
        let right = Self.width - 24
        let bottom = top + Self.plotHeight
        let height = bottom + 40

        func y(_ v: Double) -> Double {
            let span = yScale.hi - yScale.lo
            return bottom - (span > 0 ? (v - yScale.lo) / span : 0.5) * (bottom - top)
        }
        // Grid and y axis.
        out += "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n"
        for t in yScale.ticks { out += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(y(t)))\" x2=\"\(Self.n(right))\" y2=\"\(Self.n(y(t)))\"/>\n" }
        out += "</g>\n<g text-anchor=\"end\" fill=\"#333333\">\n"
        for (t, label) in zip(yScale.ticks, yScale.labels) {
            out += "<text x=\"\(Self.n(left - 8))\" y=\"\(Self.n(y(t) + 4))\">\(Self.escape(label))</text>\n"
        }
        out += "</g>\n"

        // Series, and where the x ticks go.
        let xTicks: [(x: Double, label: String)]
        switch chart.kind {
        case .line: (out, xTicks) = (out + lines(left, right, y), lineTicks(left, right))
        case .bars, .histogram:
            let (bars, ticks) = self.bars(left, right, y)
            (out, xTicks) = (out + bars, ticks)
        }

        // Axes and x labels.
        out += "<g stroke=\"#333333\" stroke-width=\"1\">\n"
        out += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(top))\" x2=\"\(Self.n(left))\" y2=\"\(Self.n(bottom))\"/>\n"
        out += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(bottom))\" x2=\"\(Self.n(right))\" y2=\"\(Self.n(bottom))\"/>\n"
        for t in xTicks { out += "<line x1=\"\(Self.n(t.x))\" y1=\"\(Self.n(bottom))\" x2=\"\(Self.n(t.x))\" y2=\"\(Self.n(bottom + 5))\"/>\n" }
        out += "</g>\n<g text-anchor=\"middle\" fill=\"#333333\">\n"
        for t in xTicks {
            // A label that would run off the picture is aligned to its edge instead.
            let half = Double(t.label.count) * Self.charWidth / 2
            var x = t.x
            var anchor = ""
            if t.x + half > Self.width - 4 {
                (x, anchor) = (Self.width - 4, " text-anchor=\"end\"")
            } else if t.x - half < 4 {
                (x, anchor) = (4, " text-anchor=\"start\"")
            }
            out += "<text x=\"\(Self.n(x))\" y=\"\(Self.n(bottom + 20))\"\(anchor)>\(Self.escape(t.label))</text>\n"
        }
        out += "</g>\n"
        if !chart.xName.isEmpty, chart.kind == .histogram {
            out += "<text x=\"\(Self.n((left + right) / 2))\" y=\"\(Self.n(bottom + 36))\" text-anchor=\"middle\" fill=\"#555555\">"
                + "\(Self.escape(chart.xName))</text>\n"
        }

        if let ly = legendY {
            var x = left
            out += "<g class=\"legend\">\n"
            for (k, s) in chart.series.enumerated() {
                let color = Plot.colors[k % Plot.colors.count]
                out += "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(ly))\" width=\"12\" height=\"12\" fill=\"\(color)\"/>\n"
                out += "<text x=\"\(Self.n(x + 18))\" y=\"\(Self.n(ly + 11))\">\(Self.escape(s.name))</text>\n"
                x += 18 + Double(s.name.count) * Self.charWidth + 20
            }
            out += "</g>\n"
        }
        return (out, height)
    }

    func lines(_ left: Double, _ right: Double, _ y: (Double) -> Double) -> String {
        let (lo, hi) = chart.xRange
        func x(_ v: Double) -> Double { left + (v - lo) / (hi - lo) * (right - left) }
        var out = ""
        for (k, s) in chart.series.enumerated() {
            let color = Plot.colors[k % Plot.colors.count]
            let points = Chart.thinned(s.points.filter { $0.y.isFinite }, buckets: Int(right - left))
            let coords = points.map { "\(Self.n(x($0.x))),\(Self.n(y($0.y)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"\(coords)\"/>\n"
            if points.count <= 120 {
                out += "<g fill=\"\(color)\">\n"
                for p in points {
                    let tip = (s.name.isEmpty ? "" : s.name + ", ") + xLabel(p.x) + ": " + yLabel(p.y)
                    out += "<circle cx=\"\(Self.n(x(p.x)))\" cy=\"\(Self.n(y(p.y)))\" r=\"2.5\"><title>\(Self.escape(tip))</title></circle>\n"
                }
                out += "</g>\n"
            }
        }
        return out
    }

    func lineTicks(_ left: Double, _ right: Double) -> [(x: Double, label: String)] {
        let (lo, hi) = chart.xRange
        return ticks(lo: lo, hi: hi, integer: chart.x == .quantity(.none)) { left + ($0 - lo) / (hi - lo) * (right - left) }
    }

    func bars(_ left: Double, _ right: Double, _ y: (Double) -> Double) -> (String, [(x: Double, label: String)]) {
        let points = chart.series.first?.points ?? []
        let color = Plot.colors[0]
        var out = "<g fill=\"\(color)\" stroke=\"#ffffff\" stroke-width=\"\(chart.kind == .histogram ? "0.5" : "0")\">\n"
        let base = y(max(yScale.lo, min(0, yScale.hi)))
        if chart.kind == .histogram {
            let (lo, hi) = chart.xRange
            func x(_ v: Double) -> Double { left + (v - lo) / (hi - lo) * (right - left) }
            for p in points {
                let top = y(p.y)
                let tip = "\(xLabel(p.x)) to \(xLabel(p.x + chart.binWidth)): \(Format.number(p.y))"
                out += "<rect x=\"\(Self.n(x(p.x)))\" y=\"\(Self.n(top))\" width=\"\(Self.n(x(p.x + chart.binWidth) - x(p.x)))\" "
                    + "height=\"\(Self.n(base - top))\"><title>\(Self.escape(tip))</title></rect>\n"
            }
            out += "</g>\n"
            return (out, ticks(lo: lo, hi: hi, integer: false, x))
        }
        let n = max(1, points.count)
        let slot = (right - left) / Double(n)
        func centre(_ p: Double) -> Double { left + (p - 0.5) * slot }
        for p in points {
            let top = y(max(p.y, yScale.lo))
            let tip = "\(Format.number(p.x)): \(yLabel(p.y))"
            out += "<rect x=\"\(Self.n(centre(p.x) - slot * 0.4))\" y=\"\(Self.n(min(top, base)))\" width=\"\(Self.n(slot * 0.8))\" "
                + "height=\"\(Self.n(abs(base - top)))\"><title>\(Self.escape(tip))</title></rect>\n"
        }
        out += "</g>\n"
        return (out, ticks(lo: 1, hi: Double(n), integer: true, centre))
    }

    /// As many x ticks as their labels leave room for.
    func ticks(lo: Double, hi: Double, integer: Bool, _ x: (Double) -> Double) -> [(x: Double, label: String)] {
        var count = 12
        while count >= 1 {
            let s = ChartScale.x(chart.x, lo: lo, hi: hi, maxTicks: count, integer: integer)
            let placed = zip(s.ticks, s.labels).map { (x: x($0), label: $1) }
            let room = zip(placed, placed.dropFirst()).allSatisfy { a, b in
                b.x - a.x >= Double(a.label.count + b.label.count) / 2 * Self.charWidth + 12
            }
            if room || count == 1 { return placed }
            count -= 1
        }
        return []
    }

    func xLabel(_ v: Double) -> String {
        switch chart.x {
        case .quantity(let u): return ChartScale.label(v, u)
        default: return ChartScale.labels([v], chart.x)[0]
        }
    }

    func yLabel(_ v: Double) -> String {
        if case .quantity(let u) = chart.y { return ChartScale.label(v, u) }
        return ChartScale.labels([v], chart.y)[0]
    }

    /// A coordinate with at most two decimals.
    static func n(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        var s = String(format: "%.2f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// Text safe inside an element or an attribute; control characters dropped.
    static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n": out += " "
            default:
                if u.value < 0x20 || (0xFFFE...0xFFFF).contains(u.value) { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}

/// A picture of a value, independent of where it is drawn: one or more named
/// series of (x, y) points on two axes, each axis in one unit.
///
/// `Plot.chart(_:)` builds one from a value; `Plot.terminal(_:width:)` and
/// `Plot.svg(_:)` draw it. Nothing here does I/O.
public struct Chart: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Points joined in x order: a schedule, capacity by month.
        case line
        /// One bar per point, from zero: a short list of amounts.
        case bars
        /// Counts of values in equal bins: a run result. Each point's x is its
        /// bin's lower edge; bins are `binWidth` wide.
        case histogram
    }

    /// What the numbers along an axis are, and so how its ticks read.
    public enum Axis: Hashable, Sendable {
        /// Month indices (`CalendarDate.monthIndex`), labelled `2026-05`.
        case months
        /// Days since 1970-01-01 (`CalendarDate.ordinal`), labelled as dates.
        case days
        /// Numbers written in a unit (`.none` for plain numbers and counts),
        /// labelled `$1.25B`, `300 MW`, `40%`.
        case quantity(UnitExpr)
    }

    public struct Point: Hashable, Sendable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    public struct Series: Hashable, Sendable {
        /// Shown in the legend when a chart has several series.
        public var name: String
        /// In increasing x.
        public var points: [Point]
        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    public var kind: Kind
    public var title: String
    public var x: Axis
    public var y: Axis
    /// What the x axis counts, for its caption: `month`, `npv`, `element`.
    public var xName: String
    public var series: [Series]
    /// Histograms only: the width of each bin, in the x axis's numbers.
    public var binWidth: Double

    public init(kind: Kind, title: String = "", x: Axis, y: Axis, xName: String = "", series: [Series], binWidth: Double = 0) {
        self.kind = kind
        self.title = title
        self.x = x
        self.y = y
        self.xName = xName
        self.series = series
        self.binWidth = binWidth
    }

    /// The smallest and largest x of any point; a histogram's last bin counts to its upper edge.
    var xRange: (Double, Double) {
        let xs = series.flatMap { $0.points.map(\.x) }
        guard var lo = xs.min(), var hi = xs.max() else { return (0, 1) }
        if kind == .histogram { hi += binWidth }
        if kind == .bars {
            lo -= 0.5
            hi += 0.5
        }
        if hi <= lo {
            lo -= 1
            hi += 1
        }
        return (lo, hi)
    }

    /// At most about `2 × buckets` of `points` (in x order): the first, the
    /// lowest, the highest and the last of each of `buckets` equal x ranges,
    /// so a drawing of a long series keeps every peak and trough.
    static func thinned(_ points: [Point], buckets: Int) -> [Point] {
        guard points.count > 4 * buckets, buckets > 0, let first = points.first, let last = points.last, last.x > first.x else { return points }
        var out: [Point] = []
        out.reserveCapacity(4 * buckets)
        var i = 0
        let span = last.x - first.x
        for b in 0..<buckets {
            let end = b == buckets - 1 ? Double.infinity : first.x + span * Double(b + 1) / Double(buckets)
            guard i < points.count, points[i].x < end else { continue }
            var lo = points[i], hi = points[i]
            let start = points[i]
            var stop = points[i]
            while i < points.count, points[i].x < end {
                let p = points[i]
                if p.y < lo.y { lo = p }
                if p.y > hi.y { hi = p }
                stop = p
                i += 1
            }
            for p in [start, lo.x <= hi.x ? lo : hi, lo.x <= hi.x ? hi : lo, stop] where out.last != p { out.append(p) }
        }
        return out
    }

    /// The smallest and largest y, with zero in sight for bars, counts and
    /// amounts that start near it.
    var yRange: (Double, Double) {
        let ys = series.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        guard var lo = ys.min(), var hi = ys.max() else { return (0, 1) }
        if kind != .line || (lo >= 0 && lo <= hi / 2) { lo = min(lo, 0) }
        if kind != .line || (hi <= 0 && hi >= lo / 2) { hi = max(hi, 0) }
        if hi <= lo {
            let pad = lo == 0 ? 1 : abs(lo) / 10
            lo -= pad
            hi += pad
        }
        return (lo, hi)
    }
}

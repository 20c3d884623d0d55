import Foundation

/// Summary statistics of a run's output columns: what `run` prints and what
/// `.mean`, `.p95` and `percentile(r, p)` answer.
public struct RunSummary: Sendable {
    public let result: RunResult

    public init(_ r: RunResult) { result = r }

    /// Exact percentile with NumPy's default linear interpolation; `sorted` ascending.
    public static func percentile(sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * min(1, max(0, p))
        let lo = Int(h.rounded(.down))
        if lo + 1 >= sorted.count { return sorted[sorted.count - 1] }
        return sorted[lo] + (h - Double(lo)) * (sorted[lo + 1] - sorted[lo])
    }

    public struct Stats: Sendable {
        public var n: Int
        public var mean, sd, min, p5, p50, p95, max: Double
        public var sorted: [Double]
    }

    public static func stats(_ values: [Double]) -> Stats {
        let s = values.sorted()
        var acc = CompensatedSum()
        for v in s { acc.add(v) }
        let n = s.count
        let mean = n > 0 ? acc.value / Double(n) : .nan
        var sq = CompensatedSum()
        for v in s { sq.add((v - mean) * (v - mean)) }
        let sd = n > 1 ? (sq.value / Double(n - 1)).squareRoot() : 0
        return Stats(
            n: n, mean: mean, sd: sd, min: s.first ?? .nan, p5: percentile(sorted: s, 0.05),
            p50: percentile(sorted: s, 0.5), p95: percentile(sorted: s, 0.95), max: s.last ?? .nan, sorted: s)
    }

    public var text: String {
        var lines: [String] = []
        for col in result.outputs {
            let st = Self.stats(col.values)
            func f(_ x: Double) -> String { Format.quantity(Quantity(x, col.unit)) }
            let title = result.outputs.count > 1 ? "\(col.name): " : ""
            lines.append("\(title)n = \(Format.number(Double(st.n)))  mean = \(f(st.mean))  sd = \(f(st.sd))")
            lines.append("min = \(f(st.min))  p5 = \(f(st.p5))  p50 = \(f(st.p50))  p95 = \(f(st.p95))  max = \(f(st.max))")
            lines.append(contentsOf: Self.histogram(st.sorted, label: f))
        }
        return lines.joined(separator: "\n")
    }

    /// A terminal histogram: ten bins between min and max, bars of `█`.
    public static func histogram(_ sorted: [Double], label: (Double) -> String, bins: Int = 10, width: Int = 40) -> [String] {
        guard let lo = sorted.first, let hi = sorted.last, sorted.count > 1, hi > lo else { return [] }
        var counts = Array(repeating: 0, count: bins)
        let w = (hi - lo) / Double(bins)
        for v in sorted {
            let b = Swift.min(bins - 1, Swift.max(0, Int((v - lo) / w)))
            counts[b] += 1
        }
        let top = counts.max() ?? 1
        let labels = (0..<bins).map { label(lo + w * Double($0)) }
        let lw = labels.map(\.count).max() ?? 0
        return (0..<bins).map { i in
            let bar = String(repeating: "█", count: top > 0 ? Int((Double(counts[i]) / Double(top) * Double(width)).rounded()) : 0)
            let pad = String(repeating: " ", count: lw - labels[i].count)
            return "  \(pad)\(labels[i]) │\(bar) \(counts[i])"
        }
    }
}

import Foundation
import LeaseCore

/// A merged run prints as the unsharded run prints its result (`RunSummary.text`,
/// and the JSON and CSV of a run result), with sketched percentiles marked
/// `≈` and their relative error.
extension MergedResult {
    public var text: String {
        var lines: [String] = []
        for col in columns {
            func f(_ x: Double) -> String {
                if col.isDate, x.isFinite, abs(x) < 1e9, let d = CalendarDate.fromOrdinal(Int(x.rounded(.down))) { return d.description }
                return Format.quantity(Quantity(x, col.unit))
            }
            func p(_ label: String, _ x: Double) -> String {
                col.exact ? "\(label) = \(f(x))" : "\(label) ≈ \(f(x)) (±\(Format.number(col.alpha * 100))%)"
            }
            let title = columns.count > 1 ? "\(col.name): " : ""
            let sd = col.isDate ? Format.number(col.sd) + " days" : f(col.sd)
            lines.append("\(title)n = \(Format.number(Double(col.n)))  mean = \(f(col.mean))  sd = \(sd)")
            lines.append("min = \(f(col.min))  \(p("p5", col.p5))  \(p("p50", col.p50))  \(p("p95", col.p95))  max = \(f(col.max))")
            lines.append(contentsOf: Self.histogram(col.histogram, min: col.min, max: col.max, label: f))
        }
        return lines.joined(separator: "\n")
    }

    /// The run's terminal histogram from bin counts (`RunSummary.histogram`'s layout).
    static func histogram(_ counts: [Int], min lo: Double, max hi: Double, label: (Double) -> String, width: Int = 40) -> [String] {
        let bins = counts.count
        guard bins > 0, hi > lo, lo.isFinite, hi.isFinite else { return [] }
        let w = (hi - lo) / Double(bins)
        let top = counts.max() ?? 1
        let labels = (0..<bins).map { label(lo + w * Double($0)) }
        let lw = labels.map(\.count).max() ?? 0
        return (0..<bins).map { i in
            let bar = String(repeating: "█", count: top > 0 ? Int((Double(counts[i]) / Double(top) * Double(width)).rounded()) : 0)
            let pad = String(repeating: " ", count: lw - labels[i].count)
            return "  \(pad)\(labels[i]) │\(bar) \(Format.number(Double(counts[i])))"
        }
    }

    /// One line of JSON, as a run result prints with `--format json`; a
    /// sketched column adds `"exact": false` and `"relative_error"`.
    public var json: String {
        func number(_ x: Double) -> String {
            guard x.isFinite else { return "null" }
            if x == x.rounded() && abs(x) < 1e15 { return String(format: "%.0f", x) }
            return "\(x)"
        }
        func stats(_ c: MergedColumn) -> String {
            var parts = ["\"n\": \(c.n)"]
            for (k, x) in [("mean", c.mean), ("sd", c.sd), ("min", c.min), ("p5", c.p5), ("p50", c.p50), ("p95", c.p95), ("max", c.max)] {
                parts.append("\"\(k)\": \(number(x))")
            }
            if !c.unit.isEmpty { parts.append("\"unit\": \(Self.jsonString(c.unit.text()))") }
            if !c.exact {
                parts.append("\"exact\": false")
                parts.append("\"relative_error\": \(number(c.alpha))")
            }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        if columns.count == 1, let c = columns.first { return stats(c) }
        return "{" + columns.map { "\(Self.jsonString($0.name)): \(stats($0))" }.joined(separator: ", ") + "}"
    }

    /// CSV, as a run result prints with `--format csv`.
    public var csv: String {
        func number(_ x: Double) -> String {
            guard x.isFinite else { return "null" }
            if x == x.rounded() && abs(x) < 1e15 { return String(format: "%.0f", x) }
            return "\(x)"
        }
        func cell(_ s: String) -> String { Format.csvCell(s) }
        var lines = ["column,n,mean,sd,min,p5,p50,p95,max,unit"]
        for c in columns {
            let nums = [c.mean, c.sd, c.min, c.p5, c.p50, c.p95, c.max].map(number)
            lines.append(([cell(c.name), String(c.n)] + nums + [cell(c.unit.text())]).joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }

    static func jsonString(_ s: String) -> String { Format.jsonString(s) }
}

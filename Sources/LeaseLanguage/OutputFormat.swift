import Foundation
import LeaseCore

/// How printed values are written: as text (section 6), JSON lines, or CSV.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, csv

    /// The lines one output event becomes.
    public func render(_ event: OutputEvent) -> String {
        switch (self, event) {
        case (.text, .value(let v)): return Format.value(v)
        case (_, .text(let s)) where self != .json: return s
        case (.json, .text(let s)): return "{\"text\": \(JSON.string(s))}"
        case (.json, .value(let v)): return JSON.top(v)
        case (.csv, .value(let v)): return CSV.render(v)
        default: return ""
        }
    }
}

/// JSON rendering: one object per printed value.
enum JSON {
    static func string(_ s: String) -> String { Format.jsonString(s) }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded() && abs(x) < 1e15 { return String(format: "%.0f", x) }
        return "\(x)"
    }

    static func top(_ v: Value) -> String {
        if case .result(let r) = v { return result(r) }
        return object(v)
    }

    static func object(_ v: Value) -> String {
        var fields: [String] = []
        switch v {
        case .quantity(let q):
            fields.append("\"value\": \(number(q.value))")
            if !q.unit.isEmpty { fields.append("\"unit\": \(string(q.unit.text()))") }
        default:
            fields.append("\"value\": \(raw(v))")
        }
        fields.append("\"type\": \(string(v.typeName))")
        fields.append("\"text\": \(string(Format.value(v)))")
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// The value part: plain JSON for scalars, nested objects inside collections.
    static func raw(_ v: Value) -> String {
        switch v {
        case .quantity(let q): return number(q.value)
        case .date(let d): return string(d.description)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return string(s)
        case .list(let xs): return "[" + xs.map(object).joined(separator: ", ") + "]"
        case .map(let es):
            return "[" + es.map { "{\"key\": \(object($0.key)), \"value\": \(object($0.value))}" }.joined(separator: ", ") + "]"
        case .record(let r):
            return "{" + r.fields.map { "\(string($0.name)): \(object($0.value))" }.joined(separator: ", ") + "}"
        case .cluster(let k):
            return "{" + Cluster.readableFields.compactMap { n in k.field(n).map { "\(string(n)): \(object($0))" } }.joined(separator: ", ") + "}"
        case .contract(let c):
            return "{" + Contract.readableFields.compactMap { n in
                Interpreter.contractField(c, n).map { v -> String in
                    if case .cluster(let k) = v { return "\(string(n)): \(string(k.name))" }
                    return "\(string(n)): \(object(v))"
                }
            }.joined(separator: ", ") + "}"
        case .result(let r): return result(r)
        case .chart(let cs): return "{\"svg\": \(string(Plot.svg(cs)))}"
        }
    }

    static func stats(_ col: RunResult.Column) -> String {
        let s = RunSummary.stats(col.values)
        var parts = ["\"n\": \(s.n)"]
        for (k, x) in [("mean", s.mean), ("sd", s.sd), ("min", s.min), ("p5", s.p5), ("p50", s.p50), ("p95", s.p95), ("max", s.max)] {
            parts.append("\"\(k)\": \(number(x))")
        }
        if !col.unit.isEmpty { parts.append("\"unit\": \(string(col.unit.text()))") }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    static func result(_ r: RunResult) -> String {
        if r.outputs.count == 1, let c = r.outputs.first { return stats(c) }
        return "{" + r.outputs.map { "\(string($0.name)): \(stats($0))" }.joined(separator: ", ") + "}"
    }
}

/// CSV rendering for tables and run results; other values as their text.
enum CSV {
    static func cell(_ s: String) -> String { Format.csvCell(s) }

    /// A number's cell: the shortest decimal that reads back as the same
    /// double; an empty cell for NaN and infinities (not JSON's null).
    static func number(_ x: Double) -> String { x.isFinite ? JSON.number(x) : "" }

    static func plain(_ v: Value) -> String {
        switch v {
        case .quantity(let q): return number(q.value)
        case .string(let s): return s
        default: return Format.inner(v)
        }
    }

    static func render(_ v: Value) -> String {
        switch v {
        case .list(let rows) where v.isTable:
            guard case .record(let first)? = rows.first else { return "" }
            var lines = [first.fields.map { cell(header($0.name, $0.value)) }.joined(separator: ",")]
            for row in rows {
                if case .record(let r) = row { lines.append(r.fields.map { cell(plain($0.value)) }.joined(separator: ",")) }
            }
            return lines.joined(separator: "\n")
        case .result(let r):
            var lines = ["column,n,mean,sd,min,p5,p50,p95,max,unit"]
            for c in r.outputs {
                let s = RunSummary.stats(c.values)
                let nums = [s.mean, s.sd, s.min, s.p5, s.p50, s.p95, s.max].map(number)
                lines.append(([cell(c.name), String(s.n)] + nums + [cell(c.unit.text())]).joined(separator: ","))
            }
            return lines.joined(separator: "\n")
        case .list(let xs):
            return xs.map { cell(plain($0)) }.joined(separator: "\n")
        default:
            return cell(plain(v))
        }
    }

    /// A column header with its unit, so raw numbers stay interpretable: `payment (USD)`.
    static func header(_ name: String, _ sample: Value) -> String {
        if case .quantity(let q) = sample, !q.unit.isEmpty { return "\(name) (\(q.unit.text()))" }
        return name
    }
}

import Foundation

/// The display rules of LANGUAGE.md section 6, in one place so the REPL,
/// scripts, JSON `text` fields and error messages all agree.
public enum Format {
    /// Integers grouped (`220,000`); other numbers to 6 significant digits.
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-∞" : "∞" }
        if x == 0 { return "0" }
        let a = abs(x)
        if a >= 1e15 || a < 1e-4 { return scientific(x) }
        if x == x.rounded() { return grouped(String(format: "%.0f", x)) }
        // From a million up, the nearest whole number, grouped: no digit is
        // ever invented (8,108,384 MWh, not 8,108,380 MWh).
        if a >= 1e6 { return grouped(String(format: "%.0f", x.rounded())) }
        let digits = Int(floor(log10(a))) + 1
        return trimmed(x, decimals: max(0, 6 - digits))
    }

    static func scientific(_ x: Double) -> String {
        let s = String(format: "%.6g", x)
        guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return s }
        var mantissa = String(s[..<e])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        var exp = String(s[s.index(after: e)...])
        let neg = exp.hasPrefix("-")
        exp = String(exp.drop(while: { $0 == "+" || $0 == "-" || $0 == "0" }))
        return "\(mantissa)e\(neg ? "-" : "")\(exp.isEmpty ? "0" : exp)"
    }

    /// Inserts thousands separators into the integer part of a plain decimal string.
    static func grouped(_ s: String) -> String {
        var sign = ""
        var body = Substring(s)
        if body.hasPrefix("-") {
            sign = "-"
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let int = Array(parts[0])
        var out = ""
        for (i, ch) in int.enumerated() {
            if i > 0 && (int.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        if parts.count > 1 { out += "." + parts[1] }
        return sign + out
    }

    /// Up to `decimals` places, trailing zeros dropped.
    static func trimmed(_ x: Double, decimals: Int) -> String {
        var s = String(format: "%.\(decimals)f", x)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s == "-0" { s = "0" }
        return grouped(s)
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// A CSV cell, quoted when it holds a comma, a quote or a newline (RFC 4180).
    public static func csvCell(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    public static func percent(_ fraction: Double) -> String { number(fraction * 100) + "%" }

    /// Money: compact from a million up (`$46.25B`), else two decimals (`$7.78`).
    public static func money(_ x: Double, currency: String, per: String = "") -> String {
        if x.isNaN || x.isInfinite { return number(x) + " " + currency + per }
        let a = abs(x)
        var body: String
        // Decide on the amount as shown: 999,999.999 is $1M, not $1,000,000.00.
        if (a * 100).rounded() / 100 >= 1e6 {
            let scales: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M")]
            var idx = scales.firstIndex(where: { a >= $0.0 }) ?? 2
            var v = (a / scales[idx].0 * 1000).rounded() / 1000
            if v >= 1000 && idx > 0 {
                idx -= 1
                v = (a / scales[idx].0 * 1000).rounded() / 1000
            }
            body = trimmed(v, decimals: 3) + scales[idx].1
        } else {
            body = grouped(String(format: "%.2f", a))
        }
        let neg = x < 0 && body.contains(where: { $0 != "0" && $0 != "." && $0 != "," })
        if let sign = Currency.signOf[currency] {
            return (neg ? "-" : "") + sign + body + per
        }
        return (neg ? "-" : "") + body + " " + currency + per
    }

    public static func quantity(_ q: Quantity) -> String {
        if q.unit.isEmpty { return number(q.value) }
        if q.unit.isPercent { return number(q.value) + "%" }
        if let c = q.unit.moneyCurrency {
            let rest = q.unit.text(skipCurrency: true)
            let per = rest.isEmpty ? "" : (rest.hasPrefix("/") ? rest : "·" + rest)
            return money(q.value, currency: c, per: per)
        }
        return number(q.value) + " " + q.unit.text(plural: q.value != 1)
    }

    /// One-line display of any value; tables and declarations span lines.
    public static func value(_ v: Value) -> String {
        switch v {
        case .quantity(let q): return quantity(q)
        case .date(let d): return d.description
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        case .list(let xs):
            if v.isTable { return table(xs) }
            return "[" + xs.map(inner).joined(separator: ", ") + "]"
        case .map(let es):
            if es.isEmpty { return "[:]" }
            return "[" + es.map { inner($0.key) + ": " + inner($0.value) }.joined(separator: ", ") + "]"
        case .record(let r):
            return "{" + r.fields.map { "\($0.name): \(inner($0.value))" }.joined(separator: ", ") + "}"
        case .cluster(let k): return cluster(k)
        case .contract(let c): return contract(c)
        case .result(let r): return RunSummary(r).text
        case .chart(let cs): return Plot.terminal(cs, width: chartWidth)
        }
    }

    /// Columns a chart may use on a terminal: `$COLUMNS` when set, else 80.
    public static var chartWidth: Int {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c), n >= 24 { return min(n, 200) }
        return 80
    }

    /// Display inside a collection: strings quoted, declared objects by name.
    public static func inner(_ v: Value) -> String {
        switch v {
        case .string(let s): return quoted(s)
        case .cluster(let k): return k.name
        case .contract(let c): return c.name
        case .list(let xs) where v.isTable:
            return "[" + xs.map(inner).joined(separator: ", ") + "]"
        case .result(let r): return "<result of \(r.scenario): \(r.count) rows>"
        case .chart(let cs): return "<chart: \(cs.map(\.title).joined(separator: ", "))>"
        default: return value(v)
        }
    }

    public static func quoted(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "{": out += "{{"
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    /// Aligned columns under a header; numbers right-aligned.
    public static func table(_ rows: [Value]) -> String {
        guard case .record(let first)? = rows.first else { return "" }
        let names = first.fields.map(\.name)
        var cells: [[String]] = [names]
        var numeric = Array(repeating: true, count: names.count)
        for row in rows {
            guard case .record(let r) = row else { continue }
            // Strings show unquoted in a table, as in a spreadsheet.
            cells.append(r.fields.map { if case .string(let s) = $0.value { return s }; return inner($0.value) })
            for (i, f) in r.fields.enumerated() {
                if case .quantity = f.value {} else { numeric[i] = false }
            }
        }
        var widths = Array(repeating: 0, count: names.count)
        for row in cells {
            for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) }
        }
        var lines: [String] = []
        for (r, row) in cells.enumerated() {
            var parts: [String] = []
            for (i, c) in row.enumerated() where i < widths.count {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                parts.append(numeric[i] && r > 0 ? pad + c : c + pad)
            }
            var line = parts.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    public static func cluster(_ k: Cluster) -> String {
        var lines = ["cluster \(k.name) {"]
        if !k.owner.isEmpty { lines.append("  owner: \(quoted(k.owner))") }
        if !k.site.isEmpty { lines.append("  site: \(quoted(k.site))") }
        lines.append("  power: \(quantity(k.power))")
        lines.append("  gpus: \(quantity(k.gpus))")
        if let m = k.gpuModel { lines.append("  gpu_model: \(quoted(m))") }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    public static func contract(_ c: Contract) -> String {
        var lines = ["contract \(c.name) {"]
        lines.append("  lessor: \(quoted(c.lessor))")
        lines.append("  lessee: \(quoted(c.lessee))")
        lines.append("  cluster: \(c.cluster.name)")
        if c.share != 1 { lines.append("  share: \(percent(c.share))") }
        lines.append("  start: \(c.start)")
        lines.append("  end: \(c.end)")
        lines.append("  rate: \(quantity(c.rate))")
        if !c.discounts.isEmpty {
            let ds = c.discounts.map { "\($0.month): \(percent($0.fraction))" }.joined(separator: ", ")
            lines.append("  discounts: [\(ds)]")
        }
        if c.escalation != 0 { lines.append("  escalation: \(percent(c.escalation))") }
        lines.append("  notice: \(quantity(c.notice))")
        lines.append("}")
        return lines.joined(separator: "\n")
    }
}

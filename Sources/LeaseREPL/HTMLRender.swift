import Foundation
import LeaseCore
import LeaseLanguage

/// HTML for the values a notebook shows richer than text: tables, records and
/// run results, as a small `<table>` styled inline (notebook sanitizers drop
/// `<style>` blocks). Every piece of text is escaped.
public enum HTMLRender {
    /// Longer tables show their first and last rows around a count of the rest.
    public static let headRows = 100
    public static let tailRows = 20

    static let tableStyle = "border-collapse:collapse;font-variant-numeric:tabular-nums;margin:0.25em 0"
    static let headStyle = "padding:2px 10px;border-bottom:1px solid #999;font-weight:600"
    static let cellStyle = "padding:2px 10px;text-align:left"
    static let numberStyle = "padding:2px 10px;text-align:right;white-space:nowrap"
    static let noteStyle = "padding:2px 10px;text-align:center;color:#777"

    /// The HTML for `v`, or nil when its text says it all; `svg` is the run
    /// result's histogram, shown under its table when there is one.
    public static func html(_ v: Value, svg: String? = nil) -> String? {
        switch v {
        case .list(let rows) where v.isTable: return table(rows)
        case .record(let r): return record(r)
        case .result(let r): return result(r, svg: svg)
        default: return nil
        }
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A value inside a cell: as in a text table, but strings without quotes.
    static func text(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return Format.inner(v)
    }

    static func isNumeric(_ v: Value) -> Bool {
        if case .quantity = v { return true }
        return false
    }

    static func cell(_ text: String, numeric: Bool) -> String {
        "<td style=\"\(numeric ? numberStyle : cellStyle)\">\(escape(text))</td>"
    }

    static func header(_ names: [String], numeric: [Bool]) -> String {
        let ths = zip(names, numeric).map { name, num in
            "<th style=\"\(headStyle);text-align:\(num ? "right" : "left")\">\(escape(name))</th>"
        }
        return "<thead><tr>" + ths.joined() + "</tr></thead>"
    }

    /// A list of records with the same fields: one column per field.
    static func table(_ rows: [Value]) -> String {
        let records = rows.compactMap { row -> Record? in
            if case .record(let r) = row { return r }
            return nil
        }
        guard let first = records.first else { return "" }
        let names = first.fields.map(\.name)
        let numeric = names.indices.map { i in records.allSatisfy { i < $0.fields.count && isNumeric($0.fields[i].value) } }
        var body: [String] = []
        func row(_ r: Record) -> String {
            "<tr>" + r.fields.enumerated().map { i, f in cell(text(f.value), numeric: i < numeric.count && numeric[i]) }.joined() + "</tr>"
        }
        if records.count > headRows + tailRows {
            body += records[..<headRows].map(row)
            let hidden = records.count - headRows - tailRows
            body.append("<tr><td colspan=\"\(names.count)\" style=\"\(noteStyle)\">… \(Format.number(Double(hidden))) more rows …</td></tr>")
            body += records[(records.count - tailRows)...].map(row)
        } else {
            body = records.map(row)
        }
        return "<table class=\"lease-table\" style=\"\(tableStyle)\">" + header(names, numeric: numeric)
            + "<tbody>" + body.joined() + "</tbody></table>"
    }

    /// A record: one row per field, its name then its value.
    static func record(_ r: Record) -> String {
        let rows = r.fields.map { f in
            "<tr><th style=\"\(cellStyle);font-weight:600\">\(escape(f.name))</th>" + cell(text(f.value), numeric: isNumeric(f.value)) + "</tr>"
        }
        return "<table class=\"lease-record\" style=\"\(tableStyle)\"><tbody>" + rows.joined() + "</tbody></table>"
    }

    /// A run result: n and the summary statistics, one row per output column,
    /// then the histogram (the SVG when given, else the text bars).
    static func result(_ r: RunResult, svg: String?) -> String {
        let stats = ["n", "mean", "sd", "min", "p5", "p50", "p95", "max"]
        let several = r.outputs.count > 1
        let names = (several ? ["column"] : []) + stats
        let numeric = (several ? [false] : []) + Array(repeating: true, count: stats.count)
        var body: [String] = []
        var bars: [String] = []
        for col in r.outputs {
            let st = RunSummary.stats(col.values)
            func f(_ x: Double) -> String {
                if col.isDate, x.isFinite, abs(x) < 1e9, let d = CalendarDate.fromOrdinal(Int(x.rounded(.down))) { return d.description }
                return Format.quantity(Quantity(x, col.unit))
            }
            let sd = col.isDate ? Format.number(st.sd) + " days" : f(st.sd)
            let cells = [Format.number(Double(st.n)), f(st.mean), sd, f(st.min), f(st.p5), f(st.p50), f(st.p95), f(st.max)]
            body.append("<tr>" + (several ? cell(col.name, numeric: false) : "") + cells.map { cell($0, numeric: true) }.joined() + "</tr>")
            if svg == nil {
                let lines = RunSummary.histogram(col.values, min: st.min, max: st.max, label: f)
                if !lines.isEmpty {
                    bars.append("<pre class=\"lease-histogram\" style=\"margin:0.25em 0;line-height:1.15\">"
                        + escape((several ? col.name + "\n" : "") + lines.joined(separator: "\n")) + "</pre>")
                }
            }
        }
        let caption = "<caption style=\"caption-side:top;text-align:left;color:#555;padding:2px 10px\">run \(escape(r.scenario)): "
            + "\(Format.number(Double(r.count))) rows</caption>"
        var out = "<div class=\"lease-run\"><table class=\"lease-result\" style=\"\(tableStyle)\">" + caption
            + header(names, numeric: numeric) + "<tbody>" + body.joined() + "</tbody></table>"
        if let svg { out += "<div class=\"lease-histogram\">" + svg + "</div>" } else { out += bars.joined() }
        return out + "</div>"
    }
}

import Foundation
import LeaseCore

/// Writes a session as a script that recreates it (`:save`): rates,
/// clusters, contracts, bindings, functions, then scenarios, with numbers at
/// full precision so a reloaded session gives the same answers.
extension Session {
    public func script() -> String {
        var out = ["# lease session, written by :save"]
        out.append(contentsOf: fxSources)
        for k in model.clusters { out.append(SourceWriter.declaration(k)) }
        for c in model.contracts { out.append(SourceWriter.declaration(c)) }
        // Bindings are literals, so they come before the functions that may read them.
        for name in globalOrder where name != "_" {
            guard let v = globals[name] else { continue }
            if case .cluster(let k) = v, model.cluster(named: name) == k { continue }
            if case .contract(let c) = v, model.contract(named: name) == c { continue }
            if let lit = SourceWriter.literal(v, model: model) {
                out.append("let \(name) = \(lit)")
            } else {
                out.append("# `\(name)` (a \(v.typeName)) cannot be written as a literal; recompute it")
            }
        }
        for name in functionOrder { if let f = functions[name] { out.append(f.source) } }
        for name in scenarioOrder { if let s = scenarios[name] { out.append(s.source) } }
        return out.joined(separator: "\n") + "\n"
    }

    /// One line per binding and model object, for `:ls`.
    public func listing() -> [String] {
        var rows: [(String, String, String)] = []
        for line in fxSources { rows.append(("fx", "rate", line.replacingOccurrences(of: "fx ", with: ""))) }
        for k in model.clusters {
            rows.append((k.name, "cluster", "\(Format.quantity(k.power)), \(Format.quantity(k.gpus))" + (k.site.isEmpty ? "" : ", \(k.site)")))
        }
        for c in model.contracts {
            rows.append((c.name, "contract", "\(c.lessor) → \(c.lessee) on \(c.cluster.name), \(c.start) to \(c.end), \(Format.quantity(c.rate))"))
        }
        for name in functionOrder { if let f = functions[name] { rows.append((name, "fn", "\(name)(\(f.params.joined(separator: ", ")))")) } }
        for name in scenarioOrder { rows.append((name, "scenario", "")) }
        for name in globalOrder where name != "_" {
            guard let v = globals[name] else { continue }
            if case .cluster = v, model.cluster(named: name) != nil { continue }
            if case .contract = v, model.contract(named: name) != nil { continue }
            var text: String
            switch v {
            case .contract(let c):
                text = "\(c.lessor) → \(c.lessee) on \(c.cluster.name), \(c.start) to \(c.end), \(Format.quantity(c.rate))"
            case .cluster(let k):
                text = "\(Format.quantity(k.power)), \(Format.quantity(k.gpus))"
            default:
                text = Format.value(v).split(separator: "\n").first.map(String.init) ?? ""
            }
            if text.count > 60 { text = String(text.prefix(57)) + "…" }
            rows.append((name, v.typeName, text))
        }
        let w0 = rows.map(\.0.count).max() ?? 0, w1 = rows.map(\.1.count).max() ?? 0
        return rows.map { r in
            let a = r.0.padding(toLength: w0, withPad: " ", startingAt: 0)
            let b = r.1.padding(toLength: w1, withPad: " ", startingAt: 0)
            return "\(a)  \(b)  \(r.2)".trimmingCharacters(in: .whitespaces)
        }
    }

    /// `:type`: the value's type and, for quantities, its dimension and unit.
    public func describeType(_ v: Value) -> String {
        switch v {
        case .quantity(let q):
            if q.unit.isEmpty { return "number" }
            if q.dimension.isNone { return "number (shown as \(q.unit.text()))" }
            return "quantity of \(q.dimension) (in \(q.unit.text()))"
        case .list(let xs):
            if v.isTable, case .record(let r)? = xs.first {
                return "table of \(xs.count) rows: " + r.fields.map { "\($0.name): \(describeType($0.value))" }.joined(separator: ", ")
            }
            guard let first = xs.first else { return "empty list" }
            return "list of \(xs.count) × \(describeType(first))"
        case .record(let r):
            return "record {" + r.fields.map { "\($0.name): \(describeType($0.value))" }.joined(separator: ", ") + "}"
        case .map(let es):
            guard let e = es.first else { return "empty map" }
            return "map of \(es.count): \(describeType(e.key)) → \(describeType(e.value))"
        default:
            return v.typeName
        }
    }
}

/// Values written back as lease source.
enum SourceWriter {
    static func number(_ x: Double) -> String {
        if x.isNaN { return "(0 / 0)" }
        if x.isInfinite { return x > 0 ? "(1 / 0)" : "(-1 / 0)" }
        if x == x.rounded() && abs(x) < 1e15 { return String(format: "%.0f", x) }
        return "\(x)"
    }

    static func unit(_ u: UnitExpr) -> String {
        var s = ""
        for t in u.terms {
            let e = abs(t.exponent)
            let name = t.def.symbol + (e == 1 ? "" : "^\(e)")
            s += t.exponent > 0 ? (s.isEmpty ? name : " * " + name) : " / " + name
        }
        return s
    }

    static func quantity(_ q: Quantity) -> String {
        if q.unit.isEmpty { return q.value < 0 ? "(\(number(q.value)))" : number(q.value) }
        if q.unit.isPercent { return q.value >= 0 ? number(q.value) + "%" : "(" + number(q.value) + "%)" }
        let u = unit(q.unit)
        let body = u.hasPrefix(" / ") ? "\(number(q.value))\(u)" : "\(number(q.value)) \(u)"
        return "(\(body))"
    }

    static func literal(_ v: Value, model: Model) -> String? {
        switch v {
        case .quantity(let q): return quantity(q)
        case .date(let d): return d.description
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return Format.quoted(s)
        case .list(let xs):
            var parts: [String] = []
            for x in xs { guard let l = literal(x, model: model) else { return nil }; parts.append(l) }
            return "[" + parts.joined(separator: ", ") + "]"
        case .map(let es):
            if es.isEmpty { return "[:]" }
            var parts: [String] = []
            for e in es {
                guard let k = literal(e.key, model: model), let x = literal(e.value, model: model) else { return nil }
                parts.append("\(k): \(x)")
            }
            return "[" + parts.joined(separator: ", ") + "]"
        case .record(let r):
            var parts: [String] = []
            for f in r.fields { guard let l = literal(f.value, model: model) else { return nil }; parts.append("\(f.name): \(l)") }
            return "{" + parts.joined(separator: ", ") + "}"
        case .cluster(let k):
            guard let declared = model.cluster(named: k.name) else { return nil }
            if declared == k { return k.name }
            return "\(k.name) with {" + clusterFields(k).joined(separator: ", ") + "}"
        case .contract(let c):
            guard let declared = model.contract(named: c.name) else { return nil }
            if declared == c { return c.name }
            guard model.cluster(named: c.cluster.name) == c.cluster else { return nil }
            return "\(c.name) with {" + contractFields(c, model: model).joined(separator: ", ") + "}"
        case .result: return nil
        }
    }

    static func clusterFields(_ k: Cluster) -> [String] {
        var f = ["owner: \(Format.quoted(k.owner))", "site: \(Format.quoted(k.site))",
                 "power: \(quantity(k.power))", "gpus: \(quantity(k.gpus))"]
        if let m = k.gpuModel { f.append("gpu_model: \(Format.quoted(m))") }
        return f
    }

    static func contractFields(_ c: Contract, model: Model) -> [String] {
        var f = ["lessor: \(Format.quoted(c.lessor))", "lessee: \(Format.quoted(c.lessee))", "cluster: \(c.cluster.name)",
                 "share: \(number(c.share * 100))%", "start: \(c.start)", "end: \(c.end)", "rate: \(quantity(c.rate))"]
        let ds = c.discounts.map { "\($0.month): \(number($0.fraction * 100))%" }
        f.append("discounts: " + (ds.isEmpty ? "[:]" : "[" + ds.joined(separator: ", ") + "]"))
        f.append("escalation: \(number(c.escalation * 100))%")
        f.append("notice: \(quantity(c.notice))")
        return f
    }

    static func declaration(_ k: Cluster) -> String {
        "cluster \(k.name) {\n" + clusterFields(k).map { "  " + $0 }.joined(separator: "\n") + "\n}"
    }

    static func declaration(_ c: Contract) -> String {
        "contract \(c.name) {\n" + contractFields(c, model: Model()).map { "  " + $0 }.joined(separator: "\n") + "\n}"
    }
}

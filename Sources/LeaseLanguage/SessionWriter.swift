import Foundation
import LeaseCore

/// Why `:save` wrote nothing; the file that was there is left as it was.
public enum SaveFailure: Error, CustomStringConvertible, Equatable {
    /// The file could not be written (a directory, a device, no space …).
    case file(FileError)
    /// Ctrl-C.
    case interrupted
    /// The script would not recreate the session: what went wrong.
    case notFaithful(String)

    public var description: String {
        switch self {
        case .file(let e): return e.description
        case .interrupted: return "interrupted; nothing was written"
        case .notFaithful(let why): return why
        }
    }
}

/// A script written by `:save`, and the bindings it could not write.
public struct SavedScript: Sendable {
    public var text: String
    /// Bindings written as a comment (a run result, a value too long for a script).
    public var omitted: [String]
    /// The script without the comments for omitted bindings: what a session
    /// that has loaded it saves to.
    var written: String
}

/// Writes a session as a script that recreates it (`:save`): rates,
/// clusters and contracts, then the bindings in the order they were made,
/// with functions and scenarios placed where the names they read are bound
/// (and a scenario before a later `let` of one of its parameters), numbers
/// at full precision so a reloaded session gives the same answers.
extension Session {
    public func script() -> String {
        (try? buildScript(interrupt: nil).text) ?? ""
    }

    /// Writes the script to `path` only if it recreates the session: it is
    /// run in a fresh session, which must save to the very same text. Ctrl-C
    /// (the session's interrupt flag) stops it and writes nothing.
    public func save(to path: String) -> Result<SavedScript, SaveFailure> {
        interrupt.clear()
        do throws(SaveFailure) {
            // Refuse a directory or a device before doing any work.
            do throws(FileError) { _ = try SafeFile.writableTarget(path) } catch { throw .file(error) }
            let saved = try buildScript(interrupt: interrupt)
            try verify(saved)
            if interrupt.isRaised { throw .interrupted }
            let writer: SafeFileWriter
            do throws(FileError) { writer = try SafeFileWriter(path: path) } catch { throw .file(error) }
            var i = saved.text.startIndex
            let chunk = 1 << 20
            while i < saved.text.endIndex {
                if interrupt.isRaised {
                    writer.abort()
                    throw .interrupted
                }
                let j = saved.text.utf8.index(i, offsetBy: chunk, limitedBy: saved.text.endIndex) ?? saved.text.endIndex
                do throws(FileError) { try writer.write(String(saved.text[i..<j])) } catch { throw .file(error) }
                i = j
            }
            do throws(FileError) { try writer.commit() } catch { throw .file(error) }
            return .success(saved)
        } catch {
            return .failure(error)
        }
    }

    /// The script runs in a fresh session and that session saves to the same text.
    func verify(_ saved: SavedScript) throws(SaveFailure) {
        let fresh = Session()
        if let d = fresh.run(SourceFile(name: "<saved>", text: saved.text)) {
            throw .notFaithful("the script would not load, so nothing was written:\n" + d.render(color: false))
        }
        if interrupt.isRaised { throw .interrupted }
        let again: String
        do throws(SaveFailure) { again = try fresh.buildScript(interrupt: interrupt).text } catch { throw error }
        guard again != saved.written else { return }
        let a = saved.written.split(separator: "\n", omittingEmptySubsequences: false)
        let b = again.split(separator: "\n", omittingEmptySubsequences: false)
        let k = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        let line = k < a.count ? String(a[k].prefix(200)) : "(end of script)"
        throw .notFaithful("the script would not recreate the session exactly (line \(k + 1): \(line)), so nothing was written")
    }

    /// A script stays below the lexer's token limit with room to spare.
    static let scriptTokenBudget = Lexer.maxTokens - 10_000

    static func tooLong(_ name: String, _ v: Value) -> String {
        let size = v.listCount.map { " of \(Format.number(Double($0))) elements" } ?? ""
        return "# `\(name)` (a \(v.typeName)\(size)) is too long to be written in a script "
            + "(a script holds at most \(Format.number(Double(Lexer.maxTokens))) tokens); recompute it"
    }

    func buildScript(interrupt: InterruptFlag?) throws(SaveFailure) -> SavedScript {
        var writer = SourceWriter(model: model, interrupt: interrupt)
        var head = ["# lease session, written by :save"]
        head.append(contentsOf: fxSources)

        // Bindings, each as a literal or a comment.
        var bindingText: [String: String] = [:]
        var bindingTokens: [String: Int] = [:]
        var omitted: [String] = []
        let bindingNames = globalOrder.filter { name in
            guard name != "_", let v = globals[name] else { return false }
            if case .cluster(let k) = v, model.cluster(named: name) == k { return false }
            if case .contract(let c) = v, model.contract(named: name) == c { return false }
            return true
        }
        for name in bindingNames {
            guard let v = globals[name] else { continue }
            // A list with more elements than a script can hold tokens needs no literal to know it will not fit.
            if case .list(let xs) = v, xs.count * 2 > Self.scriptTokenBudget, SourceWriter.range(xs) == nil {
                bindingText[name] = Self.tooLong(name, v)
                bindingTokens[name] = 0
                omitted.append(name)
                continue
            }
            if let lit = try writer.literal(v) {
                bindingText[name] = "let \(name) = \(lit)"
                bindingTokens[name] = writer.tokens
            } else {
                bindingText[name] = "# `\(name)` (a \(v.typeName)) cannot be written as a literal; recompute it"
                bindingTokens[name] = 0
                omitted.append(name)
            }
            writer.tokens = 0
        }
        // A script holds at most Lexer.maxTokens tokens: the longest bindings
        // that do not fit are left out, with a comment saying so.
        var total = bindingTokens.values.reduce(0, +) + (head.count + model.clusters.count + model.contracts.count) * 64
            + functions.values.reduce(0) { $0 + $1.source.utf8.count } + scenarios.values.reduce(0) { $0 + $1.source.utf8.count }
        if total > Self.scriptTokenBudget {
            for name in bindingNames.sorted(by: { (bindingTokens[$0] ?? 0) > (bindingTokens[$1] ?? 0) }) {
                guard total > Self.scriptTokenBudget, let n = bindingTokens[name], n > 0, let v = globals[name] else { break }
                bindingText[name] = Self.tooLong(name, v)
                omitted.append(name)
                total -= n
            }
        }

        // Functions and scenarios come after the names they read; a scenario
        // comes before a binding, cluster or contract that has the name of
        // one of its parameters (declared the other way round, it is refused).
        let bound = Set(bindingNames)
        let fnNames = Set(functionOrder)
        let modelNames = Set(model.clusters.map(\.name) + model.contracts.map(\.name))
        func references(_ source: String, excluding: Set<String>) -> [String] {
            var lexer = Lexer(file: SourceFile(name: "<source>", text: source))
            guard let tokens = try? lexer.tokenize() else { return [] }
            var seen = Set<String>(), out: [String] = []
            for t in tokens {
                if case .identifier(let n) = t.kind, !excluding.contains(n),
                    bound.contains(n) || fnNames.contains(n) || modelNames.contains(n), seen.insert(n).inserted
                {
                    out.append(n)
                }
            }
            return out
        }
        enum Item: Hashable { case cluster(String), contract(String), binding(String), function(String), scenario(String) }
        var deps: [Item: [Item]] = [:]
        let clusterNames = Set(model.clusters.map(\.name))
        func item(_ n: String) -> Item {
            if fnNames.contains(n) { return .function(n) }
            if bound.contains(n) { return .binding(n) }
            return clusterNames.contains(n) ? .cluster(n) : .contract(n)
        }
        for name in functionOrder {
            guard let f = functions[name] else { continue }
            deps[.function(name)] = references(f.source, excluding: Set(f.params + [name])).map(item)
        }
        var paramOwners: [String: [String]] = [:]
        for name in scenarioOrder {
            guard let s = scenarios[name] else { continue }
            let params = s.fields.map(\.name).filter { $0 != "samples" && $0 != "seed" }
            for p in params where bound.contains(p) || modelNames.contains(p) { paramOwners[p, default: []].append(name) }
            deps[.scenario(name)] = references(s.source, excluding: Set(params + ["samples", "seed", name])).map(item)
        }
        for name in bindingNames { deps[.binding(name)] = (paramOwners[name] ?? []).map { .scenario($0) } }
        for k in model.clusters { deps[.cluster(k.name)] = (paramOwners[k.name] ?? []).map { .scenario($0) } }
        for c in model.contracts {
            deps[.contract(c.name)] = [.cluster(c.cluster.name)] + (paramOwners[c.name] ?? []).map { .scenario($0) }
        }

        var body: [String] = []
        var bodyWritten: [String] = []
        var done = Set<Item>(), visiting = Set<Item>()
        func emit(_ it: Item) {
            if done.contains(it) || visiting.contains(it) { return }
            visiting.insert(it)
            for d in deps[it] ?? [] { emit(d) }
            visiting.remove(it)
            done.insert(it)
            switch it {
            case .cluster(let n):
                if let k = model.cluster(named: n) { body.append(SourceWriter.declaration(k)); bodyWritten.append(body[body.count - 1]) }
            case .contract(let n):
                if let c = model.contract(named: n) { body.append(SourceWriter.declaration(c)); bodyWritten.append(body[body.count - 1]) }
            case .binding(let n):
                guard let t = bindingText[n] else { return }
                body.append(t)
                if !omitted.contains(n) { bodyWritten.append(t) }
            case .function(let n):
                if let f = functions[n] { body.append(f.source); bodyWritten.append(f.source) }
            case .scenario(let n):
                if let s = scenarios[n] { body.append(s.source); bodyWritten.append(s.source) }
            }
        }
        for k in model.clusters { emit(.cluster(k.name)) }
        for c in model.contracts { emit(.contract(c.name)) }
        for n in bindingNames { emit(.binding(n)) }
        for n in functionOrder { emit(.function(n)) }
        for n in scenarioOrder { emit(.scenario(n)) }
        if let interrupt, interrupt.isRaised { throw .interrupted }
        return SavedScript(text: (head + body).joined(separator: "\n") + "\n", omitted: omitted,
                           written: (head + bodyWritten).joined(separator: "\n") + "\n")
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

extension Value {
    /// The number of elements of a list, else nil.
    var listCount: Int? {
        if case .list(let xs) = self { return xs.count }
        return nil
    }
}

/// Values written back as lease source.
struct SourceWriter {
    let model: Model
    let interrupt: InterruptFlag?
    /// Tokens written since this was last reset, about.
    var tokens = 0
    /// Lists this long or longer are written as a range when one gives exactly them.
    static let rangeThreshold = 64

    init(model: Model, interrupt: InterruptFlag? = nil) {
        self.model = model
        self.interrupt = interrupt
    }

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
        if q.unit.isEmpty { return q.value < 0 || q.value.sign == .minus ? "(\(number(q.value)))" : number(q.value) }
        if q.unit.isPercent { return q.value >= 0 ? number(q.value) + "%" : "(" + number(q.value) + "%)" }
        let u = unit(q.unit)
        let body = u.hasPrefix(" / ") ? "\(number(q.value))\(u)" : "\(number(q.value)) \(u)"
        return "(\(body))"
    }

    static func literal(_ v: Value, model: Model) -> String? {
        var w = SourceWriter(model: model)
        return (try? w.literal(v)) ?? nil
    }

    mutating func literal(_ v: Value) throws(SaveFailure) -> String? {
        switch v {
        case .quantity(let q):
            tokens += q.unit.isEmpty ? 1 : 3 + 2 * q.unit.terms.count
            return Self.quantity(q)
        case .date(let d):
            tokens += 1
            return d.description
        case .bool(let b):
            tokens += 1
            return b ? "true" : "false"
        case .string(let s):
            tokens += 1
            return Format.quoted(s)
        case .list(let xs):
            if xs.count >= Self.rangeThreshold, let r = Self.range(xs) {
                tokens += 8
                return r
            }
            var parts: [String] = []
            parts.reserveCapacity(xs.count)
            for (i, x) in xs.enumerated() {
                if i & 0xFFF == 0xFFF, let interrupt, interrupt.isRaised { throw .interrupted }
                guard let l = try literal(x) else { return nil }
                parts.append(l)
            }
            tokens += 2 + xs.count
            return "[" + parts.joined(separator: ", ") + "]"
        case .map(let es):
            if es.isEmpty { return "[:]" }
            var parts: [String] = []
            for (i, e) in es.enumerated() {
                if i & 0xFFF == 0xFFF, let interrupt, interrupt.isRaised { throw .interrupted }
                guard let k = try literal(e.key), let x = try literal(e.value) else { return nil }
                parts.append("\(k): \(x)")
            }
            tokens += 2 + 2 * es.count
            return "[" + parts.joined(separator: ", ") + "]"
        case .record(let r):
            var parts: [String] = []
            for f in r.fields {
                guard let l = try literal(f.value) else { return nil }
                parts.append("\(f.name): \(l)")
            }
            tokens += 2 + 3 * r.fields.count
            return "{" + parts.joined(separator: ", ") + "}"
        case .cluster(let k):
            guard let declared = model.cluster(named: k.name) else { return nil }
            tokens += 40
            if declared == k { return k.name }
            return "\(k.name) with {" + Self.clusterFields(k).joined(separator: ", ") + "}"
        case .contract(let c):
            guard let declared = model.contract(named: c.name) else { return nil }
            tokens += 80
            if declared == c { return c.name }
            guard model.cluster(named: c.cluster.name) == c.cluster else { return nil }
            if let from = c.terms.renewedFrom { return Self.renewed(c, from: from, model: model) }
            if c.terms.termination != nil { return Self.terminated(c, model: model) }
            if c.end.monthIndex >= c.start.monthIndex {
                return "\(c.name) with {" + Self.contractFields(c, model: model).joined(separator: ", ") + "}"
            }
            return Self.terminated(c, model: model)
        case .result, .chart: return nil
        }
    }

    /// A contract that `terminate` ended before its first month cannot be
    /// made with `with` (its end is before its start), so it is written as
    /// the `terminate` call that gives it: a copy billed for its first month
    /// only, with notice given on the day that takes effect on its end.
    static func terminated(_ c: Contract, model: Model) -> String? {
        var base = c
        base.end = c.terms.termination?.originalEnd ?? c.start.monthOnly
        if let t = c.terms.termination {
            base.discounts = t.originalDiscounts
            base.terms.termination = nil
            if base.terms.renewedFrom != nil { return nil }
        }
        var candidates: [CalendarDate] = c.terms.termination.map { [$0.noticeOn] } ?? []
        if c.notice.unit.terms.count == 1, let months = c.notice.unit.terms[0].def.calendarMonths,
            c.notice.value == c.notice.value.rounded(), abs(c.notice.value) < 100_000,
            let d = c.end.adding(months: -Int(c.notice.value) * months)
        {
            candidates.append(d)
        }
        let days = c.notice.baseValue / 86400
        if days.isFinite, abs(days) < 4_000_000, let d = c.end.adding(days: -Int(days.rounded())) { candidates.append(d) }
        for d in candidates where base.terminated(noticeOn: d) == c {
            return "terminate(\(c.name) with {" + contractFields(base, model: model).joined(separator: ", ") + "}, notice_on: \(d))"
        }
        return nil
    }

    /// A renewed contract as the `renew` call that gives it.
    static func renewed(_ c: Contract, from: Int, model: Model) -> String? {
        guard let r = c.terms.renewal, r.months > 0, c.terms.termination == nil else { return nil }
        let times = (c.lastMonth - from + 1) / r.months
        guard times > 0, (c.lastMonth - from + 1) % r.months == 0, let end = CalendarDate.fromMonthIndex(from - 1) else { return nil }
        var base = c
        base.end = end
        base.terms.renewedFrom = nil
        base.terms.renewedRate = nil
        return "renew(\(c.name) with {" + contractFields(base, model: model).joined(separator: ", ") + "}, times: \(times))"
    }

    /// A long list that is a range, written as one, when the range gives
    /// exactly the same values.
    static func range(_ xs: [Value]) -> String? {
        guard xs.count >= 2 else { return nil }
        var text: String?
        switch (xs[0], xs[1], xs[xs.count - 1]) {
        case (.quantity(let a), .quantity(let b), .quantity(let z)):
            guard a.unit == b.unit, a.unit == z.unit, !a.unit.isPercent else { return nil }
            let step = Quantity(b.value - a.value, a.unit)
            guard step.value.isFinite, step.value != 0 else { return nil }
            // Cheap checks first: the length and a middle element must fit.
            let n = ((z.value - a.value) / step.value).rounded()
            guard n.isFinite, n == Double(xs.count - 1) else { return nil }
            guard case .quantity(let mid) = xs[xs.count / 2], mid.unit == a.unit,
                abs(mid.value - (a.value + Double(xs.count / 2) * step.value)) <= abs(step.value) * 1e-6
            else { return nil }
            text = "\(quantity(a)) .. \(quantity(z)) step \(quantity(step))"
        case (.date(let a), .date(let b), .date(let z)):
            guard a.precision == b.precision, a.precision == z.precision else { return nil }
            if a.precision == .month {
                let k = b.monthIndex - a.monthIndex
                guard k > 0, z.monthIndex - a.monthIndex == k * (xs.count - 1) else { return nil }
                text = "\(a) .. \(z)" + (k == 1 ? "" : " step \(k) months")
            } else {
                let k = b.ordinal - a.ordinal
                guard k > 0, z.ordinal - a.ordinal == k * (xs.count - 1) else { return nil }
                text = "\(a) .. \(z) step \(k) \(k == 1 ? "day" : "days")"
            }
        default:
            return nil
        }
        guard let text else { return nil }
        guard case .success(let v) = Session().evaluate(text, name: "<range>"), v == .list(xs) else { return nil }
        return text
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
        if let idx = c.terms.index {
            f.append("escalation: [" + idx.map { "\($0.month): \(number($0.value))" }.joined(separator: ", ") + "]")
        } else {
            f.append("escalation: \(number(c.escalation * 100))%")
        }
        f.append("notice: \(quantity(c.notice))")
        // The deal terms of LANGUAGE.md §11, each read back by the field of the
        // same name; a term the declared contract has and this copy lacks is
        // written as its neutral value, which `with` reads as no term.
        let declared = model.contract(named: c.name)
        let money = Quantity(0, c.currencyUnit)
        for n in ["timing", "termination_fee", "minimum", "usage", "utilization", "renewal"] {
            let inherited = declared.flatMap { ContractFields.value($0, n) }
            var v = ContractFields.value(c, n)
            if n == "timing", c.terms.timing == .advance, declared?.terms.timing != .arrears { v = nil }
            if v == nil, inherited != nil {
                switch n {
                case "termination_fee", "minimum": v = .quantity(money)
                case "usage": v = .quantity(Quantity(0, c.perGPUHourUnit))
                case "utilization": v = ContractFields.percent(1)
                default: break
                }
            }
            guard let v, let text = SourceWriter.literal(v, model: model) else { continue }
            f.append("\(n): \(text)")
        }
        return f
    }

    static func declaration(_ k: Cluster) -> String {
        "cluster \(k.name) {\n" + clusterFields(k).map { "  " + $0 }.joined(separator: "\n") + "\n}"
    }

    static func declaration(_ c: Contract) -> String {
        "contract \(c.name) {\n" + contractFields(c, model: Model()).map { "  " + $0 }.joined(separator: "\n") + "\n}"
    }
}

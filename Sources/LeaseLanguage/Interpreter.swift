import Foundation
import LeaseCore

/// The scalar evaluator: walks checked statements and computes values.
package struct Interpreter {
    package let session: Session
    /// Parameters of the user functions being called, innermost last.
    package var frames: [[String: Value]] = []
    /// Set while a sampled scenario parameter is evaluated: distributions draw from it.
    var draw: DrawContext?
    static let maxCallDepth = 500
    static let maxListLength = 50_000_000

    package init(session: Session) { self.session = session }

    var ops: Operators { Operators(model: session.model, interrupt: session.interrupt) }

    package func fail(_ message: String, _ span: Span?, help: String? = nil) -> Diagnostic {
        Diagnostic(.runtime, message, at: span, help: help)
    }

    // MARK: Statements

    mutating func execute(_ s: Statement) throws(Diagnostic) {
        if session.interrupt.isRaised { throw fail("interrupted", s.span) }
        switch s.kind {
        case .let(let name, _, let e):
            let v = try eval(e)
            session.bind(name, v)
        case .fn(let name, _, let params, let body):
            if session.functions[name] == nil { session.functionOrder.append(name) }
            session.functions[name] = FunctionDecl(
                name: name, params: params.map(\.name), body: body, source: s.span.file.slice(s.span))
        case .cluster(let name, let nameSpan, let fields):
            let k = try buildCluster(name: name, nameSpan: nameSpan, fields: fields, span: s.span)
            do throws(ModelError) {
                try session.model.declare(k)
            } catch {
                throw fail(error.message, nameSpan, help: error.help)
            }
            session.bind(name, .cluster(k))
            refreshContractBindings()
        case .contract(let name, let nameSpan, let fields):
            var values: [String: (Value, Span)] = [:]
            for f in fields { values[f.name] = (try eval(f.value), f.value.span) }
            let c = try buildContract(name: name, values: values, nameSpan: nameSpan)
            do throws(ModelError) {
                try session.model.declare(c)
            } catch {
                let span = error.field.flatMap { f in fields.first { $0.name == f }?.value.span } ?? nameSpan
                throw fail(error.message, span, help: error.help)
            }
            session.bind(name, .contract(c))
        case .scenario(let name, _, let fields):
            if session.scenarios[name] == nil { session.scenarioOrder.append(name) }
            session.scenarios[name] = ScenarioDecl(name: name, fields: fields, source: s.span.file.slice(s.span))
        case .fx(let lhs, let rhs):
            try declareRate(lhs, rhs, s)
        case .use(let path, let span):
            try use(path, span)
        case .expr(let e):
            let v = try eval(e)
            // `print(…)` as a statement has already written its line.
            if case .call(let f, _, _) = e.kind, f == "print" || f == "assert", session.functions[f] == nil { return }
            session.bind("_", v)
            session.output(.value(v))
        }
    }

    /// After a cluster is redeclared, bindings of contracts on it see the new cluster.
    private func refreshContractBindings() {
        for c in session.model.contracts where session.globals[c.name] != nil {
            if case .contract(let old)? = session.globals[c.name], old.name == c.name { session.globals[c.name] = .contract(c) }
        }
    }

    private mutating func declareRate(_ lhs: Expr, _ rhs: Expr, _ s: Statement) throws(Diagnostic) {
        let a = try eval(lhs), b = try eval(rhs)
        guard case .quantity(let qa) = a, let ca = qa.dimension.currency, ca.exponent == 1, qa.dimension.factors.count == 1
        else { throw fail("the left side of `fx` must be an amount of one currency", lhs.span, help: "write `fx 1 USD = 1500 KRW`") }
        guard case .quantity(let qb) = b, let cb = qb.dimension.currency, cb.exponent == 1, qb.dimension.factors.count == 1
        else { throw fail("the right side of `fx` must be an amount of one currency", rhs.span, help: "write `fx 1 USD = 1500 KRW`") }
        guard ca.code != cb.code else { throw fail("an exchange rate needs two different currencies", s.span) }
        let r = qb.baseValue / qa.baseValue
        guard r.isFinite, r > 0 else { throw fail("an exchange rate must be positive", rhs.span) }
        // The rates already declared may fix this one through a chain: it must agree.
        var others = session.model
        others.removeRate(between: ca.code, and: cb.code)
        if let implied = others.rate(from: ca.code, to: cb.code), abs(implied - r) > 1e-9 * max(abs(implied), abs(r)) {
            throw fail("this rate contradicts the rates already declared: through them, 1 \(ca.code) = \(Format.number(implied)) \(cb.code)",
                       s.span, help: "declare `fx 1 \(ca.code) = \(SourceWriter.number(Double(String(format: "%.12g", implied)) ?? implied)) \(cb.code)`, or change the other rates first")
        }
        session.model.declareRate(from: ca.code, to: cb.code, rate: r)
        let text = s.span.file.slice(s.span)
        session.fxSources.removeAll { Interpreter.fxPair($0) == Set([ca.code, cb.code]) }
        session.fxSources.append(text)
    }

    /// The two currencies an `fx` statement's text names, to replace it on redeclaration.
    static func fxPair(_ text: String) -> Set<String> {
        let file = SourceFile(name: "fx", text: text)
        var lexer = Lexer(file: file)
        guard let tokens = try? lexer.tokenize() else { return [] }
        var codes: Set<String> = []
        for t in tokens {
            switch t.kind {
            case .money(_, let c), .currencySign(let c): codes.insert(c)
            case .identifier(let n) where Currency.codes.contains(n): codes.insert(n)
            default: break
            }
        }
        return codes
    }

    /// A `use` path relative to the file that names it.
    static func resolve(_ path: String, from file: SourceFile) -> String {
        let base = file.name.hasPrefix("<") ? FileManager.default.currentDirectoryPath
            : (file.name as NSString).deletingLastPathComponent
        return path.hasPrefix("/") ? path : (base.isEmpty ? path : base + "/" + path)
    }

    /// A path as one name for the same file, however it was reached.
    static func canonical(_ path: String) -> String {
        ((path as NSString).resolvingSymlinksInPath as NSString).standardizingPath
    }

    private mutating func use(_ path: String, _ span: Span) throws(Diagnostic) {
        let full = Self.resolve(path, from: span.file)
        guard !session.useStack.contains(Self.canonical(full)) else {
            throw fail("`use` cycle: \(path) is already being run", span,
                       help: "a file cannot use itself, directly or through the files it uses")
        }
        guard session.useStack.count < 50 else { throw fail("`use` nested too deeply", span) }
        guard let file = try ScriptText.used(full) else {
            throw fail("cannot read \(path)", span, help: "paths in `use` are relative to the script that uses them")
        }
        session.useStack.append(Self.canonical(full))
        defer { session.useStack.removeLast() }
        // A deal sheet declares one object per row, all or nothing (LANGUAGE.md section 13).
        if full.lowercased().hasSuffix(".csv") {
            try CSVDeclarations.declare(file, in: session)
            return
        }
        let statements = try Parser.parse(file)
        var checker = Checker(session: session)
        checker.files = session.useStack
        let checked = try checker.check(statements, file: file)
        var inner = Interpreter(session: session)
        for s in checked { try inner.execute(s) }
    }

    // MARK: Expressions

    package mutating func eval(_ e: Expr) throws(Diagnostic) -> Value {
        switch e.kind {
        case .literal(let v): return v
        case .string(let pieces):
            var s = ""
            for p in pieces {
                switch p {
                case .text(let t): s += t
                case .expr(let x): s += Format.value(try eval(x))
                }
            }
            return .string(s)
        case .name(let n): return try lookup(n, e.span)
        case .unit(let u): return .quantity(Quantity(1, u))
        case .negate(let x):
            return try negate(try eval(x), x.span)
        case .not(let x):
            return try mapBool(try eval(x), x.span) { !$0 }
        case .and(let a, let b):
            let l = try eval(a)
            if case .bool(false) = l { return l }
            let r = try eval(b)
            return try combineBool(l, r, a.span, b.span) { $0 && $1 }
        case .or(let a, let b):
            let l = try eval(a)
            if case .bool(true) = l { return l }
            let r = try eval(b)
            return try combineBool(l, r, a.span, b.span) { $0 || $1 }
        case .binary(let op, let l, let r, let opSpan):
            let a = try eval(l), b = try eval(r)
            return try ops.binary(op, a, b, opSpan: opSpan, lhs: l.span, rhs: r.span)
        case .convert(let x, let unit, let targetSpan):
            return try ops.convert(try eval(x), to: unit, span: x.span, targetSpan: targetSpan)
        case .ifThen(let c, let a, let b):
            let cond = try eval(c)
            switch cond {
            case .bool(let t): return try eval(t ? a : b)
            case .list(let cs):
                let av = try eval(a), bv = try eval(b)
                return try ifList(cs, av, bv, c.span)
            default:
                throw fail("the condition of `if` must be true or false, not a \(cond.typeName)", c.span)
            }
        case .range(let from, let to, let step):
            return try range(from, to, step, e.span)
        case .call(let name, let nameSpan, let args):
            return try call(name, nameSpan, args, e.span)
        case .field(let x, let name, let nameSpan):
            return try field(try eval(x), name, nameSpan, x.span)
        case .index(let x, let i):
            return try index(try eval(x), try eval(i), i.span)
        case .with(let x, let fields):
            return try with(try eval(x), fields, x.span)
        case .list(let items):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for i in items { out.append(try eval(i)) }
            try checkHomogeneous(out, items)
            return .list(out)
        case .map(let pairs):
            var out: [Value.MapEntry] = []
            for p in pairs {
                let k = try eval(p.key)
                let v = try eval(p.value)
                if let i = out.firstIndex(where: { $0.key == k }) {
                    throw fail("the key \(Format.inner(k)) appears twice in the map", p.key.span,
                               help: "it was first given at entry \(i + 1)")
                }
                out.append(Value.MapEntry(key: k, value: v))
            }
            return .map(out)
        case .record(let fields):
            var out: [(name: String, value: Value)] = []
            for f in fields {
                if out.contains(where: { $0.name == f.name }) {
                    throw fail("the field `\(f.name)` is given twice", f.nameSpan)
                }
                out.append((f.name, try eval(f.value)))
            }
            return .record(Record(out))
        case .run(let name, let nameSpan, let body):
            return try runScenario(name, nameSpan, body, e.span)
        case .solve(let v, _, let from, let to, let lhs, let rhs):
            return try solve(v, from, to, lhs, rhs)
        }
    }

    func lookup(_ n: String, _ span: Span) throws(Diagnostic) -> Value {
        if let frame = frames.last, let v = frame[n] { return v }
        if let v = session.globals[n] { return v }
        if session.functions[n] != nil || Builtins.specs[n] != nil {
            throw fail("`\(n)` is a function; call it with arguments: `\(n)(…)`", span)
        }
        throw fail("unknown name `\(n)`", span)
    }

    private func negate(_ v: Value, _ span: Span) throws(Diagnostic) -> Value {
        switch v {
        case .quantity(var q):
            q.value = -q.value
            return .quantity(q)
        case .list(let xs):
            var out: [Value] = []
            for x in xs { out.append(try negate(x, span)) }
            return .list(out)
        default: throw fail("cannot negate a \(v.typeName)", span)
        }
    }

    private func mapBool(_ v: Value, _ span: Span, _ f: (Bool) -> Bool) throws(Diagnostic) -> Value {
        switch v {
        case .bool(let b): return .bool(f(b))
        case .list(let xs):
            var out: [Value] = []
            for x in xs { out.append(try mapBool(x, span, f)) }
            return .list(out)
        default: throw fail("`not` needs true or false, not a \(v.typeName)", span)
        }
    }

    private func combineBool(_ a: Value, _ b: Value, _ sa: Span, _ sb: Span, _ f: @escaping (Bool, Bool) -> Bool) throws(Diagnostic) -> Value {
        try ops.broadcast(a, b, sa.to(sb)) { (x, y) throws(Diagnostic) -> Value in
            guard case .bool(let p) = x else { throw fail("`and`/`or` need true or false, not a \(x.typeName)", sa) }
            guard case .bool(let q) = y else { throw fail("`and`/`or` need true or false, not a \(y.typeName)", sb) }
            return .bool(f(p, q))
        }
    }

    private func ifList(_ cs: [Value], _ a: Value, _ b: Value, _ span: Span) throws(Diagnostic) -> Value {
        var out: [Value] = []
        for (i, c) in cs.enumerated() {
            guard case .bool(let t) = c else { throw fail("the condition of `if` must be true or false, not a \(c.typeName)", span) }
            let pick = t ? a : b
            if case .list(let xs) = pick {
                guard xs.count == cs.count else {
                    throw fail("lists of different lengths: \(cs.count) and \(xs.count)", span)
                }
                out.append(xs[i])
            } else {
                out.append(pick)
            }
        }
        return .list(out)
    }

    private func checkHomogeneous(_ xs: [Value], _ items: [Expr]) throws(Diagnostic) {
        guard let first = xs.first else { return }
        for (i, x) in xs.enumerated().dropFirst() {
            switch (first, x) {
            case (.quantity(let a), .quantity(let b)):
                if a.dimension != b.dimension {
                    throw fail("list elements must have one dimension: \(a.dimension) and \(b.dimension)", items[i].span)
                }
            default:
                if first.typeName != x.typeName && !(isDate(first) && isDate(x)) {
                    throw fail("list elements must have one type: a \(first.typeName) and a \(x.typeName)", items[i].span,
                               help: "use a record `{a: …, b: …}` to group values of different types")
                }
            }
        }
    }

    private func isDate(_ v: Value) -> Bool {
        if case .date = v { return true }
        return false
    }

    // MARK: Ranges

    private mutating func range(_ fromE: Expr, _ toE: Expr, _ stepE: Expr?, _ span: Span) throws(Diagnostic) -> Value {
        let from = try eval(fromE), to = try eval(toE)
        let step = try stepE.map { (s) throws(Diagnostic) -> Value in try eval(s) }
        switch (from, to) {
        case (.date(let a), .date(let b)):
            var stepQ = Quantity(1, UnitExpr(unit: a.precision == .month && b.precision == .month ? Units.month : Units.day))
            if let step {
                guard case .quantity(let q) = step, q.dimension == Dimension(.time), q.value > 0 else {
                    throw fail("the step of a date range must be a positive duration, such as `1 day` or `1 month`",
                               stepE?.span ?? span)
                }
                stepQ = q
            }
            var out: [Value] = []
            var i = 0
            let calendar = stepQ.unit.terms.count == 1 && stepQ.unit.terms[0].def.calendarMonths != nil
            let stepDays = stepQ.baseValue / 86400
            let wholeMonths = calendar && (stepQ.value * Double(stepQ.unit.terms[0].def.calendarMonths ?? 1)).rounded()
                == stepQ.value * Double(stepQ.unit.terms[0].def.calendarMonths ?? 1)
            guard wholeMonths || (!calendar && stepDays == stepDays.rounded() && stepDays >= 1) else {
                throw fail("the step of a date range must be a whole number of days or months, not \(Format.quantity(stepQ))",
                           stepE?.span ?? span, help: "write `step 1 day`, `step 2 days` or `step 1 month`")
            }
            if !calendar, stepDays == stepDays.rounded(), stepDays >= 1, stepDays < 4_000_000 {
                // Whole-day steps: plain ordinal arithmetic.
                let n = (b.ordinal - a.ordinal) / Int(stepDays) + 1
                guard n <= Self.maxListLength else {
                    throw fail("the range has more than \(Self.maxListLength) elements", span, help: "use a larger step")
                }
                if n <= 0 { return .list([]) }
                try checkListMemory(n, span)
                out.reserveCapacity(n)
                for k in 0..<n {
                    if k & 0xFFFF == 0xFFFF, session.interrupt.isRaised { throw fail("interrupted", span) }
                    if let d = CalendarDate.fromOrdinal(a.ordinal + k * Int(stepDays)) { out.append(.date(d)) }
                }
                return .list(out)
            }
            while true {
                let q = Quantity(stepQ.value * Double(i), stepQ.unit)
                // Past the calendar's end there are no more dates to give.
                guard let d = try? ops.shift(a, by: q, negate: false, span: span, qSpan: stepE?.span ?? span) else { break }
                if d > b { break }
                out.append(.date(d))
                i += 1
                if i & 0xFFFF == 0, session.interrupt.isRaised { throw fail("interrupted", span) }
                if out.count > Self.maxListLength {
                    throw fail("the range has more than \(Self.maxListLength) elements", span, help: "use a larger step")
                }
            }
            return .list(out)
        case (.quantity(let a), .quantity(let b)):
            guard a.dimension == b.dimension else { throw ops.mismatch("make a range from", a, b, span) }
            let bv = b.converted(to: a.unit).value
            var sv = 1.0
            if let step {
                guard case .quantity(let s) = step, s.dimension == a.dimension else {
                    throw fail("the step must have the range's dimension (\(a.dimension))", stepE?.span ?? span)
                }
                sv = s.converted(to: a.unit).value
            }
            guard sv > 0, sv.isFinite, a.value.isFinite, bv.isFinite else {
                throw fail("the step of a range must be positive", stepE?.span ?? span)
            }
            let countD = ((bv - a.value) / sv + 1e-9).rounded(.down) + 1
            if countD <= 0 { return .list([]) }
            guard countD <= Double(Self.maxListLength) else {
                throw fail("the range has \(Format.number(countD)) elements, more than \(Format.number(Double(Self.maxListLength)))",
                           span, help: "use a larger step")
            }
            let n = Int(countD)
            try checkListMemory(n, span)
            var out: [Value] = []
            out.reserveCapacity(n)
            for i in 0..<n {
                if i & 0xFFFF == 0xFFFF, session.interrupt.isRaised { throw fail("interrupted", span) }
                out.append(.quantity(Quantity(a.value + Double(i) * sv, a.unit)))
            }
            return .list(out)
        default:
            throw fail("a range runs between two numbers, quantities or dates, not a \(from.typeName) and a \(to.typeName)", span)
        }
    }

    /// A list element costs about 96 bytes while it is built and used (the
    /// value, its share of the list, the numbers an aggregate copies out):
    /// refuse a list that would not fit, saying how long one can be.
    func checkListMemory(_ n: Int, _ span: Span) throws(Diagnostic) {
        let available = Double(ProcessInfo.processInfo.physicalMemory) * 0.6
        let need = Double(n) * 96
        guard need > available else { return }
        throw fail("a list of \(Format.number(Double(n))) elements needs about \(Format.number((need / 1e9 * 10).rounded() / 10)) GB, more than this machine has",
                   span, help: "about \(Format.number((available / 96).rounded(.down))) elements fit; use a larger step, or a scenario run, which holds numbers in columns")
    }

    // MARK: Fields, indices, with

    func field(_ v: Value, _ name: String, _ span: Span, _ baseSpan: Span) throws(Diagnostic) -> Value {
        switch v {
        case .record(let r):
            if let x = r[name] { return x }
            throw fail("the record has no field `\(name)`", span, help: Suggest.didYouMean(name, r.fields.map(\.name)))
        case .cluster(let k):
            if let x = k.field(name) { return x }
            throw fail("a cluster has no field `\(name)`", span,
                       help: Suggest.didYouMean(name, Cluster.readableFields) ?? "fields: " + Cluster.readableFields.joined(separator: ", "))
        case .contract(let c):
            if let x = ContractFields.read(c, name) { return x }
            if name == "renewal" {
                throw fail("`\(c.name)` has no renewal option", span, help: "give it one: `\(c.name) with {renewal: {months: 12}}`")
            }
            throw fail("a contract has no field `\(name)`", span,
                       help: Suggest.didYouMean(name, Contract.readableFields) ?? "fields: " + Contract.readableFields.joined(separator: ", "))
        case .list(let xs):
            var out: [Value] = []
            for x in xs { out.append(try field(x, name, span, baseSpan)) }
            return .list(out)
        case .result(let r):
            // A summary field wins over an output of the same name (the checker warns).
            if !Checker.resultStats.contains(name) {
                guard let c = r.outputs.first(where: { $0.name == name }) else {
                    throw fail("a run result has no field `\(name)`", span,
                               help: Checker.resultFieldHelp(name, outputs: r.outputs.map(\.name)))
                }
                return .result(RunResult(scenario: r.scenario, parameters: r.parameters, outputs: [c]))
            }
            return try resultField(r, name, span)
        default:
            throw fail("a \(v.typeName) has no fields", span)
        }
    }

    static func contractField(_ c: Contract, _ name: String) -> Value? { ContractFields.value(c, name) }

    private func index(_ v: Value, _ i: Value, _ span: Span) throws(Diagnostic) -> Value {
        switch (v, i) {
        case (.list(let xs), .quantity(let q)) where q.dimension.isNone:
            let x = q.baseValue
            guard x == x.rounded(), x.isFinite else { throw fail("a list index must be a whole number", span) }
            let n = x < 0 ? Double(xs.count) + x : x
            guard n >= 0, n < Double(xs.count) else {
                throw fail("index \(Format.number(x)) is out of range for a list of \(xs.count)", span,
                           help: xs.isEmpty ? nil : "indices run from 0 to \(xs.count - 1) (or -1 for the last)")
            }
            return xs[Int(n)]
        case (.list(let xs), .list(let idx)):
            var out: [Value] = []
            for j in idx { out.append(try index(.list(xs), j, span)) }
            return .list(out)
        case (.map(let es), _):
            if let e = es.first(where: { $0.key == i }) { return e.value }
            if case .date(let d) = i, let e = es.first(where: {
                if case .date(let k) = $0.key { return k.monthIndex == d.monthIndex && k.precision == .month }
                return false
            }) {
                return e.value
            }
            throw fail("the map has no key \(Format.inner(i))", span)
        case (.record(let r), .string(let s)):
            if let x = r[s] { return x }
            throw fail("the record has no field `\(s)`", span)
        default:
            throw fail("cannot index a \(v.typeName) with a \(i.typeName)", span)
        }
    }

    private mutating func with(_ v: Value, _ fields: [FieldInit], _ span: Span) throws(Diagnostic) -> Value {
        switch v {
        case .record(var r):
            for f in fields {
                let x = try eval(f.value)
                if let i = r.fields.firstIndex(where: { $0.name == f.name }) { r.fields[i].value = x } else { r.fields.append((f.name, x)) }
            }
            return .record(r)
        case .contract(let c):
            var values = Self.contractValues(c)
            for f in fields {
                guard Contract.fieldNames.contains(f.name) else {
                    throw fail("a contract has no field `\(f.name)`", f.nameSpan,
                               help: Suggest.didYouMean(f.name, Contract.fieldNames) ?? "fields: " + Contract.fieldNames.joined(separator: ", "))
                }
                values[f.name] = (try eval(f.value), f.value.span)
            }
            return .contract(try buildContract(name: c.name, values: values, nameSpan: span))
        case .cluster(let k):
            var values: [String: (Value, Span)] = [:]
            for n in Cluster.fieldNames { if let x = k.field(n) { values[n] = (x, span) } }
            for f in fields {
                guard Cluster.fieldNames.contains(f.name) else {
                    throw fail("a cluster has no field `\(f.name)`", f.nameSpan, help: Suggest.didYouMean(f.name, Cluster.fieldNames))
                }
                values[f.name] = (try eval(f.value), f.value.span)
            }
            return .cluster(try clusterFrom(name: k.name, values: values, span: span))
        case .list(let xs):
            var out: [Value] = []
            for x in xs { out.append(try with(x, fields, span)) }
            return .list(out)
        default:
            throw fail("`with` changes records, contracts and clusters, not a \(v.typeName)", span)
        }
    }

    // MARK: solve

    /// `solve x in a .. b: lhs == rhs`: x is bound in a frame that keeps the
    /// enclosing parameters, lhs − rhs is taken in base units, and the root
    /// comes back in a's unit (Brent's method), or as a day or a month
    /// (bisection) when the ends are dates: months when both are months.
    private mutating func solve(_ v: String, _ fromE: Expr, _ toE: Expr, _ lhs: Expr, _ rhs: Expr) throws(Diagnostic) -> Value {
        let a = try eval(fromE), b = try eval(toE)
        let bracket = fromE.span.to(toE.span)
        let sides = lhs.span.to(rhs.span)
        var frame = frames.last ?? [:]
        // The unit lhs − rhs is shown in, from the last evaluation.
        var shown: UnitExpr = .none
        var dates = false
        func gap(_ p: Value, _ q: Value) throws(Diagnostic) -> Double {
            switch (p, q) {
            case (.quantity(let p), .quantity(let q)):
                guard p.dimension == q.dimension else { throw ops.mismatch("equate", p, q, sides) }
                shown = p.unit
                dates = false
                return p.baseValue - q.baseValue
            case (.date(let p), .date(let q)):
                dates = true
                return Double(p.ordinal - q.ordinal)
            default:
                throw fail("the sides of `solve` must be numbers, quantities or dates, so that lhs − rhs exists, not a \(p.typeName) and a \(q.typeName)",
                           sides)
            }
        }
        /// lhs − rhs at x: one number, or one per element when a side is a list.
        func difference(_ x: Value) throws(Diagnostic) -> (values: [Double], list: Bool) {
            if session.interrupt.isRaised { throw fail("interrupted", bracket) }
            guard frames.count < Self.maxCallDepth else {
                throw fail("too many nested calls (more than \(Self.maxCallDepth)) inside `solve`", bracket)
            }
            frame[v] = x
            frames.append(frame)
            defer { frames.removeLast() }
            let l: Value, r: Value
            do throws(Diagnostic) {
                l = try eval(lhs)
                r = try eval(rhs)
            } catch {
                var d = error
                if d.message != "interrupted" { d.notes.append("while `solve` tried \(v) = \(Format.value(x))") }
                throw d
            }
            var out: [Double] = []
            switch (l, r) {
            case (.list(let ls), .list(let rs)):
                guard ls.count == rs.count else { throw fail("lists of different lengths: \(ls.count) and \(rs.count)", sides) }
                for (p, q) in zip(ls, rs) { out.append(try gap(p, q)) }
            case (.list(let ls), _): for p in ls { out.append(try gap(p, r)) }
            case (_, .list(let rs)): for q in rs { out.append(try gap(l, q)) }
            default: return ([try gap(l, r)], false)
            }
            return (out, true)
        }
        func show(_ d: Double) -> String {
            dates ? Format.number(d) + (abs(d) == 1 ? " day" : " days") : Format.quantity(Quantity(shown.fromBase(d), shown))
        }
        func noSignChange(_ fa: Double, _ fb: Double, _ at: (Value, Value), element: Int?) -> Diagnostic {
            var gap = "\(Self.brief(lhs)) − \(Self.brief(rhs))"
            if case .literal(.quantity(let q)) = rhs.kind, q.value == 0 { gap = Self.brief(lhs) }
            let which = element.map { " (element \($0 + 1))" } ?? ""
            let help = fa.isNaN || fb.isNaN
                ? "`\(gap)` must be a number at both ends: choose ends where both sides are defined"
                : "try a wider bracket: `\(gap)` must be below 0 at one end and above 0 at the other"
            return fail("no sign change in the bracket of `solve`: `\(gap)`\(which) is \(show(fa)) at \(Format.value(at.0)) and \(show(fb)) at \(Format.value(at.1))",
                        bracket, help: help)
        }
        /// The roots, one per element of lhs − rhs (one for scalars), by `find`
        /// given the element's function; the ends as values, for messages.
        func roots<T>(at x0: Value, ends: (Value, Value), _ find: ((Value) throws(Diagnostic) -> Double) throws -> T) throws(Diagnostic) -> (xs: [T], list: Bool) {
            let (first, list) = try difference(x0)
            var out: [T] = []
            for i in first.indices {
                do {
                    out.append(try find { (x: Value) throws(Diagnostic) -> Double in
                        let d = try difference(x).values
                        guard d.count == first.count else {
                            throw fail("lists of different lengths: \(first.count) and \(d.count) as `\(v)` changes", sides)
                        }
                        return d[i]
                    })
                } catch let d as Diagnostic {
                    throw d
                } catch FinanceError.noSignChangeInBracket(_, _, let fa, let fb) {
                    throw noSignChange(fa, fb, ends, element: list ? i : nil)
                } catch {
                    throw fail("\(error)", bracket)
                }
            }
            if !list && out.count != 1 { throw fail("internal: `solve` found \(out.count) roots", bracket) }
            return (out, list)
        }
        func result<T>(_ r: (xs: [T], list: Bool), _ f: (T) -> Value) -> Value {
            r.list || r.xs.count != 1 ? .list(r.xs.map(f)) : f(r.xs[0])
        }
        switch (a, b) {
        case (.quantity(let qa), .quantity(var qb)):
            guard qa.dimension == qb.dimension else { throw ops.mismatch("make a bracket from", qa, qb, bracket) }
            qb = qb.converted(to: qa.unit)
            guard qa.value.isFinite, qb.value.isFinite else {
                throw fail("the ends of the bracket of `solve` must be finite numbers", bracket)
            }
            let lo = min(qa.value, qb.value), hi = max(qa.value, qb.value)
            let unit = qa.unit
            let ends = (Value.quantity(Quantity(lo, unit)), Value.quantity(Quantity(hi, unit)))
            let xs = try roots(at: ends.0, ends: ends) { f in
                try LeaseCore.solve(in: lo, hi) { t in try f(.quantity(Quantity(t, unit))) }
            }
            return result(xs) { .quantity(Quantity($0, unit)) }
        case (.date(let da), .date(let db)):
            let months = da.precision == .month && db.precision == .month
            func date(_ i: Int) -> CalendarDate? { months ? CalendarDate.fromMonthIndex(i) : CalendarDate.fromOrdinal(i) }
            let ia = months ? da.monthIndex : da.ordinal, ib = months ? db.monthIndex : db.ordinal
            let lo = min(ia, ib), hi = max(ia, ib)
            guard let dlo = date(lo), let dhi = date(hi) else { throw fail("the bracket of `solve` runs outside the calendar", bracket) }
            let xs = try roots(at: .date(dlo), ends: (.date(dlo), .date(dhi))) { f in
                try solveDays(from: lo, to: hi) { (i: Int) throws(Diagnostic) -> Double in
                    guard let d = date(i) else { throw fail("`solve` reached a date outside the calendar", bracket) }
                    return try f(.date(d))
                }
            }
            return result(xs) { date($0).map(Value.date) ?? .date(dlo) }
        default:
            throw fail("the bracket of `solve` must be two numbers, quantities or dates, not a \(a.typeName) and a \(b.typeName)", bracket)
        }
    }

    /// An expression as a message names it: its text when short, else `f(…)` for a call.
    static func brief(_ e: Expr) -> String {
        let text = e.span.file.slice(e.span)
        if text.count <= 32, !text.contains("\n") { return text }
        if case .call(let n, _, _) = e.kind { return "\(n)(…)" }
        return text.count <= 40 && !text.contains("\n") ? text : "…"
    }

    // MARK: Calls

    mutating func call(_ name: String, _ nameSpan: Span, _ args: [Argument], _ span: Span) throws(Diagnostic) -> Value {
        if session.interrupt.isRaised { throw fail("interrupted", span) }
        if let f = session.functions[name] {
            guard frames.count < Self.maxCallDepth else {
                throw fail("too many nested calls (more than \(Self.maxCallDepth)): is `\(name)` recursive without end?", span)
            }
            var frame: [String: Value] = [:]
            let bound = try bindArguments(args, params: f.params, required: f.params.count, name: name, span: span)
            for (i, p) in f.params.enumerated() {
                guard let a = bound[i] else { throw fail("missing argument `\(p)` in the call to `\(name)`", span) }
                frame[p] = try eval(a)
            }
            frames.append(frame)
            defer { frames.removeLast() }
            return try eval(f.body)
        }
        guard let spec = Builtins.specs[name] else {
            throw fail("unknown function `\(name)`", nameSpan, help: Suggest.didYouMean(name, Builtins.names + session.functionOrder))
        }
        if spec.variadic {
            var values: [Value] = []
            for a in args { values.append(try eval(a.value)) }
            return try Builtins.callVariadic(name, values, args.map(\.value.span), span, self)
        }
        let bound = try bindArguments(args, params: spec.params, required: spec.required, name: name, span: span)
        var values: [Value?] = []
        var spans: [Span] = []
        for b in bound {
            values.append(try b.map { (x) throws(Diagnostic) -> Value in try eval(x) })
            spans.append(b?.span ?? span)
        }
        return try Builtins.call(name, values, spans, span, &self)
    }

    /// Matches positional and named arguments to parameters, as the checker did.
    func bindArguments(_ args: [Argument], params: [String], required: Int, name: String, span: Span) throws(Diagnostic) -> [Expr?] {
        try Argument.bind(args, params: params, required: required, name: name, span: span, phase: .runtime)
    }
}

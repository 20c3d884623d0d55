import Foundation
import LeaseCore

/// The static checker (LANGUAGE.md section 9): before anything runs, it
/// resolves every name and infers the type and dimension of every
/// expression, and returns the checked tree both evaluators read.
///
/// A script with a check error does not start. In `collectAll` mode (for
/// `lease check`) the checker recovers at statement boundaries and reports
/// every error; a statement that fails binds its names as `any`, so one
/// mistake is not reported again at each use.
struct Checker {
    let session: Session
    var collectAll = false
    var errors: [Diagnostic] = []
    var warnings: [Diagnostic] = []

    /// Types of the bindings so far: the session's, then this script's.
    var globals: [String: LType]
    var functions: [String: FunctionDecl]
    var scenarios: [String: ScenarioDecl]
    /// Parameter types of scenarios declared in the statements being checked.
    var scenarioTypes: [String: [LType.Field]] = [:]
    /// Currency pairs with a declared rate, in program order.
    var rates: [(String, String)]
    /// Lessor and lessee names with the currencies of their contracts.
    var parties: [String: Set<String>] = [:]
    /// The parameters in scope: a function's, or a run's; innermost only.
    var locals: [String: LType]? = nil
    /// Inside a sampled scenario parameter, where distributions draw.
    var drawing = false
    /// Instances of user functions by argument types, and those being checked.
    var instances: [String: [[LType]: FunctionInstance]] = [:]
    var checking: [FunctionInstance] = []
    /// Instances whose recursive calls were typed from another branch, and
    /// the one a pending-recursion signal was last raised for.
    var pendingSeen: Set<ObjectIdentifier> = []
    var lastPending: FunctionInstance?
    /// Files being checked, outermost first, against `use` cycles.
    var files: [String] = []

    static let maxInstances = 64
    static let maxRecursionSignatures = 12

    init(session: Session) {
        self.session = session
        globals = session.globals.mapValues { LType.of($0) }
        functions = session.functions
        scenarios = session.scenarios
        rates = session.model.rates.map { ($0.from, $0.to) }
        for c in session.model.contracts {
            parties[c.lessor, default: []].insert(c.currency)
            parties[c.lessee, default: []].insert(c.currency)
        }
    }

    // MARK: Reporting

    func fail(_ m: String, _ s: Span?, help: String? = nil) -> Diagnostic { Diagnostic(.check, m, at: s, help: help) }

    mutating func report(_ d: Diagnostic) throws(Diagnostic) {
        if !collectAll { throw d }
        errors.append(d)
    }

    mutating func warn(_ m: String, _ s: Span, help: String? = nil) {
        warnings.append(Diagnostic(.check, m, at: s, help: help, severity: .warning))
    }

    // MARK: Statements

    /// Checks statements in order; returns them with every expression typed.
    mutating func check(_ statements: [Statement], file: SourceFile) throws(Diagnostic) -> [Statement] {
        let pushed = !files.contains(file.name)
        if pushed { files.append(file.name) }
        defer { if pushed { files.removeLast() } }
        var out: [Statement] = []
        out.reserveCapacity(statements.count)
        for s in statements {
            do throws(Diagnostic) {
                out.append(try statement(s))
            } catch {
                if !collectAll || error.isPendingRecursion { throw error }
                errors.append(error)
                poison(s)
                out.append(s)
            }
        }
        return out
    }

    /// After a failed statement, its names are bound as `any`.
    private mutating func poison(_ s: Statement) {
        switch s.kind {
        case .let(let name, _, _), .cluster(let name, _, _): globals[name] = .any
        case .contract(let name, _, _): globals[name] = .contract(currency: nil)
        case .scenario(let name, _, let fields):
            scenarioTypes[name] = fields.filter { !Self.scenarioSettings.contains($0.name) }.map { LType.Field($0.name, .any) }
            if scenarios[name] == nil { scenarios[name] = ScenarioDecl(name: name, fields: fields, source: "") }
        default: break
        }
    }

    static let scenarioSettings: Set<String> = ["samples", "seed"]

    /// Refuses a user name that is a unit.
    private mutating func checkNewName(_ name: String, _ span: Span, what: String) throws(Diagnostic) {
        if Units.isUnitName(name) {
            throw fail("`\(name)` is a unit and cannot be used as \(what)", span,
                       help: "choose another name, such as `\(name)_` or `my_\(name)`")
        }
    }

    private mutating func statement(_ s: Statement) throws(Diagnostic) -> Statement {
        var s = s
        switch s.kind {
        case .let(let name, let span, let value):
            try checkNewName(name, span, what: "a name")
            if functions[name] != nil {
                throw fail("`\(name)` is a function", span, help: "choose another name for the value")
            }
            let v = try expr(value)
            globals[name] = v.type ?? .any
            s.kind = .let(name: name, nameSpan: span, value: v)
        case .fn(let name, let span, let params, let body):
            try checkNewName(name, span, what: "a function name")
            if Builtins.specs[name] != nil {
                throw fail("`\(name)` is a built-in function and cannot be redefined", span,
                           help: "choose another name, such as `my_\(name)`")
            }
            var seen = Set<String>()
            for p in params {
                try checkNewName(p.name, p.span, what: "a parameter")
                if !seen.insert(p.name).inserted { throw fail("the parameter `\(p.name)` appears twice", p.span) }
            }
            let decl = FunctionDecl(name: name, params: params.map(\.name), body: body, source: s.span.file.slice(s.span))
            functions[name] = decl
            instances[name] = nil
            // Names are resolved now; types at each call, with its arguments.
            try resolveNames(body, params: seen, function: name)
        case .cluster(let name, let span, let fields):
            try checkNewName(name, span, what: "a cluster name")
            let typed = try declarationFields(fields, kind: .cluster, name: name, nameSpan: span)
            globals[name] = .cluster
            s.kind = .cluster(name: name, nameSpan: span, fields: typed)
        case .contract(let name, let span, let fields):
            try checkNewName(name, span, what: "a contract name")
            let typed = try declarationFields(fields, kind: .contract, name: name, nameSpan: span)
            let currency = typed.first { $0.name == "rate" }?.value.type?.dimension?.currency?.code
            globals[name] = .contract(currency: currency)
            for f in typed where f.name == "lessor" || f.name == "lessee" {
                if let p = Self.literalString(f.value), let currency { parties[p, default: []].insert(currency) }
            }
            s.kind = .contract(name: name, nameSpan: span, fields: typed)
        case .scenario(let name, let span, let fields):
            try checkNewName(name, span, what: "a scenario name")
            let (typed, params) = try scenarioFields(name, fields, span)
            scenarios[name] = ScenarioDecl(name: name, fields: typed, source: s.span.file.slice(s.span))
            scenarioTypes[name] = params
            s.kind = .scenario(name: name, nameSpan: span, fields: typed)
        case .fx(let l, let r):
            let tl = try expr(l), tr = try expr(r)
            func currency(_ e: Expr, _ side: String) throws(Diagnostic) -> String? {
                guard let t = e.type else { return nil }
                if t.isAny { return nil }
                guard let d = t.dimension, let c = d.currency, c.exponent == 1, d.factors.count == 1 else {
                    throw fail("the \(side) side of `fx` must be an amount of one currency, not \(Self.describe(t))", e.span,
                               help: "write `fx 1 USD = 1500 KRW`")
                }
                return c.code
            }
            let a = try currency(tl, "left"), b = try currency(tr, "right")
            if let a, let b {
                guard a != b else { throw fail("an exchange rate needs two different currencies", s.span) }
                rates.append((a, b))
            }
            s.kind = .fx(lhs: tl, rhs: tr)
        case .use(let path, let span):
            try use(path, span)
        case .expr(let e):
            let t = try expr(e)
            // `_` is the last value an expression statement printed.
            if case .call(let f, _, _) = t.kind, f == "print" || f == "assert", functions[f] == nil {} else {
                globals["_"] = t.type ?? .any
            }
            s.kind = .expr(t)
        }
        return s
    }

    // MARK: use

    /// Checks a `use`d file in place: its bindings are this script's. A file
    /// that cannot be read is left to the run, which says so where it is used.
    private mutating func use(_ path: String, _ span: Span) throws(Diagnostic) {
        let full = Interpreter.resolve(path, from: span.file)
        if files.contains(full) || files.contains(where: { Self.sameFile($0, full) }) {
            let clean = (full as NSString).standardizingPath
            throw fail("`use` cycle: \(path) uses itself", span,
                       help: "\(clean) is reached again through " + (files + [full]).map { ($0 as NSString).lastPathComponent }.joined(separator: " → "))
        }
        guard files.count < 50 else { throw fail("`use` nested too deeply", span) }
        guard let file = try ScriptText.used(full) else { return }
        files.append(full)
        defer { files.removeLast() }
        let statements = full.lowercased().hasSuffix(".csv") ? try CSVDeclarations.statements(for: file) : try Parser.parse(file)
        _ = try check(statements, file: file)
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        let ra = (a as NSString).resolvingSymlinksInPath, rb = (b as NSString).resolvingSymlinksInPath
        return ra == rb || (ra as NSString).standardizingPath == (rb as NSString).standardizingPath
    }

    // MARK: Names in a function body

    /// A function's body is typed at each call; at its declaration every name
    /// it mentions must already mean something.
    private mutating func resolveNames(_ e: Expr, params: Set<String>, function: String) throws(Diagnostic) {
        var problems: [Diagnostic] = []
        // The unknown of a `solve` is bound in its equation (checked exactly at each call).
        var bound = params
        walk(e) { x in if case .solve(let v, _, _, _, _, _) = x.kind { bound.insert(v) } }
        walk(e) { x in
            switch x.kind {
            case .name(let n):
                if n == "_" || bound.contains(n) || globals[n] != nil { return }
                if n == function || functions[n] != nil || Builtins.specs[n] != nil {
                    problems.append(fail("`\(n)` is a function; call it with arguments: `\(n)(…)`", x.span))
                } else {
                    problems.append(unknownName(n, x.span, extra: Array(params)))
                }
            case .call(let n, let span, _):
                if functions[n] == nil && Builtins.specs[n] == nil && n != function {
                    problems.append(unknownFunction(n, span))
                }
            case .run(let n, let span, _):
                if scenarios[n] == nil { problems.append(unknownScenario(n, span)) }
            default: break
            }
        }
        if let first = problems.first { throw first }
    }

    /// Calls `f` on `e` and every expression inside it (not inside runs' bodies' parameters).
    func walk(_ e: Expr, _ f: (Expr) -> Void) {
        f(e)
        switch e.kind {
        case .literal, .unit, .name: break
        case .string(let ps): for p in ps { if case .expr(let x) = p { walk(x, f) } }
        case .negate(let x), .not(let x), .convert(let x, _, _), .field(let x, _, _): walk(x, f)
        case .binary(_, let l, let r, _), .and(let l, let r), .or(let l, let r), .index(let l, let r):
            walk(l, f)
            walk(r, f)
        case .ifThen(let c, let a, let b):
            walk(c, f)
            walk(a, f)
            walk(b, f)
        case .range(let a, let b, let s):
            walk(a, f)
            walk(b, f)
            if let s { walk(s, f) }
        case .call(_, _, let args): for a in args { walk(a.value, f) }
        case .with(let x, let fs):
            walk(x, f)
            for fi in fs { walk(fi.value, f) }
        case .list(let xs): for x in xs { walk(x, f) }
        case .map(let ps):
            for p in ps {
                walk(p.key, f)
                walk(p.value, f)
            }
        case .record(let fs): for fi in fs { walk(fi.value, f) }
        case .run(_, _, let body):
            // A run's body sees its scenario's parameters; it is checked when it runs.
            _ = body
        case .solve(_, _, let a, let b, let l, let r):
            walk(a, f)
            walk(b, f)
            walk(l, f)
            walk(r, f)
        }
    }

    // MARK: Suggestions

    /// "Did you mean" among names of the same kind first: values, then
    /// functions, then units; never an ISO code for a lower-case typo, and a
    /// party's name as the string it should be.
    func unknownName(_ n: String, _ span: Span, extra: [String] = []) -> Diagnostic {
        if parties[n] != nil {
            return fail("unknown name `\(n)`", span, help: "a party is named by a string: write \"\(n)\"")
        }
        let values = Array(globals.keys) + (locals.map { Array($0.keys) } ?? []) + extra
        if let hint = Suggest.didYouMean(n, values) ?? Suggest.prefix(n, values)
            ?? Suggest.didYouMean(n, Array(functions.keys) + Builtins.names)
        {
            return fail("unknown name `\(n)`", span, help: hint)
        }
        if Currency.codes.contains(n.uppercased()), n != n.uppercased() {
            return fail("unknown name `\(n)`", span, help: "did you mean `\(n.uppercased())`?")
        }
        let lower = n.first?.isLowercase == true
        let units = Units.byName.keys.filter { !(lower && Currency.codes.contains($0)) }
        if let hint = Suggest.didYouMean(n, Array(units)) { return fail("unknown name `\(n)`", span, help: hint) }
        if let p = Suggest.closest(to: n, in: Array(parties.keys)) {
            return fail("unknown name `\(n)`", span, help: "a party is named by a string: did you mean \"\(p)\"?")
        }
        return fail("unknown name `\(n)`", span, help: "bind it first with `let \(n) = …`")
    }

    func unknownFunction(_ n: String, _ span: Span) -> Diagnostic {
        var help = Suggest.didYouMean(n, Array(functions.keys) + Builtins.names)
        if globals[n] != nil || locals?[n] != nil { help = "`\(n)` is a value, not a function; to multiply, write `\(n) * (…)`" }
        return fail("unknown function `\(n)`", span, help: help ?? "see `:help` for the built-in functions")
    }

    func unknownScenario(_ n: String, _ span: Span) -> Diagnostic {
        fail("unknown scenario `\(n)`", span,
             help: Suggest.didYouMean(n, Array(scenarios.keys)) ?? "declare it with `scenario \(n) { … }`")
    }

    /// The text of a string literal without interpolation.
    static func literalString(_ e: Expr) -> String? {
        switch e.kind {
        case .literal(.string(let s)): return s
        case .string(let ps):
            var out = ""
            for p in ps {
                guard case .text(let t) = p else { return nil }
                out += t
            }
            return out
        default: return nil
        }
    }

    /// A type for messages: dimensions name themselves, others their kind.
    static func describe(_ t: LType) -> String {
        if case .quantity(let d, _) = t { return d.description }
        return t.name
    }
}

import LeaseCore

/// Resolves names before anything runs: unknown names (with a did-you-mean),
/// names that would shadow a unit or a built-in, calls with the wrong
/// arguments, and unknown declaration fields. A script with such an error
/// does not start.
struct Checker {
    let session: Session
    /// Names bound so far: the session's and those this script binds.
    private var globals: Set<String>
    private var functions: [String: [String]]
    private var scenarios: Set<String>
    private var locals: [Set<String>] = []
    var collectAll = false
    private(set) var errors: [Diagnostic] = []

    init(session: Session) {
        self.session = session
        globals = Set(session.globals.keys)
        functions = session.functions.mapValues(\.params)
        scenarios = Set(session.scenarios.keys)
    }

    private mutating func report(_ d: Diagnostic) throws(Diagnostic) {
        if !collectAll { throw d }
        errors.append(d)
    }

    mutating func check(_ statements: [Statement], file: SourceFile) throws(Diagnostic) {
        for s in statements { try statement(s) }
    }

    private func fail(_ m: String, _ s: Span, help: String? = nil) -> Diagnostic { Diagnostic(.check, m, at: s, help: help) }

    /// Refuses a user name that is a unit, a keyword-like built-in, or reserved.
    private mutating func checkNewName(_ name: String, _ span: Span, what: String) throws(Diagnostic) {
        if Units.isUnitName(name) {
            try report(fail("`\(name)` is a unit and cannot be used as \(what)", span,
                            help: "choose another name, such as `\(name)_` or `my_\(name)`"))
        }
    }

    private mutating func statement(_ s: Statement) throws(Diagnostic) {
        switch s.kind {
        case .let(let name, let span, let value):
            try expr(value)
            try checkNewName(name, span, what: "a name")
            if functions[name] != nil {
                try report(fail("`\(name)` is a function", span, help: "choose another name for the value"))
            }
            globals.insert(name)
        case .fn(let name, let span, let params, let body):
            try checkNewName(name, span, what: "a function name")
            if Builtins.specs[name] != nil {
                try report(fail("`\(name)` is a built-in function and cannot be redefined", span,
                                help: "choose another name, such as `my_\(name)`"))
            }
            var seen = Set<String>()
            for p in params {
                try checkNewName(p.name, p.span, what: "a parameter")
                if !seen.insert(p.name).inserted { try report(fail("the parameter `\(p.name)` appears twice", p.span)) }
            }
            functions[name] = params.map(\.name)
            locals.append(seen)
            try expr(body)
            locals.removeLast()
        case .cluster(let name, let span, let fields):
            try checkNewName(name, span, what: "a cluster name")
            try declaration(fields, allowed: Cluster.fieldNames, kind: "cluster")
            globals.insert(name)
        case .contract(let name, let span, let fields):
            try checkNewName(name, span, what: "a contract name")
            try declaration(fields, allowed: Contract.fieldNames, kind: "contract")
            globals.insert(name)
        case .scenario(let name, let span, let fields):
            try checkNewName(name, span, what: "a scenario name")
            var seen = Set<String>()
            var params = Set<String>()
            for f in fields {
                if !seen.insert(f.name).inserted { try report(fail("the field `\(f.name)` is given twice", f.nameSpan)) }
                try expr(f.value)
                if f.name != "samples" && f.name != "seed" {
                    try checkNewName(f.name, f.nameSpan, what: "a scenario parameter")
                    if globals.contains(f.name) {
                        try report(fail("the parameter `\(f.name)` would hide the binding `\(f.name)` inside runs", f.nameSpan,
                                        help: "rename the parameter, such as `\(f.name)_s`"))
                    }
                    params.insert(f.name)
                }
            }
            scenarios.insert(name)
            pendingScenarioParams[name] = params
        case .fx(let l, let r):
            try expr(l)
            try expr(r)
        case .use(let path, _):
            try use(path, s.span.file)
        case .expr(let e):
            try expr(e)
        }
    }

    private mutating func declaration(_ fields: [FieldInit], allowed: [String], kind: String) throws(Diagnostic) {
        var seen = Set<String>()
        for f in fields {
            if !allowed.contains(f.name) {
                try report(fail("a \(kind) has no field `\(f.name)`", f.nameSpan,
                                help: Suggest.didYouMean(f.name, allowed) ?? "fields: " + allowed.joined(separator: ", ")))
            }
            if !seen.insert(f.name).inserted { try report(fail("the field `\(f.name)` is given twice", f.nameSpan)) }
            try expr(f.value)
        }
    }

    private func known(_ name: String) -> Bool {
        if name == "_" { return true }
        if locals.contains(where: { $0.contains(name) }) { return true }
        return globals.contains(name)
    }

    private var candidates: [String] {
        Array(globals) + locals.flatMap { $0 } + Array(functions.keys) + Builtins.names
    }

    private mutating func expr(_ e: Expr) throws(Diagnostic) {
        switch e.kind {
        case .literal, .unit: break
        case .string(let pieces):
            for p in pieces { if case .expr(let x) = p { try expr(x) } }
        case .name(let n):
            if !known(n) {
                if functions[n] != nil || Builtins.specs[n] != nil {
                    try report(fail("`\(n)` is a function; call it with arguments: `\(n)(…)`", e.span))
                } else {
                    let hint = Suggest.didYouMean(n, candidates + Array(Units.byName.keys))
                    try report(fail("unknown name `\(n)`", e.span,
                                    help: hint ?? "bind it first with `let \(n) = …`"))
                }
            }
        case .negate(let x), .not(let x): try expr(x)
        case .binary(_, let l, let r, _), .and(let l, let r), .or(let l, let r):
            try expr(l)
            try expr(r)
        case .convert(let x, _, _): try expr(x)
        case .ifThen(let c, let a, let b):
            try expr(c)
            try expr(a)
            try expr(b)
        case .range(let a, let b, let st):
            try expr(a)
            try expr(b)
            if let st { try expr(st) }
        case .call(let name, let nameSpan, let args):
            for a in args { try expr(a.value) }
            try call(name, nameSpan, args, e.span)
        case .field(let x, _, _): try expr(x)
        case .index(let x, let i):
            try expr(x)
            try expr(i)
        case .with(let x, let fields):
            try expr(x)
            for f in fields { try expr(f.value) }
        case .list(let xs): for x in xs { try expr(x) }
        case .map(let ps):
            for p in ps {
                try expr(p.key)
                try expr(p.value)
            }
        case .record(let fs): for f in fs { try expr(f.value) }
        case .run(let name, let span, let body):
            guard scenarios.contains(name) else {
                try report(fail("unknown scenario `\(name)`", span,
                                help: Suggest.didYouMean(name, Array(scenarios)) ?? "declare it with `scenario \(name) { … }`"))
                return
            }
            // The scenario's parameters are bound while the body runs.
            var params = Set<String>()
            if let pending = pendingScenarioParams[name] {
                params = pending
            } else if let decl = session.scenarios[name] {
                for f in decl.fields where f.name != "samples" && f.name != "seed" { params.insert(f.name) }
            }
            locals.append(params)
            try expr(body)
            locals.removeLast()
        }
    }

    /// Files whose names this check has already taken in, against `use` cycles.
    private var used: Set<String> = []

    /// Checks a `use`d file and takes in the names it binds. A file that cannot
    /// be read is left to the run, which reports it where it is used.
    private mutating func use(_ path: String, _ from: SourceFile) throws(Diagnostic) {
        let full = Interpreter.resolve(path, from: from)
        guard used.count < 50, used.insert(full).inserted,
            let text = try? String(contentsOfFile: full, encoding: .utf8)
        else { return }
        let file = SourceFile(name: full, text: text)
        try check(try Parser.parse(file), file: file)
    }

    /// Parameters of scenarios declared earlier in the same script (not yet in the session).
    private var pendingScenarioParams: [String: Set<String>] = [:]

    private mutating func call(_ name: String, _ nameSpan: Span, _ args: [Argument], _ span: Span) throws(Diagnostic) {
        let params: [String]
        let required: Int
        if let p = functions[name] {
            params = p
            required = p.count
        } else if let spec = Builtins.specs[name] {
            if spec.variadic { return }
            params = spec.params
            required = spec.required
        } else {
            var help = Suggest.didYouMean(name, Array(functions.keys) + Builtins.names)
            if known(name) { help = "`\(name)` is a value, not a function; to multiply, write `\(name) * (…)`" }
            try report(fail("unknown function `\(name)`", nameSpan, help: help ?? "see `:help` for the built-in functions"))
            return
        }
        var filled = Array(repeating: false, count: params.count)
        var next = 0
        for a in args {
            if let label = a.label {
                guard let i = params.firstIndex(of: label) else {
                    try report(fail("`\(name)` has no parameter `\(label)`", a.labelSpan ?? span,
                                    help: Suggest.didYouMean(label, params) ?? "its parameters: \(params.joined(separator: ", "))"))
                    return
                }
                if filled[i] { try report(fail("`\(label)` is given twice", a.labelSpan ?? span)) }
                filled[i] = true
            } else {
                while next < params.count && filled[next] { next += 1 }
                guard next < params.count else {
                    try report(fail("too many arguments to `\(name)`: it takes \(params.count)", a.value.span,
                                    help: "`\(name)(\(params.joined(separator: ", ")))`"))
                    return
                }
                filled[next] = true
                next += 1
            }
        }
        for i in 0..<required where !filled[i] {
            try report(fail("missing argument `\(params[i])` in the call to `\(name)`", span,
                            help: "`\(name)(\(params.joined(separator: ", ")))`"))
            return
        }
    }
}

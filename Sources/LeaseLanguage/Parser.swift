import LeaseCore

// Grammar, lowest precedence first (LANGUAGE.md sections 1 and 4):
//
//   script     := (statement (NEWLINE | ';'))*
//   statement  := 'let' NAME '=' expr
//               | 'fn' NAME '(' [NAME (',' NAME)*] ')' '=' expr
//               | ('cluster' | 'contract' | 'scenario') NAME body
//               | 'fx' expr '=' expr  |  'use' STRING  |  expr
//   body       := '{' [field ((',' | ';' | NEWLINE) field)*] '}'
//   field      := NAME ':' expr
//   expr       := 'run' NAME ':' expr | cond (('->' | 'to') unit)*
//   cond       := 'if' expr 'then' cond 'else' cond | or
//   or         := and ('or' and)*          and := not ('and' not)*
//   not        := 'not' not | compare      compare := range [CMP range]
//   range      := sum ['..' sum ['step' sum]]
//   sum        := product (('+' | '-') product)*
//   product    := unary (('*' | '/') unary)*
//   unary      := '-' unary | power        power := postfix ['^' unary]
//   postfix    := primary ('(' args ')' | '.' NAME | '[' expr ']' | 'with' body)*
//   primary    := NUMBER [UNIT] | MONEY [UNIT] | DATE | STRING | 'true' | 'false'
//               | NAME | UNIT | '(' expr ')' | '[' list-or-map ']' | body
//               | 'solve' NAME 'in' sum '..' sum ':' cond     (cond an `==`; `solve` and
//                 `in` are keywords only there, so `solve(…)` and `let in = …` still work)
//   unit       := ufactor (('*' | '/') ufactor)*
//   ufactor    := (UNIT | CURRENCY_SIGN | '%' | '1') ['^' ['-'] NUMBER]
//
// Newlines end statements, except inside `(` and `[`, and after a binary
// operator. Inside `{` they separate fields.

/// Builds statements from tokens. Every node carries its source span.
struct Parser {
    private var tokens: [Token]
    private var pos = 0
    /// One entry per open bracket: true where newlines are insignificant.
    private var newlineStack: [Bool] = [false]
    private var depth = 0
    /// Tree depth added by chains such as `a + b + c + …`, each step one level deeper.
    private var chainDepth = 0
    let file: SourceFile

    static let maxDepth = 200
    /// The deepest tree evaluation, checking and freeing may walk recursively.
    static let maxTreeDepth = 5_000

    init(file: SourceFile, tokens: [Token]) {
        self.file = file
        self.tokens = tokens
    }

    /// Parses a whole source file.
    static func parse(_ file: SourceFile) throws(Diagnostic) -> [Statement] {
        var lexer = Lexer(file: file)
        var parser = Parser(file: file, tokens: try lexer.tokenize())
        return try parser.script()
    }

    /// Parses every statement it can, for `lease check`: after an error it
    /// skips to the end of that statement and goes on. Returns the
    /// statements, the errors, and the names the failed statements declare
    /// (so their later uses are not reported again).
    static func parseRecovering(_ file: SourceFile) -> (statements: [Statement], errors: [Diagnostic], names: [String]) {
        var lexer = Lexer(file: file)
        let tokens: [Token]
        do throws(Diagnostic) { tokens = try lexer.tokenize() } catch { return ([], [error], []) }
        var parser = Parser(file: file, tokens: tokens)
        var statements: [Statement] = []
        var errors: [Diagnostic] = []
        var names: [String] = []
        while true {
            let start = parser.pos
            do throws(Diagnostic) {
                statements += try parser.script()
                return (statements, errors, names)
            } catch {
                statements += parser.parsed
                parser.parsed = []
                errors.append(error)
                // The statement that failed: from the last statement boundary before the error.
                var from = min(max(start, parser.lastBoundary), tokens.count - 1)
                if from < tokens.count - 1, case .keyword(let k) = tokens[from].kind,
                    [.let, .fn, .cluster, .contract, .scenario].contains(k), case .identifier(let n) = tokens[from + 1].kind
                {
                    names.append(n)
                }
                // Resume at the next line that can start a statement: the error's own
                // token when it opens a new declaration, else past the error's line.
                var at = min(max(parser.pos, from), tokens.count - 1)
                let starters: [Keyword] = [.let, .fn, .cluster, .contract, .scenario, .fx, .use]
                if case .keyword(let k) = tokens[at].kind, starters.contains(k), at > 0, tokens[at - 1].kind == .newline {
                    from = at
                } else {
                    var depth = 0
                    while at < tokens.count - 1 {
                        switch tokens[at].kind {
                        case .symbol(.lparen), .symbol(.lbracket), .symbol(.lbrace): depth += 1
                        case .symbol(.rparen), .symbol(.rbracket), .symbol(.rbrace): depth -= 1
                        default: break
                        }
                        if depth <= 0, tokens[at].kind == .newline || tokens[at].kind == .symbol(.semicolon) { break }
                        at += 1
                    }
                    from = at
                }
                if errors.count >= 100 || from >= tokens.count - 1 { return (statements, errors, names) }
                parser.pos = from
                parser.newlineStack = [false]
            }
        }
    }

    // MARK: Tokens

    private var ignoresNewlines: Bool { newlineStack.last ?? false }

    private mutating func skipIgnorable() {
        if ignoresNewlines {
            while pos < tokens.count - 1 && tokens[pos].kind == .newline { pos += 1 }
        }
    }

    private mutating func peek() -> Token {
        skipIgnorable()
        return tokens[min(pos, tokens.count - 1)]
    }

    private mutating func peekKind() -> Token.Kind { peek().kind }

    /// The token after the next one, for two-token decisions like `name:`.
    private mutating func peekSecond() -> Token.Kind {
        skipIgnorable()
        var p = pos + 1
        if ignoresNewlines { while p < tokens.count - 1 && tokens[p].kind == .newline { p += 1 } }
        return tokens[min(p, tokens.count - 1)].kind
    }

    @discardableResult
    private mutating func advance() -> Token {
        let t = peek()
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    private mutating func skipNewlines() {
        while tokens[min(pos, tokens.count - 1)].kind == .newline { pos += 1 }
    }

    private mutating func match(_ s: Symbol) -> Bool {
        if peekKind() == .symbol(s) {
            advance()
            return true
        }
        return false
    }

    private mutating func match(_ k: Keyword) -> Bool {
        if peekKind() == .keyword(k) {
            advance()
            return true
        }
        return false
    }

    private mutating func expect(_ s: Symbol, _ what: String, help: String? = nil) throws(Diagnostic) -> Token {
        let t = peek()
        if t.kind == .symbol(s) { return advance() }
        throw Diagnostic(.parse, "expected `\(s.rawValue)` \(what), found \(t.kind.display)", at: t.span, help: help)
    }

    private mutating func expectName(_ what: String) throws(Diagnostic) -> (String, Span) {
        let t = peek()
        switch t.kind {
        case .identifier(let n):
            advance()
            return (n, t.span)
        case .keyword(let k):
            throw Diagnostic(.parse, "`\(k.rawValue)` is a keyword and cannot be used as \(what)", at: t.span,
                             help: "choose another name, such as `\(k.rawValue)_`")
        default:
            throw Diagnostic(.parse, "expected \(what), found \(t.kind.display)", at: t.span)
        }
    }

    /// A field or label name: identifiers and keywords alike (`cluster:`, `.end`).
    private mutating func fieldName() -> (String, Span)? {
        let t = peek()
        switch t.kind {
        case .identifier(let n):
            advance()
            return (n, t.span)
        case .keyword(let k):
            advance()
            return (k.rawValue, t.span)
        default: return nil
        }
    }

    /// One more step of a left-associative chain.
    private mutating func chainStep() throws(Diagnostic) {
        chainDepth += 1
        if depth + chainDepth > Self.maxTreeDepth {
            throw Diagnostic(.parse, "expression too long (more than \(Self.maxTreeDepth) operations in a row)", at: peek().span,
                             help: "split it into several `let` bindings, or use `sum([…])`")
        }
    }

    private mutating func nest() throws(Diagnostic) {
        depth += 1
        if depth + chainDepth > Self.maxTreeDepth {
            throw Diagnostic(.parse, "expression too long (more than \(Self.maxTreeDepth) operations in a row)", at: peek().span,
                             help: "split it into several `let` bindings")
        }
        if depth > Self.maxDepth {
            throw Diagnostic(.parse, "expression nested too deeply", at: peek().span,
                             help: "split it into several `let` bindings")
        }
    }

    // MARK: Statements

    /// Where the statement being parsed began, for recovery.
    private var lastBoundary = 0

    /// Statements parsed so far by `script`, kept when a later one fails.
    private var parsed: [Statement] = []

    mutating func script() throws(Diagnostic) -> [Statement] {
        while true {
            while peekKind() == .newline || peekKind() == .symbol(.semicolon) { advance() }
            if peekKind() == .end { return parsed }
            lastBoundary = pos
            parsed.append(try statement())
            let t = peek()
            switch t.kind {
            case .newline, .symbol(.semicolon): advance()
            case .end: return parsed
            default:
                var help: String?
                if case .number = t.kind { help = "write `*` to multiply, or put the two on separate lines" }
                if case .identifier(let n) = t.kind {
                    help = "`\(n)` is not a unit; write `*` to multiply, or put the statements on separate lines"
                }
                throw Diagnostic(.parse, "expected the end of the statement, found \(t.kind.display)", at: t.span, help: help)
            }
        }
    }

    private mutating func statement() throws(Diagnostic) -> Statement {
        let start = peek().span
        switch peekKind() {
        case .keyword(.let):
            advance()
            let (name, nameSpan) = try expectName("a name after `let`")
            _ = try expect(.equal, "after the name in `let \(name)`", help: "write `let \(name) = value`")
            skipNewlines()
            let value = try expression()
            return Statement(kind: .let(name: name, nameSpan: nameSpan, value: value), span: start.to(value.span))
        case .keyword(.fn):
            advance()
            let (name, nameSpan) = try expectName("a function name after `fn`")
            _ = try expect(.lparen, "after the function name", help: "write `fn \(name)(a, b) = expr`")
            newlineStack.append(true)
            var params: [(name: String, span: Span)] = []
            if peekKind() != .symbol(.rparen) {
                repeat {
                    let (p, ps) = try expectName("a parameter name")
                    params.append((p, ps))
                } while match(.comma)
            }
            _ = try expect(.rparen, "to close the parameter list")
            newlineStack.removeLast()
            _ = try expect(.equal, "before the function body", help: "write `fn \(name)(...) = expr`")
            skipNewlines()
            let body = try expression()
            return Statement(kind: .fn(name: name, nameSpan: nameSpan, params: params, body: body), span: start.to(body.span))
        case .keyword(.cluster), .keyword(.contract), .keyword(.scenario):
            let kw = advance()
            let (name, nameSpan) = try expectName("a name")
            let (fields, end) = try body()
            let kind: Statement.Kind
            switch kw.kind {
            case .keyword(.cluster): kind = .cluster(name: name, nameSpan: nameSpan, fields: fields)
            case .keyword(.contract): kind = .contract(name: name, nameSpan: nameSpan, fields: fields)
            default: kind = .scenario(name: name, nameSpan: nameSpan, fields: fields)
            }
            return Statement(kind: kind, span: start.to(end))
        case .keyword(.fx):
            advance()
            let lhs = try range()
            _ = try expect(.equal, "in the rate", help: "write `fx 1 USD = 1500 KRW`")
            let rhs = try range()
            return Statement(kind: .fx(lhs: lhs, rhs: rhs), span: start.to(rhs.span))
        case .keyword(.use):
            advance()
            let t = peek()
            guard case .string(let pieces) = t.kind else {
                throw Diagnostic(.parse, "expected a file name in quotes after `use`", at: t.span, help: "write `use \"other.lease\"`")
            }
            advance()
            var path = ""
            for p in pieces {
                guard case .text(let s) = p else {
                    throw Diagnostic(.parse, "the path of `use` cannot contain `{…}`", at: t.span)
                }
                path += s
            }
            return Statement(kind: .use(path: path, pathSpan: t.span), span: start.to(t.span))
        default:
            let e = try expression()
            return Statement(kind: .expr(e), span: e.span)
        }
    }

    /// `{ name: expr ... }` with commas, semicolons or newlines between fields.
    private mutating func body() throws(Diagnostic) -> ([FieldInit], Span) {
        let open = try expect(.lbrace, "to open the body")
        newlineStack.append(false)
        defer { newlineStack.removeLast() }
        var fields: [FieldInit] = []
        while true {
            while [.newline, .symbol(.comma), .symbol(.semicolon)].contains(peekKind()) { advance() }
            if case .symbol(.rbrace) = peekKind() { break }
            guard let (name, nameSpan) = fieldName() else {
                let t = peek()
                if t.kind == .end {
                    throw Diagnostic(.parse, "unclosed `{`", at: open.span, help: "close it with `}`")
                }
                throw Diagnostic(.parse, "expected a field name, found \(t.kind.display)", at: t.span,
                                 help: "fields are written `name: value`")
            }
            _ = try expect(.colon, "after the field name `\(name)`", help: "write `\(name): value`")
            let value = try expression()
            fields.append(FieldInit(name: name, nameSpan: nameSpan, value: value))
            let t = peek()
            switch t.kind {
            case .newline, .symbol(.comma), .symbol(.semicolon), .symbol(.rbrace): continue
            case .end: throw Diagnostic(.parse, "unclosed `{`", at: open.span, help: "close it with `}`")
            default:
                throw Diagnostic(.parse, "expected `,`, a new line or `}` after the field `\(name)`, found \(t.kind.display)",
                                 at: t.span)
            }
        }
        let close = advance()
        return (fields, open.span.to(close.span))
    }

    // MARK: Expressions

    mutating func expression() throws(Diagnostic) -> Expr {
        try nest()
        defer { depth -= 1 }
        if case .keyword(.run) = peekKind() {
            let kw = advance()
            let (name, nameSpan) = try expectName("a scenario name after `run`")
            _ = try expect(.colon, "after the scenario name", help: "write `run \(name): expression`")
            skipNewlines()
            let body = try expression()
            return Expr(kind: .run(scenario: name, scenarioSpan: nameSpan, body: body), span: kw.span.to(body.span))
        }
        var e = try conditional()
        let saved = chainDepth
        defer { chainDepth = saved }
        while peekKind() == .symbol(.arrow) || peekKind() == .keyword(.to) {
            advance()
            try chainStep()
            let (unit, span) = try unitExpression()
            e = Expr(kind: .convert(e, to: unit, targetSpan: span), span: e.span.to(span))
        }
        return e
    }

    private mutating func conditional() throws(Diagnostic) -> Expr {
        guard case .keyword(.if) = peekKind() else { return try orExpr() }
        try nest()
        defer { depth -= 1 }
        let kw = advance()
        let cond = try expression()
        skipNewlines()
        guard match(.then) else {
            throw Diagnostic(.parse, "expected `then` after the condition, found \(peekKind().display)", at: peek().span,
                             help: "write `if condition then a else b`")
        }
        skipNewlines()
        let a = try conditional()
        skipNewlines()
        guard match(.else) else {
            throw Diagnostic(.parse, "expected `else`: every `if` needs both branches", at: peek().span,
                             help: "write `if condition then a else b`")
        }
        skipNewlines()
        let b = try conditional()
        return Expr(kind: .ifThen(cond: cond, then: a, else: b), span: kw.span.to(b.span))
    }

    private mutating func orExpr() throws(Diagnostic) -> Expr {
        var e = try andExpr()
        let saved = chainDepth
        defer { chainDepth = saved }
        while match(.or) {
            try chainStep()
            skipNewlines()
            let r = try andExpr()
            e = Expr(kind: .or(e, r), span: e.span.to(r.span))
        }
        return e
    }

    private mutating func andExpr() throws(Diagnostic) -> Expr {
        var e = try notExpr()
        let saved = chainDepth
        defer { chainDepth = saved }
        while match(.and) {
            try chainStep()
            skipNewlines()
            let r = try notExpr()
            e = Expr(kind: .and(e, r), span: e.span.to(r.span))
        }
        return e
    }

    private mutating func notExpr() throws(Diagnostic) -> Expr {
        if case .keyword(.not) = peekKind() {
            try nest()
            defer { depth -= 1 }
            let kw = advance()
            let e = try notExpr()
            return Expr(kind: .not(e), span: kw.span.to(e.span))
        }
        return try comparison()
    }

    private static let comparisons: [Symbol: BinaryOp] = [
        .equalEqual: .equal, .bangEqual: .notEqual, .less: .less, .lessEqual: .lessEqual,
        .greater: .greater, .greaterEqual: .greaterEqual,
    ]

    private mutating func comparison() throws(Diagnostic) -> Expr {
        let l = try range()
        guard case .symbol(let s) = peekKind(), let op = Self.comparisons[s] else {
            if peekKind() == .symbol(.equal) {
                throw Diagnostic(.parse, "`=` is only for `let`, `fn` and `fx`", at: peek().span,
                                 help: "write `==` to compare")
            }
            return l
        }
        let opTok = advance()
        skipNewlines()
        let r = try range()
        if case .symbol(let s2) = peekKind(), Self.comparisons[s2] != nil {
            throw Diagnostic(.parse, "comparisons cannot be chained", at: peek().span,
                             help: "write `a < b and b < c`")
        }
        return Expr(kind: .binary(op: op, lhs: l, rhs: r, opSpan: opTok.span), span: l.span.to(r.span))
    }

    private mutating func range() throws(Diagnostic) -> Expr {
        let l = try sum()
        guard match(.dotdot) else { return l }
        skipNewlines()
        let r = try sum()
        var step: Expr?
        if match(.step) {
            skipNewlines()
            step = try sum()
        }
        return Expr(kind: .range(from: l, to: r, step: step), span: l.span.to(step?.span ?? r.span))
    }

    private mutating func sum() throws(Diagnostic) -> Expr {
        var e = try product()
        let saved = chainDepth
        defer { chainDepth = saved }
        while true {
            let op: BinaryOp
            switch peekKind() {
            case .symbol(.plus): op = .add
            case .symbol(.minus): op = .subtract
            default: return e
            }
            let t = advance()
            try chainStep()
            skipNewlines()
            let r = try product()
            e = Expr(kind: .binary(op: op, lhs: e, rhs: r, opSpan: t.span), span: e.span.to(r.span))
        }
    }

    private mutating func product() throws(Diagnostic) -> Expr {
        var e = try unary()
        let saved = chainDepth
        defer { chainDepth = saved }
        while true {
            let op: BinaryOp
            switch peekKind() {
            case .symbol(.star): op = .multiply
            case .symbol(.slash): op = .divide
            default: return e
            }
            let t = advance()
            try chainStep()
            skipNewlines()
            let r = try unary()
            e = Expr(kind: .binary(op: op, lhs: e, rhs: r, opSpan: t.span), span: e.span.to(r.span))
        }
    }

    private mutating func unary() throws(Diagnostic) -> Expr {
        if case .symbol(.minus) = peekKind() {
            try nest()
            defer { depth -= 1 }
            let t = advance()
            let e = try unary()
            return Expr(kind: .negate(e), span: t.span.to(e.span))
        }
        if case .symbol(.plus) = peekKind() {
            advance()
            return try unary()
        }
        return try power()
    }

    private mutating func power() throws(Diagnostic) -> Expr {
        let base = try postfix()
        guard case .symbol(.caret) = peekKind() else { return base }
        try nest()
        defer { depth -= 1 }
        let t = advance()
        skipNewlines()
        let exp = try unary()
        return Expr(kind: .binary(op: .power, lhs: base, rhs: exp, opSpan: t.span), span: base.span.to(exp.span))
    }

    private mutating func postfix() throws(Diagnostic) -> Expr {
        var e = try primary()
        let saved = chainDepth
        defer { chainDepth = saved }
        while true {
            switch peekKind() {
            case .symbol(.dot):
                advance()
                try chainStep()
                guard let (name, span) = fieldName() else {
                    throw Diagnostic(.parse, "expected a field name after `.`, found \(peekKind().display)", at: peek().span)
                }
                e = Expr(kind: .field(e, name: name, nameSpan: span), span: e.span.to(span))
            case .symbol(.lbracket):
                let open = advance()
                try chainStep()
                newlineStack.append(true)
                let i = try expression()
                let close = peek()
                guard close.kind == .symbol(.rbracket) else {
                    // The column is worked out only for the error: it costs a scan of the file.
                    throw Diagnostic(.parse, "expected `]` to close the index opened at column \(open.span.location.column), found \(close.kind.display)",
                                     at: close.span)
                }
                advance()
                newlineStack.removeLast()
                e = Expr(kind: .index(e, i), span: e.span.to(close.span))
            case .keyword(.with):
                advance()
                try chainStep()
                let (fields, end) = try body()
                e = Expr(kind: .with(e, fields: fields), span: e.span.to(end))
            case .symbol(.lparen):
                throw Diagnostic(.parse, "only functions can be called", at: peek().span,
                                 help: "to multiply, write `*` between the two")
            default:
                return e
            }
        }
    }

    private mutating func primary() throws(Diagnostic) -> Expr {
        try nest()
        defer { depth -= 1 }
        let t = peek()
        switch t.kind {
        case .number(let v, let pct):
            advance()
            if pct { return Expr(kind: .literal(.quantity(Quantity(v, UnitExpr(unit: Units.percent)))), span: t.span) }
            return try withUnit(Quantity(v), t.span)
        case .money(let v, let code):
            advance()
            let unit = UnitExpr(unit: Units.currency(code) ?? 0)
            return try withUnit(Quantity(v, unit), t.span)
        case .date(let d):
            advance()
            return Expr(kind: .literal(.date(d)), span: t.span)
        case .string(let pieces):
            advance()
            return Expr(kind: .string(try interpolate(pieces)), span: t.span)
        case .keyword(.true):
            advance()
            return Expr(kind: .literal(.bool(true)), span: t.span)
        case .keyword(.false):
            advance()
            return Expr(kind: .literal(.bool(false)), span: t.span)
        case .identifier(let name):
            if name == "solve", Self.startsSolve(peekSecond()) { return try solveForm() }
            advance()
            if peekKind() == .symbol(.lparen) {
                return try call(name, t.span)
            }
            if let u = Units.index(name) { return Expr(kind: .unit(UnitExpr(unit: u)), span: t.span) }
            return Expr(kind: .name(name), span: t.span)
        case .currencySign(let code):
            advance()
            return Expr(kind: .unit(UnitExpr(unit: Units.currency(code) ?? 0)), span: t.span)
        case .symbol(.lparen):
            advance()
            newlineStack.append(true)
            let e = try expression()
            let close = peek()
            guard close.kind == .symbol(.rparen) else {
                throw Diagnostic(.parse, "expected `)` to close the `(` at column \(t.span.location.column), found \(close.kind.display)",
                                 at: close.span)
            }
            advance()
            newlineStack.removeLast()
            return Expr(kind: e.kind, span: t.span.to(close.span))
        case .symbol(.lbracket):
            return try listOrMap()
        case .symbol(.lbrace):
            let (fields, span) = try body()
            return Expr(kind: .record(fields), span: span)
        case .end:
            throw Diagnostic(.parse, "unexpected end of input: an expression is missing", at: t.span)
        case .newline:
            throw Diagnostic(.parse, "expected an expression before the end of the line", at: t.span)
        case .keyword(let k):
            throw Diagnostic(.parse, "expected an expression, found the keyword `\(k.rawValue)`", at: t.span)
        case .symbol(let s):
            var help: String?
            if s == .percent { help = "write the percentage right after the number: `8%`" }
            throw Diagnostic(.parse, "expected an expression, found `\(s.rawValue)`", at: t.span, help: help)
        }
    }


    // MARK: solve

    /// Whether `solve` followed by this token starts the form `solve x in a .. b: …`
    /// rather than naming a value: a name, a literal or a keyword that can
    /// start an expression cannot follow a value, so only the form reads on.
    private static func startsSolve(_ next: Token.Kind) -> Bool {
        switch next {
        case .identifier, .number, .money, .date, .string: return true
        case .keyword(let k): return ![.with, .to, .step, .and, .or, .then, .else].contains(k)
        default: return false
        }
    }

    private static let solveUsage = "write `solve x in a .. b: lhs == rhs`"

    /// `solve NAME in EXPR .. EXPR : EXPR == EXPR`. Like `if`, its body
    /// reaches as far as it can; it must be one `==` comparison.
    private mutating func solveForm() throws(Diagnostic) -> Expr {
        let kw = advance()
        let v = peek()
        let variable: String
        switch v.kind {
        case .identifier(let n):
            advance()
            variable = n
        case .keyword(let k):
            throw Diagnostic(.parse, "`\(k.rawValue)` is a keyword and cannot be the variable of `solve`", at: v.span,
                             help: "choose another name, such as `\(k.rawValue)_`")
        default:
            throw Diagnostic(.parse, "expected the name of the unknown after `solve`, found \(v.kind.display)", at: v.span,
                             help: Self.solveUsage)
        }
        let usage = "write `solve \(variable) in a .. b: lhs == rhs`"
        guard case .identifier("in") = peekKind() else {
            throw Diagnostic(.parse, "expected `in` after `solve \(variable)`, found \(peekKind().display)", at: peek().span,
                             help: usage)
        }
        advance()
        let first = try sum()
        let from: Expr, to: Expr
        if match(.dotdot) {
            skipNewlines()
            from = first
            to = try sum()
        } else if case .range(let a, let b, nil) = first.kind {
            // `solve x in (a .. b): …`
            from = a
            to = b
        } else {
            var help = "give the interval to search, as in `solve \(variable) in 0% .. 100%: …`"
            if case .range = first.kind { help = "the bracket of `solve` has no `step`: it searches the whole interval" }
            throw Diagnostic(.parse, "expected `..` in the bracket of `solve`, found \(peekKind().display)", at: peek().span,
                             help: help)
        }
        if case .keyword(.step) = peekKind() {
            throw Diagnostic(.parse, "the bracket of `solve` has no `step`", at: peek().span,
                             help: "`solve` searches the whole interval: \(usage)")
        }
        _ = try expect(.colon, "after the bracket of `solve`", help: usage)
        skipNewlines()
        let body = try conditional()
        guard case .binary(.equal, let lhs, let rhs, _) = body.kind else {
            if case .binary(let op, _, _, let opSpan) = body.kind, op.isComparison {
                throw Diagnostic(.parse, "`solve` needs an equation with `==`, not `\(op.rawValue)`", at: opSpan,
                                 help: "\(usage): it finds where the two sides are equal")
            }
            let text = body.span.file.slice(body.span)
            var help = usage
            if text.count <= 40, !text.contains("\n") { help += "; to find where it is 0: `\(text) == 0`" }
            throw Diagnostic(.parse, "the body of `solve` must be an equation `lhs == rhs`", at: body.span, help: help)
        }
        return Expr(kind: .solve(variable: variable, variableSpan: v.span, from: from, to: to, lhs: lhs, rhs: rhs),
                    span: kw.span.to(body.span))
    }

    /// `300 MW`: a unit written after a number binds tighter than `*` and `/`.
    private mutating func withUnit(_ q: Quantity, _ span: Span) throws(Diagnostic) -> Expr {
        if case .identifier(let n) = peekKind(), let u = Units.index(n), peekSecond() != .symbol(.lparen) {
            let ut = advance()
            var unit = UnitExpr(unit: u)
            var end = ut.span
            if peekKind() == .symbol(.caret), case .number(let e, false) = peekSecond(), e == e.rounded(), e < 10 {
                advance()
                end = advance().span
                unit = unit.power(Int(e))
            }
            let (combined, scale) = UnitExpr.product(q.unit, unit)
            return Expr(kind: .literal(.quantity(Quantity(q.value * scale, combined))), span: span.to(end))
        }
        return Expr(kind: .literal(.quantity(q)), span: span)
    }

    private mutating func call(_ name: String, _ nameSpan: Span) throws(Diagnostic) -> Expr {
        let open = advance()
        newlineStack.append(true)
        var args: [Argument] = []
        if peekKind() != .symbol(.rparen) {
            repeat {
                if peekKind() == .symbol(.rparen) { break }
                var label: String?
                var labelSpan: Span?
                if peekSecond() == .symbol(.colon) {
                    switch peekKind() {
                    case .identifier, .keyword:
                        if let (n, s) = fieldName() {
                            label = n
                            labelSpan = s
                        }
                        advance()
                    default: break
                    }
                }
                let v = try expression()
                args.append(Argument(label: label, labelSpan: labelSpan, value: v))
            } while match(.comma)
        }
        let close = peek()
        guard close.kind == .symbol(.rparen) else {
            throw Diagnostic(.parse, "expected `,` or `)` in the call to `\(name)`, found \(close.kind.display)",
                             at: close.span, help: "the `(` opened at column \(open.span.location.column)")
        }
        advance()
        newlineStack.removeLast()
        return Expr(kind: .call(name: name, nameSpan: nameSpan, args: args), span: nameSpan.to(close.span))
    }

    private mutating func listOrMap() throws(Diagnostic) -> Expr {
        let open = advance()
        newlineStack.append(true)
        defer { newlineStack.removeLast() }
        if peekKind() == .symbol(.colon) && peekSecond() == .symbol(.rbracket) {
            advance()
            let close = advance()
            return Expr(kind: .map([]), span: open.span.to(close.span))
        }
        var items: [Expr] = []
        var pairs: [(key: Expr, value: Expr)] = []
        var isMap = false
        while peekKind() != .symbol(.rbracket) {
            let e = try expression()
            if items.isEmpty && pairs.isEmpty && peekKind() == .symbol(.colon) { isMap = true }
            if isMap {
                _ = try expect(.colon, "between a key and its value in a map", help: "write `[key: value, ...]`")
                let v = try expression()
                pairs.append((e, v))
            } else {
                items.append(e)
            }
            if !match(.comma) { break }
        }
        let close = peek()
        guard close.kind == .symbol(.rbracket) else {
            throw Diagnostic(.parse, "expected `,` or `]` in the list opened at column \(open.span.location.column), found \(close.kind.display)",
                             at: close.span)
        }
        advance()
        let span = open.span.to(close.span)
        return Expr(kind: isMap ? .map(pairs) : .list(items), span: span)
    }

    private mutating func interpolate(_ pieces: [StringPiece]) throws(Diagnostic) -> [Expr.Piece] {
        var out: [Expr.Piece] = []
        for p in pieces {
            switch p {
            case .text(let s): out.append(.text(s))
            case .interpolation(let s, let e):
                var lexer = Lexer(file: file, start: s, end: e)
                var sub = Parser(file: file, tokens: try lexer.tokenize())
                sub.newlineStack = [true]
                sub.depth = depth
                let expr = try sub.expression()
                let rest = sub.peek()
                if rest.kind != .end {
                    throw Diagnostic(.parse, "unexpected \(rest.kind.display) in `{…}`", at: rest.span)
                }
                out.append(.expr(expr))
            }
        }
        return out
    }

    // MARK: Units after `->`

    private mutating func unitExpression() throws(Diagnostic) -> (UnitExpr, Span) {
        var (unit, span) = try unitFactor()
        while true {
            let sign: Int
            switch peekKind() {
            case .symbol(.star): sign = 1
            case .symbol(.slash): sign = -1
            default: return (unit, span)
            }
            advance()
            let (f, fs) = try unitFactor()
            unit = UnitExpr(terms: unit.terms + f.power(sign).terms)
            span = span.to(fs)
        }
    }

    private mutating func unitFactor() throws(Diagnostic) -> (UnitExpr, Span) {
        let t = peek()
        var unit: UnitExpr
        switch t.kind {
        case .identifier(let n):
            guard let u = Units.index(n) else {
                let names = Array(Units.byName.keys)
                throw Diagnostic(.parse, "unknown unit `\(n)`", at: t.span,
                                 help: Suggest.didYouMean(n, names) ?? "see `:help units` for the units lease knows")
            }
            unit = UnitExpr(unit: u)
        case .currencySign(let c): unit = UnitExpr(unit: Units.currency(c) ?? 0)
        case .symbol(.percent): unit = UnitExpr(unit: Units.percent)
        case .number(1, false): unit = .none
        default:
            throw Diagnostic(.parse, "expected a unit after `->`, found \(t.kind.display)", at: t.span,
                             help: "for example `-> MW`, `-> $/gpu/h`, `-> %`")
        }
        advance()
        var span = t.span
        if match(.caret) {
            let neg = match(.minus)
            let e = peek()
            guard case .number(let x, false) = e.kind, x == x.rounded(), x < 10 else {
                throw Diagnostic(.parse, "expected a small whole exponent after `^`", at: e.span)
            }
            advance()
            unit = unit.power(neg ? -Int(x) : Int(x))
            span = span.to(e.span)
        }
        return (unit, span)
    }
}

import LeaseCore
import Testing

@testable import LeaseLanguage

/// Statements and expressions of LANGUAGE.md section 4, checked as
/// S-expressions so precedence and associativity are visible.
@Suite("Parser")
struct ParserTests {
    /// Lowest precedence first: `->`/`to`; `if`; `or`; `and`; `not`;
    /// comparisons; `..`; `+ -`; `* /`; unary `-`; `^` (right); postfix.
    @Test("the precedence table", arguments: [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("1 * 2 + 3", "(+ (* 1 2) 3)"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("a * b / c", "(/ (* a b) c)"),
        ("2 ^ 3 ^ 2", "(^ 2 (^ 3 2))"),
        ("-2 ^ 2", "(neg (^ 2 2))"),
        ("-a * b", "(* (neg a) b)"),
        ("2 ^ -1", "(^ 2 (neg 1))"),
        ("a * b ^ c", "(* a (^ b c))"),
        ("1 + 2 .. 3 * 4", "(.. (+ 1 2) (* 3 4))"),
        ("0% .. 60% step 10%", "(.. 0% 60% 10%)"),
        ("a .. b == c", "(== (.. a b) c)"),
        ("a + 1 < b * 2", "(< (+ a 1) (* b 2))"),
        ("not a == b", "(not (== a b))"),
        ("not a and b", "(and (not a) b)"),
        ("a < b and c >= d", "(and (< a b) (>= c d))"),
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("if a then b else c or d", "(if a b (or c d))"),
        ("if a then 1 MW else 2 MW -> kW", "(-> (if a 1 MW 2 MW) kW)"),
        ("x + 1 -> MW", "(-> (+ x 1) MW)"),
        ("x to MW", "(-> x MW)"),
        ("x or y -> %", "(-> (or x y) %)"),
        ("$1.25B / month", "(/ $1.25B <month>)"),
        ("$1.25B / month * 36 months", "(* (/ $1.25B <month>) 36 months)"),
        ("300 MW * 2", "(* 300 MW 2)"),
        ("2 * 300 MW", "(* 2 300 MW)"),
        ("f(x).rate[0]", "([] (. (call f x) rate) 0)"),
        ("-xs[0]", "(neg ([] xs 0))"),
        ("xs[0] ^ 2", "(^ ([] xs 0) 2)"),
        ("c with {rate: $1B / month}.rate", "(. (with c rate:(/ $1B <month>)) rate)"),
        ("a.b.c", "(. (. a b) c)"),
        ("[1, 2, 3] * $1B", "(* [1 2 3] $1B)"),
        ("[2026-05: 50%, 2026-06: 50%]", "[2026-05:50% 2026-06:50%]"),
        ("{low: $40B, high: $46B}", "{low:$40B high:$46B}"),
        ("[:]", "[:]"),
        ("[]", "[]"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
    ])
    func precedence(source: String, expected: String) throws {
        #expect(try ParserTests.sexpr(source) == expected)
    }

    @Test("comparisons do not chain")
    func comparisonsDoNotChain() {
        let d = ParserTests.error("a < b < c")
        #expect(d?.message.contains("cannot be chained") == true)
        #expect(d?.span?.start == 6)
    }

    @Test("`->` targets", arguments: [
        ("x -> $/gpu/h", "USD/gpu/h"), ("x -> $/kW/month", "USD/kW/month"), ("x -> MW^2", "MW^2"),
        ("x -> 1/month", "1/month"), ("x -> month^-1", "1/month"), ("x -> %", "%"), ("x -> KRW", "KRW"),
        ("x to MWh", "MWh"), ("x -> gpu*h", "gpu·h"),
    ])
    func conversionTargets(source: String, unit: String) throws {
        let e = try ParserTests.expression(source)
        guard case .convert(_, let target, _) = e.kind else {
            Issue.record("not a conversion: \(e.kind)")
            return
        }
        #expect(target.text() == unit)
    }

    @Test("an unknown unit after `->` is an error with a suggestion")
    func unknownUnit() {
        let d = ParserTests.error("x -> MWW")
        #expect(d?.message == "unknown unit `MWW`")
        #expect(d?.help?.contains("did you mean") == true, "\(String(describing: d?.help))")
        #expect(d?.span?.start == 5 && d?.span?.end == 8)
    }

    @Test("named arguments, also keywords as labels")
    func namedArguments() throws {
        let e = try ParserTests.expression("exposure(c, at: 2026-09-01)")
        guard case .call(let name, _, let args) = e.kind else {
            Issue.record("not a call")
            return
        }
        #expect(name == "exposure")
        #expect(args.map(\.label) == [nil, "at"])
        #expect(try ParserTests.sexpr("f(1, b: 2)") == "(call f 1 b:2)")
        #expect(try ParserTests.sexpr("f(to: 1)") == "(call f to:1)")
        #expect(try ParserTests.sexpr("terminate(c, notice_on: d)") == "(call terminate c notice_on:d)")
        #expect(try ParserTests.sexpr("f()") == "(call f)")
    }

    @Test("spans of nodes and operators")
    func spans() throws {
        let e = try ParserTests.expression("1 + 2 * 3")
        #expect(e.span.start == 0 && e.span.end == 9)
        guard case .binary(.add, let lhs, let rhs, let opSpan) = e.kind else {
            Issue.record("not an addition")
            return
        }
        #expect(opSpan.start == 2 && opSpan.end == 3)
        #expect(lhs.span.start == 0 && lhs.span.end == 1)
        #expect(rhs.span.start == 4 && rhs.span.end == 9)

        let call = try ParserTests.expression("f(1, b: 2)")
        #expect(call.span.start == 0 && call.span.end == 10)
        if case .call(_, let nameSpan, let args) = call.kind {
            #expect(nameSpan.start == 0 && nameSpan.end == 1)
            #expect(args[1].labelSpan?.start == 5 && args[1].labelSpan?.end == 6)
            #expect(args[1].value.span.start == 8)
        }

        let paren = try ParserTests.expression("(1 + 2)")
        #expect(paren.span.start == 0 && paren.span.end == 7)

        let convert = try ParserTests.expression("x -> $/gpu/h")
        if case .convert(let x, _, let target) = convert.kind {
            #expect(x.span.start == 0 && x.span.end == 1)
            #expect(target.start == 5 && target.end == 12)
        }

        let field = try ParserTests.expression("anthropic.rate")
        if case .field(_, let name, let nameSpan) = field.kind {
            #expect(name == "rate")
            #expect(nameSpan.start == 10 && nameSpan.end == 14)
        }

        let money = try ParserTests.expression("$1.25B / month")
        #expect(money.span.start == 0 && money.span.end == 14)
        let quantity = try ParserTests.expression("300 MW")
        #expect(quantity.span.start == 0 && quantity.span.end == 6)
    }

    @Test("statement spans and kinds")
    func statements() throws {
        let file = SourceFile(name: "t", text: "let x = 1 + 2\nfn f(a, b) = a * b\nfx 1 USD = 1500 KRW\nuse \"other.lease\"\nx")
        let statements = try Parser.parse(file)
        #expect(statements.count == 5)
        #expect(file.slice(statements[0].span) == "let x = 1 + 2")
        if case .let(let name, _, _) = statements[0].kind { #expect(name == "x") } else { Issue.record("not a let") }
        if case .fn(let name, _, let params, _) = statements[1].kind {
            #expect(name == "f")
            #expect(params.map(\.name) == ["a", "b"])
        } else {
            Issue.record("not a fn")
        }
        #expect(file.slice(statements[1].span) == "fn f(a, b) = a * b")
        if case .fx = statements[2].kind {} else { Issue.record("not fx") }
        if case .use(let path, _) = statements[3].kind { #expect(path == "other.lease") } else { Issue.record("not use") }
        #expect(statements[4].span.location.line == 5)
    }

    @Test("declaration bodies take newlines, commas or semicolons between fields")
    func declarationBodies() throws {
        for source in [
            "cluster k {\n  power: 300 MW\n  gpus: 1000 gpu\n}",
            "cluster k { power: 300 MW; gpus: 1000 gpu }",
            "cluster k { power: 300 MW, gpus: 1000 gpu }",
        ] {
            let statements = try Parser.parse(SourceFile(name: "t", text: source))
            guard statements.count == 1, case .cluster(let name, _, let fields) = statements[0].kind else {
                Issue.record("not one cluster: \(source)")
                continue
            }
            #expect(name == "k")
            #expect(fields.map(\.name) == ["power", "gpus"])
        }
    }

    @Test("a newline inside ( or [ does not end a statement", arguments: [
        ("(1 +\n 2)", "(+ 1 2)"),
        ("(1\n + 2)", "(+ 1 2)"),
        ("[1,\n 2,\n 3]", "[1 2 3]"),
        ("[\n2026-05: 50%,\n2026-06: 50%\n]", "[2026-05:50% 2026-06:50%]"),
        ("f(\n1,\n b: 2\n)", "(call f 1 b:2)"),
        ("1 +\n2", "(+ 1 2)"),
        ("xs[\n0\n]", "([] xs 0)"),
    ])
    func newlinesInBrackets(source: String, expected: String) throws {
        let statements = try Parser.parse(SourceFile(name: "t", text: source))
        #expect(statements.count == 1)
        #expect(try ParserTests.sexpr(source) == expected)
    }

    @Test("a newline ends a statement outside brackets")
    func newlinesEndStatements() throws {
        #expect(try Parser.parse(SourceFile(name: "t", text: "1\n+ 2")).count == 2)
        #expect(try Parser.parse(SourceFile(name: "t", text: "1; 2; 3\n4")).count == 4)
        #expect(try Parser.parse(SourceFile(name: "t", text: "\n\n;;\n")).isEmpty)
    }

    @Test("two expressions on one line are an error with a hint")
    func twoExpressions() {
        let d = ParserTests.error("1 2")
        #expect(d?.message.contains("end of the statement") == true)
        #expect(d?.span?.start == 2)
        #expect(d?.help?.contains("*") == true)
    }

    @Test("nesting is limited, and the limit is an error, not a crash", arguments: ["(", "[", "-", "not ", "2 ^ ", "if true then "])
    func nestingLimit(opener: String) {
        let source = String(repeating: opener, count: 10_000) + "1"
        let d = ParserTests.error(source)
        #expect(d?.phase == .parse)
        #expect(d?.message.contains("nested too deeply") == true, "\(String(describing: d?.message))")
        #expect(d?.span != nil)
    }

    @Test("moderate nesting is fine")
    func moderateNesting() throws {
        let source = String(repeating: "(", count: 50) + "1" + String(repeating: ")", count: 50)
        #expect(try ParserTests.sexpr(source) == "1")
        let list = String(repeating: "[", count: 50) + "1" + String(repeating: "]", count: 50)
        #expect(try Parser.parse(SourceFile(name: "t", text: list)).count == 1)
    }

    @Test("parse errors point at the culprit", arguments: [
        ("1 +", 3, "end of input"),
        ("let = 3", 4, "expected a name"),
        ("let x 3", 6, "`=`"),
        ("f(1, 2", 6, "`)`"),
        ("[1, 2", 5, "`]`"),
        ("(1 + 2", 6, "`)`"),
        ("if a then b", 11, "`else`"),
        ("x = 1", 2, "`==`"),
        ("let if = 1", 4, "keyword"),
        ("cluster k { power 1 MW }", 18, "`:`"),
    ])
    func parseErrors(source: String, offset: Int, text: String) {
        let d = ParserTests.error(source)
        #expect(d?.phase == .parse)
        #expect(d?.span?.start == offset, "\(String(describing: d))")
        let all = (d?.message ?? "") + " " + (d?.help ?? "")
        #expect(all.contains(text), "\(all)")
    }

    // MARK: Private API

    static func expression(_ source: String) throws -> Expr {
        let statements = try Parser.parse(SourceFile(name: "t", text: source))
        guard statements.count == 1, case .expr(let e) = statements[0].kind else {
            throw Diagnostic(.parse, "expected one expression statement in \(source)", at: nil)
        }
        return e
    }

    static func error(_ source: String) -> Diagnostic? {
        do {
            _ = try Parser.parse(SourceFile(name: "t", text: source))
            return nil
        } catch {
            return error
        }
    }

    static func sexpr(_ source: String) throws -> String { render(try expression(source)) }

    static func render(_ e: Expr) -> String {
        switch e.kind {
        case .literal(let v): return Format.inner(v)
        case .string: return "\"…\""
        case .name(let n): return n
        case .unit(let u): return "<\(u.text())>"
        case .negate(let x): return "(neg \(render(x)))"
        case .not(let x): return "(not \(render(x)))"
        case .binary(let op, let l, let r, _): return "(\(op.rawValue) \(render(l)) \(render(r)))"
        case .and(let l, let r): return "(and \(render(l)) \(render(r)))"
        case .or(let l, let r): return "(or \(render(l)) \(render(r)))"
        case .convert(let x, let u, _): return "(-> \(render(x)) \(u.text()))"
        case .ifThen(let c, let a, let b): return "(if \(render(c)) \(render(a)) \(render(b)))"
        case .range(let a, let b, let s): return "(.. \(render(a)) \(render(b))\(s.map { " " + render($0) } ?? ""))"
        case .call(let name, _, let args):
            return "(call \(name)" + args.map { " " + ($0.label.map { "\($0):" } ?? "") + render($0.value) }.joined() + ")"
        case .field(let x, let name, _): return "(. \(render(x)) \(name))"
        case .index(let x, let i): return "([] \(render(x)) \(render(i)))"
        case .with(let x, let fields): return "(with \(render(x))" + fields.map { " \($0.name):\(render($0.value))" }.joined() + ")"
        case .list(let xs): return "[" + xs.map(render).joined(separator: " ") + "]"
        case .map(let ps):
            if ps.isEmpty { return "[:]" }
            return "[" + ps.map { "\(render($0.key)):\(render($0.value))" }.joined(separator: " ") + "]"
        case .record(let fs): return "{" + fs.map { "\($0.name):\(render($0.value))" }.joined(separator: " ") + "}"
        case .run(let s, _, let body): return "(run \(s) \(render(body)))"
        case .solve(let x, _, let a, let b, let l, let r):
            return "(solve \(x) \(render(a)) \(render(b)) \(render(l)) \(render(r)))"
        }
    }
}

import LeaseCore
import LeaseLanguage

/// Walking the checked tree: the expressions of a statement and inside an
/// expression, without recursion (a long chain `a + b + …` nests thousands deep).
enum Tree {
    /// The expressions directly inside `e`.
    static func children(_ e: Expr) -> [Expr] {
        switch e.kind {
        case .literal, .unit, .name: return []
        case .string(let pieces):
            return pieces.compactMap { if case .expr(let x) = $0 { return x } else { return nil } }
        case .negate(let x), .not(let x), .convert(let x, _, _), .field(let x, _, _): return [x]
        case .binary(_, let l, let r, _), .and(let l, let r), .or(let l, let r), .index(let l, let r): return [l, r]
        case .ifThen(let c, let a, let b): return [c, a, b]
        case .range(let a, let b, let s): return s.map { [a, b, $0] } ?? [a, b]
        case .call(_, _, let args): return args.map(\.value)
        case .with(let x, let fields): return [x] + fields.map(\.value)
        case .list(let xs): return xs
        case .map(let pairs): return pairs.flatMap { [$0.key, $0.value] }
        case .record(let fields): return fields.map(\.value)
        case .run(_, _, let body): return [body]
        case .solve(_, _, let a, let b, let l, let r): return [a, b, l, r]
        }
    }

    /// The expressions a statement holds at its top.
    static func roots(_ s: Statement) -> [Expr] {
        switch s.kind {
        case .let(_, _, let value): return [value]
        case .fn(_, _, _, let body): return [body]
        case .cluster(_, _, let fields), .contract(_, _, let fields), .scenario(_, _, let fields): return fields.map(\.value)
        case .fx(let l, let r): return [l, r]
        case .use: return []
        case .expr(let e): return [e]
        }
    }

    /// Calls `f` on every expression under the roots, parents before children.
    static func visit(_ roots: [Expr], _ f: (Expr) -> Void) {
        var stack = Array(roots.reversed())
        while let e = stack.popLast() {
            f(e)
            stack.append(contentsOf: children(e).reversed())
        }
    }

    /// The fields `name: value` written inside an expression tree (records and `with`).
    static func fieldInits(_ roots: [Expr]) -> [FieldInit] {
        var out: [FieldInit] = []
        visit(roots) { e in
            switch e.kind {
            case .with(_, let fs), .record(let fs): out += fs
            default: break
            }
        }
        return out
    }

    /// The typed body of each user function, from its first checked call.
    static func instanceBodies(_ statements: [Statement]) -> [String: Expr] {
        var out: [String: Expr] = [:]
        var pending = statements.flatMap(roots)
        var seen = 0
        // Bodies hold calls too; a few rounds reach functions called only from functions.
        while !pending.isEmpty && seen < 4 {
            var next: [Expr] = []
            visit(pending) { e in
                if case .call(let name, _, _) = e.kind, out[name] == nil, let body = e.function?.body {
                    out[name] = body
                    next.append(body)
                }
            }
            pending = next
            seen += 1
        }
        return out
    }

    /// The statement's declared name and where it is written.
    static func declared(_ s: Statement) -> (name: String, span: Span)? {
        switch s.kind {
        case .let(let n, let sp, _), .fn(let n, let sp, _, _), .cluster(let n, let sp, _), .contract(let n, let sp, _),
            .scenario(let n, let sp, _):
            return (n, sp)
        default: return nil
        }
    }

    static func contains(_ span: Span, _ offset: Int) -> Bool { span.start <= offset && offset <= span.end }
}

/// Identifier characters as the lexer reads them.
enum Chars {
    static func isIdent(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    /// The identifier around (or just before) a byte offset: its text and byte range.
    static func word(in bytes: [UInt8], at offset: Int) -> (String, Range<Int>)? {
        let o = min(max(0, offset), bytes.count)
        func isIdentByte(_ i: Int) -> Bool {
            let b = bytes[i]
            if b >= 0x80 { return true }  // part of a non-ASCII letter; good enough for names
            return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
        }
        var lo = o, hi = o
        while lo > 0 && isIdentByte(lo - 1) { lo -= 1 }
        while hi < bytes.count && isIdentByte(hi) { hi += 1 }
        guard lo < hi else { return nil }
        let text = String(decoding: bytes[lo..<hi], as: UTF8.self)
        guard let first = text.first, !first.isNumber, text.allSatisfy(isIdent) else { return nil }
        return (text, lo..<hi)
    }
}

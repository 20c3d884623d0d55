import LeaseCore

/// Turns source bytes into tokens. Newlines are tokens: the parser decides
/// where they end a statement and where brackets make them insignificant.
struct Lexer {
    let file: SourceFile
    private let b: [UInt8]
    private var i: Int
    private let limit: Int

    init(file: SourceFile, start: Int = 0, end: Int? = nil) {
        self.file = file
        b = file.bytes
        i = start
        limit = min(end ?? file.bytes.count, file.bytes.count)
    }

    static let maxTokens = 2_000_000

    /// Every token up to and including `.end`, or the first lexical error.
    mutating func tokenize() throws(Diagnostic) -> [Token] {
        var out: [Token] = []
        while true {
            let t = try next()
            out.append(t)
            if t.kind == .end { return out }
            if out.count > Self.maxTokens {
                throw Diagnostic(.parse, "the input is too long (more than 2,000,000 tokens)", at: t.span,
                                 help: "split it into several scripts joined with `use`")
            }
        }
    }

    private func peek(_ k: Int = 0) -> UInt8 { i + k < limit ? b[i + k] : 0 }
    private func span(_ s: Int) -> Span { Span(file, s, i) }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isIdentStart(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F }
    private static func isIdent(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }

    /// Currency sign starting at offset k, and its length in bytes.
    private func currencySign(at k: Int) -> (String, Int)? {
        let c0 = peek(k)
        if c0 == 0x24 { return ("USD", 1) }
        if c0 == 0xC2 && peek(k + 1) == 0xA3 { return ("GBP", 2) }
        if c0 == 0xC2 && peek(k + 1) == 0xA5 { return ("JPY", 2) }
        if c0 == 0xE2 && peek(k + 1) == 0x82 && peek(k + 2) == 0xAC { return ("EUR", 3) }
        if c0 == 0xE2 && peek(k + 1) == 0x82 && peek(k + 2) == 0xA9 { return ("KRW", 3) }
        return nil
    }

    private mutating func next() throws(Diagnostic) -> Token {
        // Skip blanks and comments, but not newlines.
        while i < limit {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x0D {
                i += 1
            } else if c == 0x23 {  // '#'
                while i < limit && b[i] != 0x0A { i += 1 }
            } else if c == 0x5C && peek(1) == 0x0A {  // backslash-newline joins lines
                i += 2
            } else {
                break
            }
        }
        let s = i
        guard i < limit else { return Token(kind: .end, span: Span(file, limit, limit)) }
        let c = b[i]
        if c == 0x0A {
            i += 1
            return Token(kind: .newline, span: span(s))
        }
        if Self.isDigit(c) || (c == 0x2E && Self.isDigit(peek(1))) {
            if let d = try date() { return Token(kind: .date(d), span: span(s)) }
            let (v, pct) = try number()
            return Token(kind: .number(v, percent: pct), span: span(s))
        }
        if let (code, len) = currencySign(at: 0) {
            i += len
            if Self.isDigit(peek()) || (peek() == 0x2E && Self.isDigit(peek(1))) {
                let (v, pct) = try number()
                if pct {
                    throw Diagnostic(.parse, "a money amount cannot be a percentage", at: span(s))
                }
                return Token(kind: .money(v, currency: code), span: span(s))
            }
            return Token(kind: .currencySign(code), span: span(s))
        }
        if Self.isIdentStart(c) {
            while i < limit && Self.isIdent(b[i]) { i += 1 }
            let name = String(decoding: b[s..<i], as: UTF8.self)
            if let k = Keyword(rawValue: name) { return Token(kind: .keyword(k), span: span(s)) }
            return Token(kind: .identifier(name), span: span(s))
        }
        if c == 0x22 { return try string() }
        i += 1
        let two = (c, peek())
        func sym(_ y: Symbol, _ extra: Int = 0) -> Token {
            i += extra
            return Token(kind: .symbol(y), span: span(s))
        }
        switch two {
        case (0x2D, 0x3E): return sym(.arrow, 1)
        case (0x2E, 0x2E): return sym(.dotdot, 1)
        case (0x3D, 0x3D): return sym(.equalEqual, 1)
        case (0x21, 0x3D): return sym(.bangEqual, 1)
        case (0x3C, 0x3D): return sym(.lessEqual, 1)
        case (0x3E, 0x3D): return sym(.greaterEqual, 1)
        default: break
        }
        switch c {
        case 0x28: return sym(.lparen)
        case 0x29: return sym(.rparen)
        case 0x5B: return sym(.lbracket)
        case 0x5D: return sym(.rbracket)
        case 0x7B: return sym(.lbrace)
        case 0x7D: return sym(.rbrace)
        case 0x2C: return sym(.comma)
        case 0x3A: return sym(.colon)
        case 0x3B: return sym(.semicolon)
        case 0x2E: return sym(.dot)
        case 0x2B: return sym(.plus)
        case 0x2D: return sym(.minus)
        case 0x2A: return sym(.star)
        case 0x2F: return sym(.slash)
        case 0x5E: return sym(.caret)
        case 0x25: return sym(.percent)
        case 0x3D: return sym(.equal)
        case 0x3C: return sym(.less)
        case 0x3E: return sym(.greater)
        default:
            // Step over a whole UTF-8 character so the caret covers it.
            while i < limit && (b[i] & 0xC0) == 0x80 { i += 1 }
            let ch = String(decoding: b[s..<i], as: UTF8.self)
            var help: String?
            if ch == "!" { help = "write `not x` for negation, `!=` for inequality" }
            if ch == "&" || ch == "|" { help = "write `and` / `or`" }
            if ch == "'" { help = "strings use double quotes: \"...\"" }
            if ch == "×" || ch == "·" { help = "write `*` for multiplication" }
            // A control character (NUL, ESC …) is named by its code point, not printed.
            let shown = ch.unicodeScalars.count == 1 && ch.unicodeScalars.allSatisfy { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
                ? String(format: "U+%04X", ch.unicodeScalars.first?.value ?? 0) : "`\(ch)`"
            throw Diagnostic(.parse, "unexpected character \(shown)", at: span(s), help: help)
        }
    }

    /// `2026-05` or `2026-05-20`: four digits, a dash, two digits, and not
    /// followed by more of a number. Anything of that shape is a date.
    private mutating func date() throws(Diagnostic) -> CalendarDate? {
        guard (0..<4).allSatisfy({ Self.isDigit(peek($0)) }), peek(4) == 0x2D,
            Self.isDigit(peek(5)), Self.isDigit(peek(6)), !Self.isIdent(peek(7)),
            !(peek(7) == 0x2E && Self.isDigit(peek(8)))
        else { return nil }
        let s = i
        func digits(_ k: Int, _ n: Int) -> Int {
            var v = 0
            for j in 0..<n { v = v * 10 + Int(peek(k + j) - 0x30) }
            return v
        }
        let y = digits(0, 4), m = digits(5, 2)
        var d: Int?
        var len = 7
        if peek(7) == 0x2D && Self.isDigit(peek(8)) && Self.isDigit(peek(9)) && !Self.isIdent(peek(10)) {
            d = digits(8, 2)
            len = 10
        }
        i += len
        guard let date = CalendarDate(year: y, month: m, day: d) else {
            throw Diagnostic(.parse, "`\(String(decoding: b[s..<i], as: UTF8.self))` is not a valid date", at: span(s),
                             help: "months run 01–12 and days to the month's end; for a subtraction write spaces: `\(y) - \(m)`")
        }
        return date
    }

    /// Digits with `_`, a fraction, an exponent, then an optional scale
    /// suffix (`k M B T`) or `%` written directly after.
    private mutating func number() throws(Diagnostic) -> (Double, Bool) {
        let s = i
        var text = ""
        func take() {
            while i < limit && (Self.isDigit(b[i]) || b[i] == 0x5F) {
                if b[i] != 0x5F { text.append(Character(UnicodeScalar(b[i]))) }
                i += 1
            }
        }
        take()
        if peek() == 0x2E && Self.isDigit(peek(1)) {
            text.append(".")
            i += 1
            take()
        }
        if (peek() == 0x65 || peek() == 0x45)
            && (Self.isDigit(peek(1)) || ((peek(1) == 0x2B || peek(1) == 0x2D) && Self.isDigit(peek(2))))
        {
            text.append("e")
            i += 1
            if peek() == 0x2B || peek() == 0x2D {
                text.append(Character(UnicodeScalar(b[i])))
                i += 1
            }
            take()
        }
        guard var v = Double(text) else {
            throw Diagnostic(.parse, "malformed number", at: span(s))
        }
        let scales: [UInt8: Double] = [0x6B: 1e3, 0x4D: 1e6, 0x42: 1e9, 0x54: 1e12]
        if let f = scales[peek()], !Self.isIdent(peek(1)) {
            v *= f
            i += 1
        }
        if !v.isFinite {
            throw Diagnostic(.parse, "number too large", at: span(s), help: "numbers are doubles, up to about 1.8e308")
        }
        if peek() == 0x25 {
            i += 1
            return (v, true)
        }
        return (v, false)
    }

    /// A string literal; `{expr}` pieces are kept as source ranges and parsed later.
    private mutating func string() throws(Diagnostic) -> Token {
        let s = i
        i += 1
        var pieces: [StringPiece] = []
        var text: [UInt8] = []
        func flush() {
            if !text.isEmpty { pieces.append(.text(String(decoding: text, as: UTF8.self))) }
            text = []
        }
        while true {
            guard i < limit, b[i] != 0x0A else {
                throw Diagnostic(.parse, "unterminated string", at: Span(file, s, i), help: "close it with `\"` on the same line")
            }
            let c = b[i]
            if c == 0x22 {
                i += 1
                break
            }
            if c == 0x5C {
                let e = peek(1)
                switch e {
                case 0x22: text.append(0x22)
                case 0x5C: text.append(0x5C)
                case 0x6E: text.append(0x0A)
                case 0x74: text.append(0x09)
                case 0x7B: text.append(0x7B)
                case 0x7D: text.append(0x7D)
                default:
                    throw Diagnostic(.parse, "unknown escape in string", at: Span(file, i, i + 2),
                                     help: "the escapes are \\\" \\\\ \\n \\t; write {{ for a literal brace")
                }
                i += 2
                continue
            }
            if c == 0x7B {
                if peek(1) == 0x7B {
                    text.append(0x7B)
                    i += 2
                    continue
                }
                flush()
                let open = i
                i += 1
                let start = i
                var depth = 1
                while i < limit && b[i] != 0x0A {
                    if b[i] == 0x22 {  // a string inside the interpolation
                        i += 1
                        while i < limit && b[i] != 0x22 && b[i] != 0x0A {
                            if b[i] == 0x5C { i += 1 }
                            i += 1
                        }
                    } else if b[i] == 0x7B {
                        depth += 1
                    } else if b[i] == 0x7D {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    i += 1
                }
                guard i < limit, b[i] == 0x7D else {
                    throw Diagnostic(.parse, "unclosed `{` in string", at: Span(file, open, open + 1),
                                     help: "close the interpolation with `}`, or write `{{` for a literal brace")
                }
                pieces.append(.interpolation(start: start, end: i))
                i += 1
                continue
            }
            if c == 0x7D && peek(1) == 0x7D {
                text.append(0x7D)
                i += 2
                continue
            }
            text.append(c)
            i += 1
        }
        flush()
        return Token(kind: .string(pieces), span: span(s))
    }
}

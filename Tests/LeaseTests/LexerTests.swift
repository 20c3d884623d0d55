import LeaseCore
import Testing

@testable import LeaseLanguage

/// The lexical structure of LANGUAGE.md section 1.
@Suite("Lexer")
struct LexerTests {
    @Test("numbers, with `_`, fractions, exponents and scale suffixes", arguments: [
        ("42", 42.0), ("3.5", 3.5), ("1_000_000", 1e6), ("1.5e9", 1.5e9), ("1.25B", 1.25e9), ("300k", 3e5),
        ("2M", 2e6), ("1.87T", 1.87e12), ("1E3", 1000), ("2.5e-3", 0.0025), ("1e+2", 100), (".5", 0.5),
        ("220_000", 220_000), ("0", 0), ("1_0.2_5", 10.25),
    ])
    func numbers(source: String, value: Double) throws {
        let tokens = try LexerTests.kinds(source)
        #expect(tokens == [.number(value, percent: false)])
    }

    @Test("`8%` is a percentage", arguments: [("8%", 8.0), ("12.5%", 12.5), ("0%", 0), ("100%", 100)])
    func percentages(source: String, value: Double) throws {
        #expect(try LexerTests.kinds(source) == [.number(value, percent: true)])
    }

    @Test("a percentage evaluates to a fraction")
    func percentValue() {
        guard case .success(.quantity(let q)) = Session().evaluate("8%") else {
            Issue.record("8% does not evaluate")
            return
        }
        #expect(abs(q.baseValue - 0.08) < 1e-15)
    }

    @Test("money: a currency sign before a number", arguments: [
        ("$1.25B", 1.25e9, "USD"), ("€3M", 3e6, "EUR"), ("£10", 10, "GBP"), ("¥500", 500, "JPY"),
        ("₩1.87T", 1.87e12, "KRW"), ("$7.78", 7.78, "USD"), ("$150_000", 150_000, "USD"),
    ])
    func money(source: String, value: Double, currency: String) throws {
        #expect(try LexerTests.kinds(source) == [.money(value, currency: currency)])
    }

    @Test("a currency sign alone is a unit, as in `-> $/gpu/h`")
    func currencySign() throws {
        #expect(try LexerTests.kinds("$") == [.currencySign("USD")])
        #expect(try LexerTests.kinds("x -> $/gpu/h") == [
            .identifier("x"), .symbol(.arrow), .currencySign("USD"), .symbol(.slash), .identifier("gpu"),
            .symbol(.slash), .identifier("h"),
        ])
    }

    @Test("ISO codes are units after a number")
    func isoCodes() throws {
        #expect(try LexerTests.kinds("1.87T KRW") == [.number(1.87e12, percent: false), .identifier("KRW")])
        #expect(try LexerTests.kinds("3 EUR") == [.number(3, percent: false), .identifier("EUR")])
    }

    @Test("a unit may follow a number without a space")
    func unitWithoutSpace() throws {
        // `M` followed by a letter is not a scale suffix: `300MW` is 300 MW.
        #expect(try LexerTests.kinds("300MW") == [.number(300, percent: false), .identifier("MW")])
    }

    @Test("dates: a month and a day")
    func dates() throws {
        #expect(try LexerTests.kinds("2026-05") == [.date(CalendarDate(year: 2026, month: 5)!)])
        #expect(try LexerTests.kinds("2026-05-20") == [.date(CalendarDate(year: 2026, month: 5, day: 20)!)])
        #expect(try LexerTests.kinds("2024-02-29") == [.date(CalendarDate(year: 2024, month: 2, day: 29)!)])
    }

    @Test("a subtraction of date shape needs spaces", arguments: ["2026 - 05", "2026 -05", "2026- 05"])
    func subtractionWithSpaces(source: String) throws {
        #expect(try LexerTests.kinds(source) == [.number(2026, percent: false), .symbol(.minus), .number(5, percent: false)])
    }

    @Test("a subtraction that is not of date shape needs no spaces", arguments: ["2026-5", "10-05", "12026-05"])
    func notDateShape(source: String) throws {
        let kinds = try LexerTests.kinds(source)
        #expect(kinds.count == 3)
        #expect(kinds[1] == .symbol(.minus))
    }

    @Test("a date-shaped token that is not a date is an error naming the fix", arguments: ["2026-13", "2026-00", "2026-02-30", "2025-02-29", "0000-01"])
    func invalidDates(source: String) {
        let d = LexerTests.error(source)
        #expect(d?.message.contains("not a valid date") == true, "\(String(describing: d))")
        #expect(d?.span?.start == 0)
    }

    @Test("strings with escapes")
    func escapes() throws {
        #expect(try LexerTests.kinds(#""a\"b\\c\nd""#) == [.string([.text("a\"b\\c\nd")])])
        #expect(try LexerTests.kinds(#""Memphis, TN""#) == [.string([.text("Memphis, TN")])])
        #expect(try LexerTests.kinds(#""""#) == [.string([])])
    }

    @Test("string interpolation keeps the expression's source range")
    func interpolation() throws {
        let source = #""total: {1 + 1}!""#
        let file = SourceFile(name: "t", text: source)
        var lexer = Lexer(file: file)
        let tokens = try lexer.tokenize()
        guard case .string(let pieces) = tokens[0].kind, pieces.count == 3,
            case .interpolation(let s, let e) = pieces[1]
        else {
            Issue.record("not a three-piece string: \(tokens[0].kind)")
            return
        }
        #expect(pieces[0] == .text("total: "))
        #expect(file.slice(Span(file, s, e)) == "1 + 1")
        #expect(pieces[2] == .text("!"))
    }

    @Test("`{{` is a literal brace")
    func literalBraces() throws {
        #expect(try LexerTests.kinds(#""{{x}}""#) == [.string([.text("{x}")])])
        #expect(LexerTests.value(#""a{{b""#) == "a{b")
    }

    @Test("interpolation evaluates", arguments: [
        (#""total: {1 + 1}""#, "total: 2"),
        (#""{$1.25B / month * 37 months}""#, "$46.25B"),
        (#""a {"b"} c""#, "a b c"),
        (#""x\ty""#, "x\ty"),
    ])
    func interpolationValues(source: String, expected: String) {
        #expect(LexerTests.value(source) == expected)
    }

    @Test("string errors", arguments: [
        (#""abc"#, "unterminated"), ("\"abc\ndef\"", "unterminated"), (#""\q""#, "unknown escape"), (#""{1 + 1""#, "unclosed"),
    ])
    func stringErrors(source: String, message: String) {
        let d = LexerTests.error(source)
        #expect(d?.message.contains(message) == true, "\(String(describing: d))")
    }

    /// A truncated script can end inside an escape; the error's span must
    /// stay inside the file (found by the crash-resistance test).
    @Test("error spans stay inside the file", arguments: [#""abc\"#, #""\"#, "\"{", "2026-13", "$8%", "!", "×"])
    func spansInsideFile(source: String) throws {
        let d = try #require(LexerTests.error(source))
        let span = try #require(d.span)
        #expect(span.start >= 0 && span.end <= source.utf8.count, "span \(span.start)..<\(span.end) in \(source.utf8.count) bytes")
    }

    @Test("keywords and identifiers")
    func keywords() throws {
        #expect(try LexerTests.kinds("let lets _x x1 to step") == [
            .keyword(.let), .identifier("lets"), .identifier("_x"), .identifier("x1"), .keyword(.to), .keyword(.step),
        ])
    }

    @Test("two-character symbols", arguments: [
        ("->", Symbol.arrow), ("..", .dotdot), ("==", .equalEqual), ("!=", .bangEqual), ("<=", .lessEqual),
        (">=", .greaterEqual),
    ])
    func twoCharacterSymbols(source: String, symbol: Symbol) throws {
        #expect(try LexerTests.kinds(source) == [.symbol(symbol)])
    }

    @Test("comments run to the end of the line; newlines are tokens")
    func comments() throws {
        #expect(try LexerTests.kinds("1 # one\n2; 3") == [
            .number(1, percent: false), .newline, .number(2, percent: false), .symbol(.semicolon), .number(3, percent: false),
        ])
        #expect(try LexerTests.kinds("# only a comment").isEmpty)
    }

    @Test("spans are half-open UTF-8 byte ranges")
    func spans() throws {
        let source = "let x = €3M + 2026-05"
        let file = SourceFile(name: "t", text: source)
        var lexer = Lexer(file: file)
        let tokens = try lexer.tokenize()
        let ranges = tokens.map { ($0.span.start, $0.span.end) }
        // `€` is three bytes.
        #expect(ranges.map(\.0) == [0, 4, 6, 8, 14, 16, 23])
        #expect(ranges.map(\.1) == [3, 5, 7, 13, 15, 23, 23])
        #expect(tokens.map { file.slice($0.span) } == ["let", "x", "=", "€3M", "+", "2026-05", ""])
        #expect(tokens.last?.kind == .end)
        #expect(tokens[3].span.location.column == 9)
    }

    @Test("unexpected characters are errors with a hint", arguments: [
        ("1 ! 2", "not"), ("a & b", "and"), ("'x'", "double quotes"), ("2 × 3", "*"),
    ])
    func unexpectedCharacters(source: String, hint: String) {
        let d = LexerTests.error(source)
        #expect(d?.message.contains("unexpected character") == true)
        #expect(d?.help?.contains(hint) == true, "\(String(describing: d))")
    }

    @Test("number errors", arguments: [("1e999", "too large"), ("$8%", "percentage"), ("1.8e308B", "too large")])
    func numberErrors(source: String, message: String) {
        let d = LexerTests.error(source)
        #expect(d?.message.contains(message) == true, "\(String(describing: d))")
    }

    // MARK: Private API

    static func kinds(_ source: String) throws -> [Token.Kind] {
        var lexer = Lexer(file: SourceFile(name: "t", text: source))
        return try lexer.tokenize().map(\.kind).filter { $0 != .end }
    }

    static func error(_ source: String) -> Diagnostic? {
        var lexer = Lexer(file: SourceFile(name: "t", text: source))
        do {
            _ = try lexer.tokenize()
            return nil
        } catch {
            return error
        }
    }

    static func value(_ source: String) -> String? {
        guard case .success(let v) = Session().evaluate(source) else { return nil }
        return Format.value(v)
    }
}

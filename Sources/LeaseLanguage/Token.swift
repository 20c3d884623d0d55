import LeaseCore

/// One lexical unit with the span it came from.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        /// A number; `percent` when written `8%` (value 8, shown as a percentage).
        case number(Double, percent: Bool)
        /// `$1.25B`: amount in the currency.
        case money(Double, currency: String)
        case date(CalendarDate)
        case string([StringPiece])
        case identifier(String)
        case keyword(Keyword)
        case symbol(Symbol)
        /// A currency sign not followed by a number, as in `-> $/gpu/h`.
        case currencySign(String)
        case newline
        case end
    }

    var kind: Kind
    var span: Span
}

/// A piece of a string literal: text, or the source range of an `{expr}`.
enum StringPiece: Sendable, Equatable {
    case text(String)
    case interpolation(start: Int, end: Int)
}

enum Keyword: String, Sendable, CaseIterable {
    case `let`, fn, `if`, then, `else`, and, or, not, `true`, `false`, to, step, with
    case cluster, contract, fx, scenario, use, run
}

enum Symbol: String, Sendable {
    case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
    case comma = ",", colon = ":", semicolon = ";", dot = ".", dotdot = "..", arrow = "->"
    case plus = "+", minus = "-", star = "*", slash = "/", caret = "^", percent = "%"
    case equal = "=", equalEqual = "==", bangEqual = "!=", less = "<", lessEqual = "<=", greater = ">"
    case greaterEqual = ">="
}

extension Token.Kind {
    /// How the token reads in an error message.
    var display: String {
        switch self {
        case .number: return "a number"
        case .money: return "an amount of money"
        case .date: return "a date"
        case .string: return "a string"
        case .identifier(let n): return "`\(n)`"
        case .keyword(let k): return "`\(k.rawValue)`"
        case .symbol(let s): return "`\(s.rawValue)`"
        case .currencySign(let c): return "`\(Currency.signOf[c] ?? c)`"
        case .newline: return "the end of the line"
        case .end: return "the end of the input"
        }
    }
}

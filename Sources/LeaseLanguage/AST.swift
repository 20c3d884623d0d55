import LeaseCore

/// An expression and the source it was written as.
public struct Expr: Sendable {
    public indirect enum Kind: Sendable {
        /// A literal number, amount, percentage, date or bool.
        case literal(Value)
        case string([Piece])
        /// A name bound with `let`, a parameter, or a declared object.
        case name(String)
        /// A unit used as a value: `month` in `$1.25B / month` is one month.
        case unit(UnitExpr)
        case negate(Expr)
        case not(Expr)
        case binary(op: BinaryOp, lhs: Expr, rhs: Expr, opSpan: Span)
        case and(Expr, Expr)
        case or(Expr, Expr)
        /// `x -> unit`: convert for display; errors when dimensions differ.
        case convert(Expr, to: UnitExpr, targetSpan: Span)
        case ifThen(cond: Expr, then: Expr, else: Expr)
        case range(from: Expr, to: Expr, step: Expr?)
        case call(name: String, nameSpan: Span, args: [Argument])
        case field(Expr, name: String, nameSpan: Span)
        case index(Expr, Expr)
        case with(Expr, fields: [FieldInit])
        case list([Expr])
        case map([(key: Expr, value: Expr)])
        case record([FieldInit])
        /// `run S: expr`: evaluate `expr` for every row of scenario `S`.
        case run(scenario: String, scenarioSpan: Span, body: Expr)
        /// `solve x in a .. b: lhs == rhs`: the x in [a, b] where lhs − rhs changes sign.
        case solve(variable: String, variableSpan: Span, from: Expr, to: Expr, lhs: Expr, rhs: Expr)
    }

    public enum Piece: Sendable {
        case text(String)
        case expr(Expr)
    }

    public var kind: Kind
    public var span: Span
    /// The type the checker found; nil until the expression is checked.
    public var type: LType?
    /// For a call of a user function: the body as checked for this call's
    /// argument types.
    public var function: FunctionInstance?

    public init(kind: Kind, span: Span, type: LType? = nil) {
        self.kind = kind
        self.span = span
        self.type = type
    }
}

/// A user function checked for one signature of argument types: its typed
/// body and result type. Recursive calls share the instance being checked.
public final class FunctionInstance: @unchecked Sendable {
    public let name: String
    public let parameterTypes: [LType]
    /// Set once the body has been checked.
    public internal(set) var body: Expr?
    public internal(set) var result: LType?
    /// The error found in the body for this signature, reported at each call.
    var failure: Diagnostic?

    init(name: String, parameterTypes: [LType]) {
        self.name = name
        self.parameterTypes = parameterTypes
    }
}

public enum BinaryOp: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", power = "^"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }
}

/// A call argument, positional or named (`at: 2026-09-01`).
public struct Argument: Sendable {
    public var label: String?
    public var labelSpan: Span?
    public var value: Expr
}

/// `name: expr` in a record, a `with`, or a declaration body.
public struct FieldInit: Sendable {
    public var name: String
    public var nameSpan: Span
    public var value: Expr
}

/// One statement of a script or REPL line.
public struct Statement: Sendable {
    public enum Kind: Sendable {
        case `let`(name: String, nameSpan: Span, value: Expr)
        case fn(name: String, nameSpan: Span, params: [(name: String, span: Span)], body: Expr)
        case cluster(name: String, nameSpan: Span, fields: [FieldInit])
        case contract(name: String, nameSpan: Span, fields: [FieldInit])
        case scenario(name: String, nameSpan: Span, fields: [FieldInit])
        /// `fx 1 USD = 1500 KRW`
        case fx(lhs: Expr, rhs: Expr)
        case use(path: String, pathSpan: Span)
        case expr(Expr)
    }

    public var kind: Kind
    public var span: Span
}

/// A user function: its parameters and body, kept for calls and `:save`.
public struct FunctionDecl: Sendable {
    public var name: String
    public var params: [String]
    public var body: Expr
    /// The declaration as written, so `:save` can write it back.
    public var source: String
}

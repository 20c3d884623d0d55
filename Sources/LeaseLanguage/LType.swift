import LeaseCore

/// The static type of an expression, as the checker infers it before
/// anything runs (LANGUAGE.md section 9).
///
/// Quantities carry their dimension and, where every path agrees, the unit
/// the value will be written in; `any` stands for a type the checker cannot
/// know (an empty list's elements, contracts found only at run time) and is
/// accepted wherever a type is expected.
public indirect enum LType: Hashable, Sendable, CustomStringConvertible {
    /// A number or quantity. `unit` is nil when paths disagree on the unit.
    case quantity(Dimension, unit: UnitExpr?)
    /// A month (`2026-05`) or a day; precision nil when either is possible.
    case date(CalendarDate.Precision?)
    case bool
    case string
    case list(LType)
    case map(key: LType, value: LType)
    case record([Field])
    case cluster
    /// A contract; `currency` is its rate's currency when known.
    case contract(currency: String?)
    /// A scenario run's result and its output columns.
    case result([Field])
    /// `plot(x)`.
    case chart
    /// Unknown: accepted everywhere, never an error.
    case any

    public struct Field: Hashable, Sendable {
        public var name: String
        public var type: LType
        public init(_ name: String, _ type: LType) {
            self.name = name
            self.type = type
        }
    }

    public static let number = LType.quantity(.none, unit: UnitExpr.none)
    public static let percent = LType.quantity(.none, unit: UnitExpr(unit: Units.percent))
    public static func quantity(_ u: UnitExpr) -> LType { .quantity(u.dimension, unit: u) }
    public static func money(_ code: String?) -> LType {
        guard let code, let u = Units.currency(code) else { return .any }
        return .quantity(UnitExpr(unit: u))
    }
    public static let days = LType.quantity(UnitExpr(unit: Units.day))
    public static let emptyList = LType.list(.any)

    /// The type of a value already computed (a session's bindings).
    public static func of(_ v: Value) -> LType {
        switch v {
        case .quantity(let q): return .quantity(q.unit)
        case .date(let d): return .date(d.precision)
        case .bool: return .bool
        case .string: return .string
        case .list(let xs):
            var t: LType?
            for x in xs {
                let tx = of(x)
                guard let s = t else { t = tx; continue }
                t = s.join(tx) ?? .any
                if t == .any { break }
            }
            return .list(t ?? .any)
        case .map(let es):
            var k: LType?, w: LType?
            for e in es {
                k = k.map { $0.join(of(e.key)) ?? .any } ?? of(e.key)
                w = w.map { $0.join(of(e.value)) ?? .any } ?? of(e.value)
            }
            return .map(key: k ?? .any, value: w ?? .any)
        case .record(let r): return .record(r.fields.map { Field($0.name, of($0.value)) })
        case .cluster: return .cluster
        case .contract(let c): return .contract(currency: c.currency)
        case .result(let r): return .result(r.outputs.map { Field($0.name, column($0)) })
        case .chart: return .chart
        }
    }

    static func column(_ c: RunResult.Column) -> LType {
        c.isDate ? .date(nil) : .quantity(c.unit)
    }

    /// The type both of two values can be seen as (an `if`'s branches, a
    /// list's elements), or nil when there is none.
    public func join(_ other: LType) -> LType? {
        switch (self, other) {
        case (.any, _): return other
        case (_, .any): return self
        case (.quantity(let d, let u), .quantity(let e, let w)):
            guard d == e else { return nil }
            return .quantity(d, unit: u == w ? u : nil)
        case (.date(let p), .date(let q)): return .date(p == q ? p : nil)
        case (.list(let a), .list(let b)):
            return a.join(b).map { .list($0) }
        case (.map(let k1, let v1), .map(let k2, let v2)):
            guard let k = k1.join(k2), let v = v1.join(v2) else { return nil }
            return .map(key: k, value: v)
        case (.record(let a), .record(let b)):
            guard a.map(\.name) == b.map(\.name) else { return nil }
            var out: [Field] = []
            for (x, y) in zip(a, b) {
                guard let t = x.type.join(y.type) else { return nil }
                out.append(Field(x.name, t))
            }
            return .record(out)
        case (.result(let a), .result(let b)):
            guard a.map(\.name) == b.map(\.name) else { return nil }
            return .result(zip(a, b).map { Field($0.name, $0.type.join($1.type) ?? .any) })
        case (.contract(let a), .contract(let b)): return .contract(currency: a == b ? a : nil)
        default: return self == other ? self : nil
        }
    }

    /// The element type when this is a list, else nil.
    public var element: LType? {
        if case .list(let t) = self { return t }
        return nil
    }

    public var isAny: Bool { self == .any }

    public var isQuantity: Bool {
        if case .quantity = self { return true }
        return false
    }

    public var isDate: Bool {
        if case .date = self { return true }
        return false
    }

    /// The dimension of a quantity, nil for anything else.
    public var dimension: Dimension? {
        if case .quantity(let d, _) = self { return d }
        return nil
    }

    /// Plain numbers (percentages included).
    public var isPlain: Bool { dimension?.isNone == true }

    /// A short name for messages: "a quantity of USD", "a list of dates".
    public var name: String {
        switch self {
        case .quantity(let d, let u):
            if d.isNone { return u?.isPercent == true ? "a percentage" : "a number" }
            return "a quantity of \(d)"
        case .date(let p): return p == .month ? "a month" : p == .day ? "a day" : "a date"
        case .bool: return "a bool"
        case .string: return "a string"
        case .list(let t):
            if case .record = t { return "a table" }
            return t == .any ? "a list" : "a list of \(t.plural)"
        case .map: return "a map"
        case .record: return "a record"
        case .cluster: return "a cluster"
        case .contract: return "a contract"
        case .result: return "a run result"
        case .chart: return "a chart"
        case .any: return "a value"
        }
    }

    private var plural: String {
        switch self {
        case .quantity(let d, let u):
            if d.isNone { return u?.isPercent == true ? "percentages" : "numbers" }
            return "quantities of \(d)"
        case .date(let p): return p == .month ? "months" : "dates"
        case .list: return "lists"
        default:
            let n = name
            return (n.hasPrefix("a ") ? String(n.dropFirst(2)) : n) + "s"
        }
    }

    /// `:type`'s answer: the type with dimension and unit.
    public var description: String {
        switch self {
        case .quantity(let d, let u):
            if d.isNone {
                guard let u, !u.isEmpty else { return "number" }
                return "number (shown as \(u.text()))"
            }
            guard let u else { return "quantity of \(d)" }
            return "quantity of \(d) (in \(u.text()))"
        case .date(let p): return p == .month ? "month" : p == .day ? "date" : "date or month"
        case .bool: return "bool"
        case .string: return "string"
        case .list(let t):
            if case .record(let fs) = t {
                return "table: " + fs.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
            }
            return t == .any ? "list" : "list of \(t)"
        case .map(let k, let v): return "map: \(k) → \(v)"
        case .record(let fs): return "record {" + fs.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + "}"
        case .cluster: return "cluster"
        case .contract(let c): return c.map { "contract (in \($0))" } ?? "contract"
        case .result(let fs):
            if fs.count == 1 { return "run result of \(fs[0].type)" }
            return "run result {" + fs.map { "\($0.name): \($0.type)" }.joined(separator: ", ") + "}"
        case .chart: return "chart"
        case .any: return "value"
        }
    }

    /// A field of a record or result type.
    public func field(_ name: String) -> LType? {
        switch self {
        case .record(let fs), .result(let fs): return fs.first { $0.name == name }?.type
        default: return nil
        }
    }
}

/// A number with a unit. Plain numbers are quantities with no unit.
public struct Quantity: Hashable, Sendable {
    /// The number, written in `unit` (not in base units).
    public var value: Double
    public var unit: UnitExpr

    public init(_ value: Double, _ unit: UnitExpr = .none) {
        self.value = value
        self.unit = unit
    }

    public var dimension: Dimension { unit.dimension }
    /// The number in base units (seconds, watts, one currency unit).
    public var baseValue: Double { unit.toBase(value) }
    public var isPlainNumber: Bool { unit.dimension.isNone }

    /// This quantity written in another unit of the same dimension.
    public func converted(to target: UnitExpr) -> Quantity {
        if target == unit { return self }
        return Quantity(UnitExpr.convert(value, from: unit, to: target), target)
    }
}

/// A record's fields, in the order they were written.
public struct Record: Hashable, Sendable {
    public var fields: [(name: String, value: Value)]

    public init(_ fields: [(name: String, value: Value)]) { self.fields = fields }

    public subscript(name: String) -> Value? {
        fields.first(where: { $0.name == name })?.value
    }

    public static func == (a: Record, b: Record) -> Bool {
        a.fields.count == b.fields.count
            && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
    public func hash(into h: inout Hasher) {
        for f in fields {
            h.combine(f.name)
            h.combine(f.value)
        }
    }
}

/// Every value the language computes with. Values are immutable; `with`
/// builds changed copies.
public indirect enum Value: Hashable, Sendable {
    case quantity(Quantity)
    case date(CalendarDate)
    case bool(Bool)
    case string(String)
    case list([Value])
    /// Ordered key/value pairs, such as discounts by month.
    case map([MapEntry])
    case record(Record)
    case cluster(Cluster)
    case contract(Contract)
    case result(RunResult)
    /// `plot(x)`: one or more charts, shown as text or written as SVG.
    case chart([Chart])

    public struct MapEntry: Hashable, Sendable {
        public var key: Value
        public var value: Value
        public init(key: Value, value: Value) {
            self.key = key
            self.value = value
        }
    }

    public static func number(_ x: Double) -> Value { .quantity(Quantity(x)) }

    /// The user-facing name of the value's type, for messages and `:type`.
    public var typeName: String {
        switch self {
        case .quantity(let q): return q.isPlainNumber && !q.unit.isPercent ? "number" : "quantity"
        case .date(let d): return d.precision == .month ? "month" : "date"
        case .bool: return "bool"
        case .string: return "string"
        case .list(let xs):
            if case .record? = xs.first, isTable { return "table" }
            return "list"
        case .map: return "map"
        case .record: return "record"
        case .cluster: return "cluster"
        case .contract: return "contract"
        case .result: return "result"
        case .chart: return "chart"
        }
    }

    /// A list of records that all have the same field names: shown as columns.
    public var isTable: Bool {
        guard case .list(let xs) = self, case .record(let first)? = xs.first else { return false }
        let names = first.fields.map(\.name)
        return xs.allSatisfy {
            if case .record(let r) = $0 { return r.fields.map(\.name) == names }
            return false
        }
    }
}

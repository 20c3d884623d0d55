/// One of the independent axes a quantity is measured along.
///
/// Each currency is its own base: USD and EUR never mix without a declared
/// `fx` rate, which is the point of a lease language that handles several.
public enum BaseDimension: Hashable, Comparable, Sendable, CustomStringConvertible {
    case currency(String)
    case time
    case power
    case gpu

    public var description: String {
        switch self {
        case .currency(let code): return code
        case .time: return "time"
        case .power: return "power"
        case .gpu: return "gpu"
        }
    }

    private var order: Int {
        switch self {
        case .currency: return 0
        case .gpu: return 1
        case .power: return 2
        case .time: return 3
        }
    }

    public static func < (a: BaseDimension, b: BaseDimension) -> Bool {
        if a.order != b.order { return a.order < b.order }
        if case .currency(let x) = a, case .currency(let y) = b { return x < y }
        return false
    }
}

/// A product of base dimensions with integer exponents, kept sorted so two
/// equal dimensions compare equal structurally.
public struct Dimension: Hashable, Sendable, CustomStringConvertible {
    public private(set) var factors: [Factor]

    public struct Factor: Hashable, Sendable {
        public var base: BaseDimension
        public var exponent: Int
    }

    public static let none = Dimension(factors: [])

    public init(_ base: BaseDimension, _ exponent: Int = 1) {
        factors = exponent == 0 ? [] : [Factor(base: base, exponent: exponent)]
    }

    init(factors: [Factor]) { self.factors = factors }

    public var isNone: Bool { factors.isEmpty }

    /// The currency this dimension contains, if exactly one currency occurs.
    public var currency: (code: String, exponent: Int)? {
        let found = factors.compactMap { f -> (String, Int)? in
            if case .currency(let c) = f.base { return (c, f.exponent) }
            return nil
        }
        return found.count == 1 ? (found[0].0, found[0].1) : nil
    }

    public static func * (a: Dimension, b: Dimension) -> Dimension {
        var result = a.factors
        for f in b.factors {
            if let i = result.firstIndex(where: { $0.base == f.base }) {
                result[i].exponent += f.exponent
            } else {
                result.append(f)
            }
        }
        result.removeAll { $0.exponent == 0 }
        result.sort { $0.base < $1.base }
        return Dimension(factors: result)
    }

    public func power(_ n: Int) -> Dimension {
        if n == 0 { return .none }
        return Dimension(factors: factors.map { Factor(base: $0.base, exponent: $0.exponent * n) })
    }

    public static func / (a: Dimension, b: Dimension) -> Dimension { a * b.power(-1) }

    /// A name a user recognises: `USD`, `power`, `energy`, `USD/time`.
    public var description: String {
        if factors.isEmpty { return "dimensionless" }
        if let named = Dimension.names[self] { return named }
        let num = factors.filter { $0.exponent > 0 }.map { Dimension.render($0.base, $0.exponent) }
        let den = factors.filter { $0.exponent < 0 }.map { Dimension.render($0.base, -$0.exponent) }
        var s = num.isEmpty ? "1" : num.joined(separator: "·")
        for d in den { s += "/" + d }
        return s
    }

    private static func render(_ b: BaseDimension, _ e: Int) -> String {
        e == 1 ? b.description : "\(b.description)^\(e)"
    }

    private static let names: [Dimension: String] = [
        Dimension(.power) * Dimension(.time): "energy",
        Dimension(.gpu) * Dimension(.time): "gpu·time",
    ]
}

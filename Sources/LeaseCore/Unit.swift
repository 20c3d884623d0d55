import Foundation

/// A named unit: its dimension and its factor to the dimension's base unit
/// (seconds, watts, one accelerator, one unit of currency).
public struct UnitDef: Hashable, Sendable {
    /// How the unit is written on output: `MW`, `day`, `USD`.
    public let symbol: String
    /// Plural for long names (`days`); nil for symbols that never inflect.
    public let plural: String?
    public let dimension: Dimension
    public let factor: Double
    /// Time units that add to dates as calendar months (month, year).
    public let calendarMonths: Int?

    public var currency: String? {
        if case .currency(let c)? = dimension.factors.first?.base, dimension.factors.count == 1,
            dimension.factors[0].exponent == 1
        {
            return c
        }
        return nil
    }
}

/// Every unit the language knows, by every name it can be written with.
public enum Units {
    public static let secondsPerMonth = 730.485 * 3600
    public static let secondsPerYear = secondsPerMonth * 12

    private static let time = Dimension(.time)
    private static let power = Dimension(.power)
    private static let gpu = Dimension(.gpu)

    /// Canonical definitions; index into this array is a unit's identity.
    public static let all: [UnitDef] = {
        var u: [UnitDef] = [
            UnitDef(symbol: "s", plural: nil, dimension: time, factor: 1, calendarMonths: nil),
            UnitDef(symbol: "second", plural: "seconds", dimension: time, factor: 1, calendarMonths: nil),
            UnitDef(symbol: "min", plural: nil, dimension: time, factor: 60, calendarMonths: nil),
            UnitDef(symbol: "minute", plural: "minutes", dimension: time, factor: 60, calendarMonths: nil),
            UnitDef(symbol: "h", plural: nil, dimension: time, factor: 3600, calendarMonths: nil),
            UnitDef(symbol: "hour", plural: "hours", dimension: time, factor: 3600, calendarMonths: nil),
            UnitDef(symbol: "day", plural: "days", dimension: time, factor: 86400, calendarMonths: nil),
            UnitDef(symbol: "week", plural: "weeks", dimension: time, factor: 604800, calendarMonths: nil),
            UnitDef(symbol: "month", plural: "months", dimension: time, factor: secondsPerMonth, calendarMonths: 1),
            UnitDef(symbol: "year", plural: "years", dimension: time, factor: secondsPerYear, calendarMonths: 12),
            UnitDef(symbol: "W", plural: nil, dimension: power, factor: 1, calendarMonths: nil),
            UnitDef(symbol: "kW", plural: nil, dimension: power, factor: 1e3, calendarMonths: nil),
            UnitDef(symbol: "MW", plural: nil, dimension: power, factor: 1e6, calendarMonths: nil),
            UnitDef(symbol: "GW", plural: nil, dimension: power, factor: 1e9, calendarMonths: nil),
            UnitDef(symbol: "Wh", plural: nil, dimension: power * time, factor: 3600, calendarMonths: nil),
            UnitDef(symbol: "kWh", plural: nil, dimension: power * time, factor: 3.6e6, calendarMonths: nil),
            UnitDef(symbol: "MWh", plural: nil, dimension: power * time, factor: 3.6e9, calendarMonths: nil),
            UnitDef(symbol: "GWh", plural: nil, dimension: power * time, factor: 3.6e12, calendarMonths: nil),
            UnitDef(symbol: "TWh", plural: nil, dimension: power * time, factor: 3.6e15, calendarMonths: nil),
            UnitDef(symbol: "gpu", plural: "gpus", dimension: gpu, factor: 1, calendarMonths: nil),
            UnitDef(symbol: "gpu_h", plural: nil, dimension: gpu * time, factor: 3600, calendarMonths: nil),
            UnitDef(symbol: "%", plural: nil, dimension: .none, factor: 0.01, calendarMonths: nil),
        ]
        for code in Currency.codes {
            u.append(UnitDef(symbol: code, plural: nil, dimension: Dimension(.currency(code)), factor: 1, calendarMonths: nil))
        }
        return u
    }()

    /// Name (symbol, plural or alias) to index in `all`.
    public static let byName: [String: Int] = {
        var m: [String: Int] = [:]
        for (i, u) in all.enumerated() {
            m[u.symbol] = i
            if let p = u.plural { m[p] = i }
        }
        let aliases: [String: String] = [
            "sec": "s", "secs": "s", "mins": "min", "hr": "h", "hrs": "h",
            "gpu_hour": "gpu_h", "gpu_hours": "gpu_h", "percent": "%",
        ]
        for (alias, target) in aliases { m[alias] = m[target] }
        return m
    }()

    public static func index(_ name: String) -> Int? { byName[name] }

    /// Index of a currency's unit, for money literals.
    public static func currency(_ code: String) -> Int? { byName[code] }

    public static let percent: Int = byName["%"] ?? 0
    public static let day: Int = byName["day"] ?? 0
    public static let month: Int = byName["month"] ?? 0
    public static let gpuIndex: Int = byName["gpu"] ?? 0

    /// Is `name` spelled like a unit? Used to refuse user names that would shadow one.
    public static func isUnitName(_ name: String) -> Bool { byName[name] != nil }

    /// The unit a bare dimension collapses to when nothing better is in sight.
    static func preferred(for base: BaseDimension) -> Int? {
        switch base {
        case .currency(let c): return byName[c]
        case .time: return byName["h"]
        case .power: return byName["MW"]
        case .gpu: return byName["gpu"]
        }
    }
}

/// A unit expression such as `USD/month` or `MW·h`: the unit a quantity's
/// number is written in. Values are stored in these units, not in base units,
/// so `$1.25B/month * 36 months` cancels `month` exactly without rounding.
public struct UnitExpr: Hashable, Sendable {
    public struct Term: Hashable, Sendable {
        public var unit: Int
        public var exponent: Int
        public var def: UnitDef { Units.all[unit] }
        public init(unit: Int, exponent: Int) {
            self.unit = unit
            self.exponent = exponent
        }
    }

    public private(set) var terms: [Term]
    public let dimension: Dimension

    public static let none = UnitExpr(terms: [])

    public init(terms: [Term]) {
        self.terms = terms
        var d = Dimension.none
        for t in terms { d = d * Units.all[t.unit].dimension.power(t.exponent) }
        dimension = d
    }

    public init(unit: Int, exponent: Int = 1) { self.init(terms: [Term(unit: unit, exponent: exponent)]) }

    public var isEmpty: Bool { terms.isEmpty }
    public var isPercent: Bool { terms.count == 1 && terms[0].unit == Units.percent && terms[0].exponent == 1 }

    /// Multiply to convert a number in this unit to base units.
    public var factor: Double {
        var f = 1.0
        for t in terms { f *= pow(Units.all[t.unit].factor, Double(t.exponent)) }
        return f
    }

    /// A number in this unit, in base units. A percentage divides by 100, so
    /// `p%` is the double nearest p/100 (`7% == 0.07`), not p × 0.01.
    public func toBase(_ x: Double) -> Double { isPercent ? x / 100 : x * factor }

    /// A number in base units, in this unit.
    public func fromBase(_ x: Double) -> Double { isPercent ? x * 100 : x / factor }

    /// `x` written in `from`, written in `to` (same dimension).
    public static func convert(_ x: Double, from: UnitExpr, to: UnitExpr) -> Double {
        if from == to { return x }
        if from.isPercent || to.isPercent { return to.fromBase(from.toBase(x)) }
        return x * from.factor / to.factor
    }

    /// A product's number times the scale `product` returned: a scale of a
    /// folded `%` divides by 100, as `toBase` does, so `$1B * 7%` is exact.
    public static func scaled(_ x: Double, by s: Double) -> Double {
        if s == 1 { return x }
        if s == 0.01 { return x / 100 }
        return x * s
    }

    public func power(_ n: Int) -> UnitExpr {
        UnitExpr(terms: n == 0 ? [] : terms.map { Term(unit: $0.unit, exponent: $0.exponent * n) })
    }

    /// The product of two unit expressions, simplified, and the factor the
    /// product of the two numbers must be multiplied by to be in that unit.
    ///
    /// Units of one dimension merge into the first one written (`h·min` is
    /// `h²`), units that cancel disappear, and a lone `%` survives only when
    /// nothing else is left, so `$1B * 8%` is `$80M`, not `8e9 USD·%`.
    public static func product(_ a: UnitExpr, _ b: UnitExpr) -> (UnitExpr, Double) {
        if b.terms.isEmpty { return a.dropPercentIfMixed() }
        if a.terms.isEmpty { return b.dropPercentIfMixed() }
        var scale = 1.0
        var terms = a.terms
        for t in b.terms {
            if let i = terms.firstIndex(where: { $0.unit == t.unit }) {
                terms[i].exponent += t.exponent
            } else if let i = terms.firstIndex(where: {
                $0.def.dimension == t.def.dimension && !$0.def.dimension.isNone
            }) {
                scale *= pow(t.def.factor / terms[i].def.factor, Double(t.exponent))
                terms[i].exponent += t.exponent
            } else {
                terms.append(t)
            }
        }
        terms.removeAll { $0.exponent == 0 }
        var (result, s2) = UnitExpr(terms: terms).dropPercentIfMixed()
        scale *= s2
        // A result whose dimension is one base, written with several units
        // (`USD/gpu/h · gpu_h`), is shown in one unit of that dimension.
        if result.terms.count > 1, result.dimension.factors.count == 1,
            result.dimension.factors[0].exponent == 1
        {
            let base = result.dimension.factors[0].base
            let unit =
                result.terms.first(where: { $0.exponent == 1 && $0.def.dimension == result.dimension })?.unit
                ?? Units.preferred(for: base)
            if let unit {
                let target = UnitExpr(unit: unit)
                scale *= result.factor / target.factor
                result = target
            }
        } else if !result.terms.isEmpty && result.dimension.isNone && !result.isPercent {
            scale *= result.factor
            result = .none
        } else if let named = compound(result) {
            result = named
        }
        return (result, scale)
    }

    /// Power × hours reads as the energy unit people write: `kW·h` is `kWh`.
    private static func compound(_ u: UnitExpr) -> UnitExpr? {
        guard u.terms.count == 2, u.terms.allSatisfy({ $0.exponent == 1 }) else { return nil }
        let names = Set(u.terms.map { $0.def.symbol })
        guard names.contains("h") || names.contains("hour") else { return nil }
        let other = u.terms.first { $0.def.symbol != "h" && $0.def.symbol != "hour" }?.def.symbol ?? ""
        let table = ["W": "Wh", "kW": "kWh", "MW": "MWh", "GW": "GWh", "gpu": "gpu_h"]
        guard let name = table[other], let i = Units.index(name) else { return nil }
        return UnitExpr(unit: i)
    }

    /// Folds dimensionless units into the number unless the unit is a lone `%`.
    private func dropPercentIfMixed() -> (UnitExpr, Double) {
        if isPercent || !terms.contains(where: { $0.def.dimension.isNone }) { return (self, 1) }
        var scale = 1.0
        var kept: [Term] = []
        for t in terms {
            if t.def.dimension.isNone {
                scale *= pow(t.def.factor, Double(t.exponent))
            } else {
                kept.append(t)
            }
        }
        return (UnitExpr(terms: kept), scale)
    }

    /// `USD/month`, `MW·h`, `gpu^2`: how the unit reads after a number.
    /// `plural` inflects a lone long unit (`90 days`).
    public func text(plural: Bool = false, skipCurrency: Bool = false) -> String {
        var num: [String] = []
        var den: [String] = []
        let lone = terms.count == 1 && terms[0].exponent == 1
        var skipped = false
        for t in terms {
            if skipCurrency && !skipped && t.exponent == 1 && t.def.currency != nil {
                skipped = true
                continue
            }
            let name = (lone && plural) ? (t.def.plural ?? t.def.symbol) : t.def.symbol
            let e = abs(t.exponent)
            let s = e == 1 ? name : "\(name)^\(e)"
            if t.exponent > 0 { num.append(s) } else { den.append(s) }
        }
        var out = num.joined(separator: "·")
        if out.isEmpty && !den.isEmpty && !skipped { out = "1" }
        for d in den { out += "/" + d }
        return out
    }

    /// The currency written first, with exponent 1, if the unit is money or money per something.
    public var moneyCurrency: String? {
        for t in terms where t.exponent == 1 {
            if let c = t.def.currency { return c }
        }
        return nil
    }
}

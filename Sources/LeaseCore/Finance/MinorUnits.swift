import Foundation

/// ISO 4217 minor units: the number of decimals an amount due is rounded to.
public enum MinorUnit {
    /// Currencies without minor unit in ISO 4217 (amounts in whole units).
    static let zero: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    ]
    /// Currencies with three decimals in ISO 4217.
    static let three: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]

    /// Decimals of `code`'s minor unit: 0 (JPY, KRW, …), 3 (BHD, KWD, …) or 2,
    /// the ISO 4217 exponent of every code in `Currency.codes`; 2 for an unknown code.
    public static func digits(forCurrency code: String) -> Int {
        if zero.contains(code) { return 0 }
        if three.contains(code) { return 3 }
        return 2
    }
}

/// `x` rounded to `digits` decimals, half to even, on the decimal that `x`
/// prints as (its shortest round-trip representation), not on its exact
/// binary value: 2.675 (binary 2.67499999999999982…) rounds to 2.68, as an
/// analyst reading "2.675" expects, and 0.125 to 0.12, 0.135 to 0.14.
///
/// The result is the double nearest the rounded decimal. NaN and infinities
/// pass through; a result of zero is +0.
/// - Parameters:
///   - x: the amount in the currency's base unit.
///   - digits: decimals to keep, 0…9 (`MinorUnit.digits(forCurrency:)`).
@inlinable @inline(__always)
public func roundToMinorUnit(_ x: Double, digits: Int) -> Double {
    let d = max(0, min(digits, 9))
    return roundToMinorUnit(x, scale: MinorUnits.scale(d), digits: d)
}

/// `roundToMinorUnit(x, digits: d)` with `scale` = 10^d (0 ≤ d ≤ 9) worked out
/// by the caller, once for many amounts.
@inlinable @inline(__always)
public func roundToMinorUnit(_ x: Double, scale: Double, digits d: Int) -> Double {
    guard x.isFinite else { return x }
    let y = x * scale
    if y == 0 { return 0 }
    // Fast path: far from a half, the nearest integer of the binary product is
    // the rounding of the decimal too (both lie within a few ulps of y).
    if abs(y) < 0x1p52 {
        // ⌊y⌋ exactly, through an integer (no call to floor).
        let t = Double(Int64(y))
        let floor = t > y ? t - 1 : t
        let frac = y - floor
        // At least 8 ulps of y plus one ulp of x, scaled (ulp(z) ≤ |z| × 2^-52
        // for a normal z); a wider margin only sends more values to the exact path.
        let margin = abs(y) * 0x1.3p-49
        if abs(y) > 0x1p-900, abs(frac - 0.5) > margin {
            let q = frac < 0.5 ? floor : floor + 1
            return q == 0 ? 0 : q / scale
        }
    }
    return MinorUnits.roundDecimal(x, digits: d)
}

/// `roundToMinorUnit(x, scale:, digits:)` in whole minor units, that is
/// (roundToMinorUnit(x) × scale) rounded, without its division by scale
/// where `fastMinorUnits` decides it: below 2^50 minor units the rounded
/// amount is the double nearest q / scale, and multiplying it back gives q;
/// everywhere else it is that very formula.
@inlinable @inline(__always)
public func minorUnits(_ x: Double, scale: Double, digits d: Int) -> Double {
    let (units, exact) = fastMinorUnits(x, scale: scale)
    if exact { return Double(units) }
    return (roundToMinorUnit(x, scale: scale, digits: d) * scale).rounded(.toNearestOrEven)
}

/// `minorUnits(x, scale:, digits:)` as an integer, without a conversion
/// check or a call, when x × scale is below 2^50 and not within a few ulps
/// of a half (then its nearest integer is the decimal's rounding); `exact`
/// is false otherwise, and the caller takes `minorUnits`.
///
/// Adding 1.5 × 2^52 rounds y to the nearest integer (half to even, moot
/// away from halves) in the low bits of the sum's significand.
@inlinable @inline(__always)
public func fastMinorUnits(_ x: Double, scale: Double) -> (units: Int64, exact: Bool) {
    let y = x * scale
    let shifted = y + 0x1.8p52
    let q = shifted - 0x1.8p52
    let margin = Swift.abs(y) * 0x1.3p-49
    let exact = Swift.abs(y) < 0x1p50 && 0.5 - Swift.abs(y - q) > margin
    return (Int64(bitPattern: shifted.bitPattern) &- Int64(bitPattern: (0x1.8p52 as Double).bitPattern), exact)
}

/// The exact decimal sum of amounts that are whole numbers of minor units,
/// converted to the nearest double once: each amount is taken as its nearest
/// whole number of minor units, summed in Int64, and divided by 10^digits.
/// NaN or infinities give the plain sum; a sum past Int64 a compensated one.
public func exactSum(_ xs: [Double], digits: Int) -> Double {
    let d = max(0, min(digits, 9))
    let scale = MinorUnits.powersOfTen[d]
    var total: Int64 = 0
    for x in xs {
        let y = (x * scale).rounded(.toNearestOrEven)
        guard y.isFinite, abs(y) < 0x1p62 else { return MinorUnits.fallbackSum(xs) }
        let (s, overflow) = total.addingReportingOverflow(Int64(y))
        if overflow { return MinorUnits.fallbackSum(xs) }
        total = s
    }
    return MinorUnits.fromMinorUnits(total, digits: d)
}

public enum MinorUnits {
    @usableFromInline static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]

    /// 10^d for d in 0…9, without reading a global array in a hot loop.
    @inlinable @inline(__always)
    public static func scale(_ d: Int) -> Double {
        switch d {
        case 0: return 1
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        default: return 1e9
        }
    }

    /// The double nearest `units` × 10^−digits.
    static func fromMinorUnits(_ units: Int64, digits: Int) -> Double {
        if units == 0 { return 0 }
        if units.magnitude <= 1 << 53 { return Double(units) / powersOfTen[digits] }
        return Double("\(units)e-\(digits)") ?? Double(units) / powersOfTen[digits]
    }

    static func fallbackSum(_ xs: [Double]) -> Double {
        if !xs.allSatisfy(\.isFinite) { return xs.reduce(0, +) }
        var acc = CompensatedSum()
        for x in xs { acc.add(x) }
        return acc.value
    }

    /// Half-to-even rounding of the shortest decimal of `x` at `digits` places.
    @usableFromInline static func roundDecimal(_ x: Double, digits: Int) -> Double {
        guard let dec = ShortestDecimal(x) else { return x }
        // Value = ±0.d1d2d3… × 10^exponent; keep digits up to 10^−digits.
        let keep = dec.exponent + digits
        if keep < 0 { return 0 }
        if keep >= dec.digits.count { return x }
        var kept = Array(dec.digits[0..<keep])
        let next = dec.digits[keep]
        let rest = dec.digits[(keep + 1)...].contains { $0 != 0 }
        let lastOdd = (kept.last ?? 0) % 2 == 1
        if next > 5 || (next == 5 && (rest || lastOdd)) {
            var i = kept.count - 1
            while i >= 0 {
                if kept[i] == 9 {
                    kept[i] = 0
                    i -= 1
                } else {
                    kept[i] += 1
                    break
                }
            }
            if i < 0 { kept.insert(1, at: 0) }
        }
        let text = (dec.negative ? "-" : "") + (kept.isEmpty ? "0" : kept.map(String.init).joined()) + "e-\(digits)"
        guard let r = Double(text) else { return x }
        return r == 0 ? 0 : r
    }

    /// The decimal digits of a double's shortest round-trip text.
    struct ShortestDecimal {
        var negative: Bool
        /// Significant digits, without leading zeros.
        var digits: [Int]
        /// Position of the decimal point: value = 0.digits × 10^exponent.
        var exponent: Int

        init?(_ x: Double) {
            let text = x.description
            negative = text.hasPrefix("-")
            var mantissa = Substring(negative ? String(text.dropFirst()) : text)
            var exp10 = 0
            if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                guard let v = Int(mantissa[mantissa.index(after: e)...].replacingOccurrences(of: "+", with: "")) else { return nil }
                exp10 = v
                mantissa = mantissa[..<e]
            }
            var intDigits = 0
            var all: [Int] = []
            var seenPoint = false
            // ASCII digits and a point, as `description` writes them (bytes, not Unicode properties).
            for byte in mantissa.utf8 {
                if byte == UInt8(ascii: ".") {
                    seenPoint = true
                    continue
                }
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                all.append(Int(byte - UInt8(ascii: "0")))
                if !seenPoint { intDigits += 1 }
            }
            // Drop leading zeros, moving the point with them.
            var lead = 0
            while lead < all.count - 1 && all[lead] == 0 {
                lead += 1
            }
            digits = Array(all[lead...])
            exponent = intDigits - lead + exp10
        }
    }
}

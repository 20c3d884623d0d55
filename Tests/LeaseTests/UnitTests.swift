import LeaseCore
import LeaseLanguage
import Testing

/// Units and dimensions (LANGUAGE.md section 3).
@Suite("Units and dimensions")
struct UnitTests {
    // MARK: Dimension algebra

    @Test("dimensions multiply, divide and cancel")
    func dimensionAlgebra() {
        let usd = Dimension(.currency("USD")), time = Dimension(.time), power = Dimension(.power), gpu = Dimension(.gpu)
        #expect((usd / time).description == "USD/time")
        #expect((power * time).description == "energy")
        #expect((gpu * time).description == "gpu·time")
        #expect((usd / time) * time == usd)
        #expect(usd / usd == .none)
        #expect((usd / usd).isNone)
        #expect(Dimension.none.description == "dimensionless")
        #expect(time * usd == usd * time, "products are kept in a canonical order")
        #expect((usd / gpu / time).description == "USD/gpu/time")
        #expect(power.power(2) == power * power)
        #expect(power.power(0) == .none)
        #expect(Dimension(.currency("USD")) != Dimension(.currency("EUR")), "each currency is its own base")
    }

    @Test("the currency of a dimension")
    func currencyOfDimension() {
        let d = Dimension(.currency("KRW")) / Dimension(.time)
        #expect(d.currency?.code == "KRW")
        #expect(d.currency?.exponent == 1)
        #expect(Dimension(.power).currency == nil)
        #expect((Dimension(.currency("USD")) * Dimension(.currency("EUR"))).currency == nil)
    }

    // MARK: Factors

    @Test("factors to base units", arguments: [
        ("s", 1.0), ("min", 60), ("h", 3600), ("hour", 3600), ("day", 86400), ("days", 86400), ("week", 604_800),
        ("month", 730.485 * 3600), ("months", 730.485 * 3600), ("year", 12 * 730.485 * 3600),
        ("W", 1), ("kW", 1e3), ("MW", 1e6), ("GW", 1e9), ("kWh", 3.6e6), ("MWh", 3.6e9), ("GWh", 3.6e12),
        ("gpu", 1), ("gpus", 1), ("gpu_h", 3600), ("USD", 1), ("KRW", 1), ("%", 0.01),
    ] as [(String, Double)])
    func factors(name: String, factor: Double) throws {
        let i = try #require(Units.index(name), "`\(name)` must be a unit")
        #expect(abs(Units.all[i].factor - factor) <= 1e-12 * factor)
    }

    @Test("dimensions of units", arguments: [
        ("h", Dimension(.time)), ("month", Dimension(.time)), ("MW", Dimension(.power)),
        ("MWh", Dimension(.power) * Dimension(.time)), ("gpu", Dimension(.gpu)), ("gpu_h", Dimension(.gpu) * Dimension(.time)),
        ("EUR", Dimension(.currency("EUR"))), ("%", Dimension.none),
    ] as [(String, Dimension)])
    func unitDimensions(name: String, dimension: Dimension) throws {
        let i = try #require(Units.index(name))
        #expect(Units.all[i].dimension == dimension)
    }

    @Test("every ISO 4217 code in the list is a unit of its own dimension")
    func isoCodes() {
        for code in Currency.codes {
            guard let i = Units.index(code) else {
                Issue.record("\(code) is not a unit")
                continue
            }
            #expect(Units.all[i].dimension == Dimension(.currency(code)))
        }
        #expect(Currency.codes.count >= 150)
    }

    @Test("a month is 730.485 h, the Gregorian average")
    func month() {
        #expect(Units.secondsPerMonth == 730.485 * 3600)
        #expect(Units.secondsPerYear == 12 * Units.secondsPerMonth)
        #expect(UnitTests.show("1 month -> h") == "730.485 h")
        #expect(UnitTests.show("1 year -> months") == "12 months")
        #expect(UnitTests.show("1 year -> days") == "365.243 days")
        #expect(abs((UnitTests.number("1 year / 1 day") ?? 0) - 365.2425) < 1e-9)
        #expect(abs((UnitTests.number("1 month / 1 h") ?? 0) - 730.485) < 1e-9)
    }

    // MARK: Conversions

    @Test("conversions", arguments: [
        ("1 GW -> MW", "1,000 MW"),
        ("1 MWh -> kWh", "1,000 kWh"),
        ("1 week -> days", "7 days"),
        ("90 days -> h", "2,160 h"),
        ("1 day -> h", "24 h"),
        ("0.08 -> %", "8%"),
        ("1 GW to kW", "1,000,000 kW"),
        ("300 MW * 1 month -> MWh", "219,146 MWh"),
        ("1 kW * 1 h", "1 kWh"),
        ("300 MW * 1 h", "300 MWh"),
        ("220_000 gpu * 1 h", "220,000 gpu_h"),
        ("1 gpu_h -> gpu*h", "1 gpu·h"),
        ("$1.25B / month -> $/year", "$15B/year"),
        ("$1.25B / month / (220_000 gpu) -> $/gpu/h", "$7.78/gpu/h"),
    ])
    func conversions(source: String, expected: String) {
        #expect(UnitTests.show(source) == expected)
    }

    @Test("units that cancel disappear", arguments: [
        ("$1.25B / month * 36 months", "$45B"),
        ("$1.25B / month * 37 months", "$46.25B"),
        ("$1B / $1M", "1,000"),
        ("300 MW / 1 kW", "300,000"),
        ("1 h / 1 min", "60"),
        ("1 year / 1 month", "12"),
        ("$1B * 8%", "$80M"),
        ("(3 MW) ^ 2 / 1 MW", "9 MW"),
        ("36 months * ($1.25B / month)", "$45B"),
    ])
    func cancellation(source: String, expected: String) {
        #expect(UnitTests.show(source) == expected)
    }

    @Test("cancellation is exact for whole months")
    func exactCancellation() {
        guard case .success(.quantity(let q)) = Session().evaluate("$1.25B / month * 37 months") else {
            Issue.record("does not evaluate")
            return
        }
        #expect(q.value == 46.25e9)
        #expect(q.unit.text() == "USD")
    }

    @Test("a unit written after a number binds tighter than * and /")
    func unitBinding() {
        #expect(UnitTests.show("$1.25B / month") == "$1.25B/month")
        #expect(UnitTests.show("6 MW / 2 MW") == "3")
    }

    @Test("same-dimension arithmetic takes the left operand's unit", arguments: [
        ("1 day + 12 h", "1.5 days"), ("12 h + 1 day", "36 h"), ("1 MW + 500 kW", "1.5 MW"), ("500 kW + 1 MW", "1,500 kW"),
        ("1 GW - 1 MW", "0.999 GW"), ("$1B + $500M", "$1.5B"),
    ])
    func leftUnit(source: String, expected: String) {
        #expect(UnitTests.show(source) == expected)
    }

    @Test("comparisons convert between units of one dimension", arguments: [
        ("1 h < 1 day", true), ("1 MW == 1000 kW", true), ("1 month == 730.485 h", true), ("1 year > 365 days", true),
        ("90 days >= 3 months", false), ("$1B != $1000M", false),
    ])
    func comparisons(source: String, expected: Bool) {
        #expect(UnitTests.show(source) == (expected ? "true" : "false"))
    }

    @Test("powers and roots")
    func powers() {
        #expect(UnitTests.show("(3 MW) ^ 2") == "9 MW^2")
        #expect(UnitTests.show("sqrt(9 MW^2)") == "3 MW")
        #expect(UnitTests.show("2 ^ 10") == "1,024")
        #expect(UnitTests.show("2 ^ 3 MW")?.hasPrefix("error") == true, "the exponent must be dimensionless")
        #expect(UnitTests.show("(1 MW) ^ 0.5")?.hasPrefix("error") == true)
    }

    // MARK: Errors

    @Test("adding different dimensions names both", arguments: [
        ("$1B + 300 MW", ["USD", "power"]),
        ("300 MW - 1 h", ["power", "time"]),
        ("1 MWh + 1 MW", ["energy", "power"]),
        ("$1 + €1", ["USD", "EUR"]),
        ("1 + 1 MW", ["dimensionless", "power"]),
        ("$1 < 1 gpu", ["USD", "gpu"]),
    ])
    func mismatches(source: String, names: [String]) {
        let d = UnitTests.error(source)
        for n in names { #expect(d?.message.contains(n) == true, "\(String(describing: d?.message)) should name \(n)") }
    }

    @Test("currencies mix only through a declared rate; the error says how to declare one")
    func currencyWithoutRate() {
        let d = UnitTests.error("$1 + €1")
        #expect(d?.help?.contains("fx") == true, "\(String(describing: d?.help))")
        let c = UnitTests.error("$45B -> KRW")
        #expect(c?.message.contains("KRW") == true)
        let all = (c?.message ?? "") + " " + (c?.help ?? "")
        #expect(all.contains("fx 1 USD"), "\(all)")
    }

    @Test("`->` errors when the dimensions differ", arguments: ["1 MW -> h", "$1 -> MW", "1 -> MW", "1 day -> %"])
    func conversionErrors(source: String) {
        let d = UnitTests.error(source)
        #expect(d != nil)
        #expect(d?.message.contains("convert") == true, "\(String(describing: d))")
    }

    @Test("a user name may not shadow a unit", arguments: ["let h = 3", "let MW = 1", "let days = 2", "fn gpu(x) = x", "let USD = 1"])
    func shadowing(source: String) {
        let d = Session().run(SourceFile(name: "t", text: source))
        #expect(d != nil, "\(source) should be refused")
        #expect(d?.message.contains("unit") == true)
    }

    @Test("UnitExpr.product merges units of one dimension into the first written")
    func product() throws {
        let h = UnitExpr(unit: try #require(Units.index("h")))
        let min = UnitExpr(unit: try #require(Units.index("min")))
        let (u, scale) = UnitExpr.product(h, min)
        #expect(u.text() == "h^2")
        #expect(abs(scale - 1.0 / 60) < 1e-15)
        let usdPerMonth = UnitExpr(terms: [
            .init(unit: try #require(Units.index("USD")), exponent: 1), .init(unit: Units.month, exponent: -1),
        ])
        let (money, s2) = UnitExpr.product(usdPerMonth, UnitExpr(unit: Units.month))
        #expect(money.text() == "USD")
        #expect(s2 == 1)
        let (plain, s3) = UnitExpr.product(h, UnitExpr(unit: try #require(Units.index("day"))).power(-1))
        #expect(plain.isEmpty)
        #expect(abs(s3 - 1.0 / 24) < 1e-15)
    }

    @Test("quantities convert through base units")
    func quantityConversion() throws {
        let q = Quantity(1, UnitExpr(unit: Units.month))
        let h = q.converted(to: UnitExpr(unit: try #require(Units.index("h"))))
        #expect(abs(h.value - 730.485) < 1e-9)
        #expect(q.baseValue == Units.secondsPerMonth)
        #expect(q.dimension == Dimension(.time))
    }

    // MARK: Private API

    static func show(_ source: String) -> String? {
        switch Session().evaluate(source) {
        case .success(let v): return Format.value(v)
        case .failure(let d): return "error: \(d.message)"
        }
    }

    static func number(_ source: String) -> Double? {
        guard case .success(.quantity(let q)) = Session().evaluate(source) else { return nil }
        return q.baseValue
    }

    static func error(_ source: String) -> Diagnostic? {
        if case .failure(let d) = Session().evaluate(source) { return d }
        return nil
    }
}

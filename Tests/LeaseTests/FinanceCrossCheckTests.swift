import Foundation
@testable import LeaseCore
import Testing

/// LeaseCore's financial functions against independent implementations:
/// `scripts/gen_finance_tables.py` computes npv/irr with numpy-financial,
/// XIRR/XNPV with a Python transcription of Excel's algorithm, ASC 842 and
/// IFRS 16 tables with Python's decimal module, and roots with scipy's brentq.
@Suite("finance cross-checked with numpy-financial, Excel and scipy")
struct FinanceCrossCheckTests {
    // MARK: irr and npv

    @Test("the irr table covers what it is meant to")
    func irrTableShape() throws {
        let rows = try FinanceTables.irr().rows
        #expect(rows.count >= 200)
        #expect(rows.filter { $0.error == "noSignChange" }.count >= 5)
        #expect(rows.contains { $0.values.count > 100 })
        #expect(rows.contains { ($0.irr ?? 0) < 0 })
        #expect(rows.contains { ($0.irr ?? 0) > 1 })
        #expect(rows.contains { $0.values.last == 0 })
        #expect(rows.contains { $0.values.first == 0 })
    }

    @Test("irr agrees with numpy-financial", arguments: FinanceTables.irrRows)
    func irrAgrees(row: FinanceTables.IRRRow) {
        do {
            let r = try irr(row.values)
            if let expected = row.irr {
                let tol = row.illConditioned == true ? 1e-6 : 1e-9 * max(abs(expected), 1e-3)
                #expect(abs(r - expected) <= tol, "irr(\(row.values)) = \(r), numpy-financial \(expected)")
            } else {
                Issue.record("irr(\(row.values)) = \(r), numpy-financial reports \(row.error ?? "?")")
            }
        } catch {
            if row.illConditioned == true { return }
            #expect(row.error != nil, "irr(\(row.values)) threw \(error), numpy-financial gives \(row.irr ?? .nan)")
            if row.error == "noSignChange" { #expect(error == .noSignChange(function: "irr")) }
            if row.error == "noRealRoot" { #expect(error == .noRealRoot) }
        }
    }

    @Test("npv agrees with numpy-financial", arguments: FinanceTables.irrRows)
    func npvAgrees(row: FinanceTables.IRRRow) {
        for point in row.npv {
            let got = npv(row.values, point.rate)
            // Relative to the size of the discounted terms: at the irr the sum cancels to 0.
            var scale = 0.0
            for (i, v) in row.values.enumerated() { scale += abs(v) * pow(1 + point.rate, -Double(i)) }
            #expect(abs(got - point.npv) <= 1e-9 * max(scale, 1), "npv(\(row.values), \(point.rate)) = \(got), numpy-financial \(point.npv)")
        }
    }

    // MARK: xirr and xnpv

    @Test("xirr and xnpv agree with Excel's algorithm", arguments: FinanceTables.xirrRows)
    func xirrAgrees(row: FinanceTables.XIRRRow) throws {
        let days = try row.dates.map { try FinanceTables.date($0).ordinal }
        do {
            let r = try xirr(row.amounts, days: days)
            if let expected = row.xirr {
                #expect(abs(r - expected) <= 1e-9 * max(abs(expected), 1), "\(row.name): xirr \(r), Excel's algorithm \(expected)")
            } else {
                Issue.record("\(row.name): xirr \(r), Excel's algorithm reports \(row.error ?? "?")")
            }
        } catch {
            #expect(row.error != nil, "\(row.name): xirr threw \(error), Excel's algorithm gives \(row.xirr ?? .nan)")
            if row.error == "noSignChange" { #expect(error == .noSignChange(function: "xirr")) }
            if row.error == "notConverged" {
                guard case .notConverged = error else {
                    Issue.record("\(row.name): \(error)")
                    return
                }
            }
        }
        for point in row.xnpv {
            let got = try xnpv(point.rate, row.amounts, days: days)
            let scale = row.amounts.reduce(0) { $0 + abs($1) }
            #expect(abs(got - point.xnpv) <= 1e-9 * max(scale, 1), "\(row.name): xnpv at \(point.rate) = \(got), expected \(point.xnpv)")
        }
    }

    @Test("Excel's documented XIRR and XNPV example")
    func excelExample() throws {
        let dates = try ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"].map(FinanceTables.date)
        let amounts = [-10_000.0, 2_750, 4_250, 3_250, 2_750]
        let r = try xirr(amounts, dates: dates)
        // Excel prints 0.373362535; the converged Newton iterate is 0.37336253351883…,
        // 1.5e-9 away, inside Excel's stated accuracy of 0.000001 percent.
        #expect(abs(r - 0.373362535) <= XIRR.tolerance)
        #expect(abs(r - 0.37336253351883164) <= 1e-15)
        #expect(String(format: "%.4f%%", r * 100) == "37.3363%")
        #expect(roundToMinorUnit(try xnpv(0.09, amounts, dates: dates), digits: 2) == 2086.65)
        let table = try FinanceTables.xirr()
        #expect(table.rows.count >= 100)
        #expect(table.rows.first?.name == "excel")
    }

    // MARK: accounting

    @Test("ASC 842 and IFRS 16 tables agree to the cent", arguments: FinanceTables.accountingContracts)
    func accountingAgrees(contract: FinanceTables.AccountingContract) throws {
        let months = try contract.months.map(FinanceTables.date)
        let a = try asc842(payments: contract.payments, months: months, rate: contract.rate, digits: contract.digits)
        let i = try ifrs16(payments: contract.payments, months: months, rate: contract.rate, digits: contract.digits)
        #expect(a.monthlyRate == contract.monthlyRate)
        #expect(a.initialLiability == Double(contract.initialLiability))
        #expect(i.initialLiability == a.initialLiability)
        for (table, expected) in [(a, contract.asc842), (i, contract.ifrs16)] {
            #expect(table.rows.count == expected.count)
            for (k, (row, cells)) in zip(table.rows, expected).enumerated() {
                let got = [row.payment, row.interest, row.liability, row.rouAsset, row.amortization, row.expense]
                let want = cells.map { Double($0) ?? .nan }
                #expect(got == want, "\(contract.name) \(table.standard.rawValue) month \(k + 1) (\(row.month)): \(got) ≠ \(cells)")
                #expect(row.month == months[k])
            }
            #expect(table.rows.last?.liability == 0)
            #expect(table.rows.last?.rouAsset == 0)
        }
    }

    @Test("the accounting table covers zero rates, other minor units and long leases")
    func accountingTableShape() throws {
        let contracts = try FinanceTables.accounting().contracts
        #expect(contracts.count == 20)
        #expect(contracts.contains { $0.rate == 0 })
        #expect(Set(contracts.map(\.digits)) == [0, 2, 3])
        #expect(contracts.contains { $0.months.count == 1 })
        #expect(contracts.contains { $0.months.count >= 120 })
    }

    // MARK: solve

    @Test("solve agrees with scipy's brentq", arguments: FinanceTables.solveRows)
    func solveAgrees(row: FinanceTables.SolveRow) {
        let f = row.function
        do {
            let x = try solve(in: row.a, row.b, f)
            if let root = row.root {
                #expect(abs(x - root) <= 1e-10, "\(row.kind) on [\(row.a), \(row.b)]: \(x), brentq \(root)")
            } else {
                Issue.record("\(row.kind) on [\(row.a), \(row.b)]: \(x), expected \(row.error ?? "?")")
            }
        } catch let e as FinanceError {
            guard row.error != nil, case .noSignChangeInBracket(let a, let b, let fa, let fb) = e else {
                Issue.record("\(row.kind) on [\(row.a), \(row.b)] threw \(e), brentq gives \(row.root ?? .nan)")
                return
            }
            #expect(a == row.a && b == row.b)
            #expect(abs(fa - (row.fa ?? .nan)) <= 1e-12 * max(1, abs(fa)) && abs(fb - (row.fb ?? .nan)) <= 1e-12 * max(1, abs(fb)))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

/// The §10 and §11 examples and the error cases, checked directly.
@Suite("finance functions")
struct FinanceFunctionTests {
    @Test("npv([-40000, 5000, 8000, 12000, 30000], 8%) is 3,065.22")
    func npvExample() {
        let v = npv([-40_000, 5_000, 8_000, 12_000, 30_000], 0.08)
        #expect(roundToMinorUnit(v, digits: 2) == 3065.22)
        #expect(abs(v - 3065.222668179) < 1e-6)
        #expect(npv([], 0.08) == 0)
        #expect(npv([5], 0.5) == 5)
    }

    @Test("irr([-100, 39, 59, 55, 20]) is 28.0948%")
    func irrExample() throws {
        let r = try irr([-100, 39, 59, 55, 20])
        #expect(String(format: "%.4f%%", r * 100) == "28.0948%")
        #expect(abs(npv([-100, 39, 59, 55, 20], r)) < 1e-12)
    }

    @Test("irr chooses among several roots as numpy-financial does")
    func irrRootChoice() throws {
        // Rates −10% and 50%: numpy-financial ≥ 1.1 prefers the rate ≥ 0.
        #expect(abs(try irr([-1, 2.4, -1.35]) - 0.5) < 1e-12)
        // Rates 10% and 20%: the smaller.
        #expect(abs(try irr([-100, 230, -132]) - 0.1) < 1e-12)
        // Only negative rates: the one closest to 0.
        #expect(abs(try irr([-100, 50]) - -0.5) < 1e-12)
        // Trailing zeros are roots at −100%, kept as candidates but never closer.
        #expect(abs(try irr([-100, 60, 60, 0, 0]) - 0.1306623862918075) < 1e-12)
    }

    @Test("with one sign change the direct root is the eigenvalues' choice")
    func irrPathsAgree() throws {
        var rng = SplitMix(seed: 842)
        for _ in 0..<200 {
            let n = 2 + Int(rng.next() % 40)
            let scale = pow(10, Double(rng.next() % 10))
            var xs = [-scale]
            for _ in 1..<n { xs.append(scale * Double(rng.next() % 1000) / 1000 * 4 / Double(n)) }
            if xs.dropFirst().allSatisfy({ $0 == 0 }) { xs[n - 1] = scale }
            let last = try #require(xs.lastIndex { $0 != 0 })
            let core = Array(xs[...last])
            let direct = try #require(singleRootIRR(core))
            let eigen = try #require(irrByEigenvalues(core, trailingZeros: xs.count - 1 - last))
            #expect(abs(direct - eigen) <= 1e-9 * max(abs(eigen), 1e-3), "\(xs): \(direct) vs \(eigen)")
        }
        #expect(singleRootIRR([-1, 2, -1.5]) == nil)
    }

    @Test("irr and xirr without a sign change are errors")
    func noSignChange() {
        #expect(throws: FinanceError.noSignChange(function: "irr")) { try irr([100, 50, 25]) }
        #expect(throws: FinanceError.noSignChange(function: "irr")) { try irr([-5, 0]) }
        #expect(throws: FinanceError.empty(function: "irr")) { try irr([]) }
        #expect(throws: FinanceError.noSignChange(function: "xirr")) { try xirr([100, 200], days: [0, 365]) }
        let message = FinanceError.noSignChange(function: "irr").description
        #expect(message.contains("negative") && message.contains("positive"))
    }

    @Test("xirr that does not converge says so")
    func xirrNotConverged() {
        do {
            _ = try xirr([-1, 1e6], days: [0, 1])
            Issue.record("xirr converged")
        } catch {
            guard case .notConverged(let f, _, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(f == "xirr")
            #expect(error.description.hasPrefix("xirr did not converge: Newton's method from 10%"))
        }
        #expect(throws: FinanceError.lengthMismatch(function: "xirr", amounts: 2, dates: 1)) { try xirr([-1, 2], days: [0]) }
        #expect(throws: FinanceError.dateBeforeFirst(index: 1)) { try xnpv(0.1, [-1, 2], days: [10, 5]) }
        #expect(throws: FinanceError.rateOutOfRange(function: "xnpv", rate: -1)) { try xnpv(-1, [-1, 2], days: [0, 5]) }
    }

    @Test("solve with no root in the bracket reports both ends")
    func solveNoRoot() throws {
        #expect(throws: FinanceError.noSignChangeInBracket(a: -1, b: 1, fa: 2, fb: 2)) {
            try solve(in: -1, 1) { $0 * $0 + 1 }
        }
        let e = FinanceError.noSignChangeInBracket(a: 0, b: 1, fa: -3, fb: -2)
        #expect(e.description == "solve: no sign change between the ends: lhs − rhs is -3 at 0 and -2 at 1")
        #expect(throws: FinanceError.invalidBracket(a: 2, b: 1)) { try solve(in: 2, 1) { $0 } }
        // An exact root at an end is that end.
        #expect(try solve(in: 0, 5) { $0 } == 0)
        #expect(try solve(in: -5, 3) { $0 - 3 } == 3)
        // Errors of the function pass through.
        struct Boom: Error {}
        #expect(throws: Boom.self) { try solve(in: 0, 1) { _ in throw Boom() } }
        let x = try solve(in: 0, 2) { $0 * $0 - 2 }
        #expect(abs(x - 2.0.squareRoot()) <= 2e-12)
    }

    @Test("solveDays finds the first day of the other sign")
    func solveDaysFirstDay() throws {
        #expect(try solveDays(from: 0, to: 100) { Double($0) - 41.5 } == 42)
        #expect(try solveDays(from: 0, to: 100) { Double($0) - 41 } == 41)
        #expect(try solveDays(from: 0, to: 100) { 10 - Double($0) } == 10)
        #expect(throws: FinanceError.self) { try solveDays(from: 0, to: 10) { _ in 1 } }
    }

    @Test("irr of a price: npv of the payments at the rate is the price")
    func irrOfPrice() throws {
        let payments: [Double] =
            Array(repeating: 30_000_000, count: 12) + Array(repeating: 30_900_000, count: 12)
            + Array(repeating: 31_827_000, count: 12)
        for price in [900e6, 1.0e9, 1.1e9, 1.2e9] {
            let r = try irr(payments: payments, price: price)
            let m = pow(1 + r, 1.0 / 12) - 1
            #expect(abs(npv(payments, m) - price) <= 1e-9 * price, "price \(price): rate \(r)")
        }
        // Arrears: month k discounted by k + 1 months.
        let r = try irr(payments: [100, 100], price: 190, arrears: true)
        let v = pow(1 + r, -1.0 / 12)
        #expect(abs(100 * v + 100 * v * v - 190) < 1e-9)
        #expect(throws: FinanceError.noSignChange(function: "irr")) { try irr(payments: [100], price: 0) }
        #expect(throws: FinanceError.noRealRoot) { try irr(payments: [100, 5], price: 90) }
        // At a price equal to the total the rate is 0.
        #expect(abs(try irr(payments: [5, 5, 5], price: 15)) < 1e-12)
    }

    @Test("accounting: one month, zero rate and errors")
    func accountingSmallCases() throws {
        let m = try #require(CalendarDate(year: 2026, month: 7))
        let one = try asc842(payments: [1_000], months: [m], rate: 0.08, digits: 2)
        #expect(one.initialLiability == 1_000)
        #expect(one.rows == [
            .init(month: m, payment: 1_000, interest: 0, liability: 0, rouAsset: 0, amortization: 1_000, expense: 1_000),
        ])
        let months = (0..<3).compactMap { m.adding(months: $0) }
        let zero = try ifrs16(payments: [100, 100, 100.01], months: months, rate: 0, digits: 2)
        #expect(zero.rows.map(\.interest) == [0, 0, 0])
        #expect(zero.rows.map(\.expense) == [100, 100, 100.01])
        #expect(throws: FinanceError.lengthMismatch(function: "asc842", amounts: 2, dates: 3)) {
            try asc842(payments: [1, 2], months: months, rate: 0.05, digits: 2)
        }
        #expect(throws: FinanceError.empty(function: "ifrs16")) { try ifrs16(payments: [], months: [], rate: 0.05, digits: 2) }
        #expect(throws: FinanceError.rateOutOfRange(function: "asc842", rate: -1)) {
            try asc842(payments: [1, 2, 3], months: months, rate: -1, digits: 2)
        }
    }
}

@Suite("minor units")
struct MinorUnitTests {
    @Test("half to even on the decimal the amount prints as")
    func halfEven() {
        #expect(roundToMinorUnit(0.125, digits: 2) == 0.12)
        #expect(roundToMinorUnit(0.135, digits: 2) == 0.14)
        #expect(roundToMinorUnit(2.675, digits: 2) == 2.68)
        #expect(roundToMinorUnit(2.665, digits: 2) == 2.66)
        #expect(roundToMinorUnit(-0.125, digits: 2) == -0.12)
        #expect(roundToMinorUnit(-2.675, digits: 2) == -2.68)
        #expect(roundToMinorUnit(-0.004, digits: 2) == 0)
        #expect(roundToMinorUnit(-0.004, digits: 2).sign == .plus)
        #expect(roundToMinorUnit(2967741935.485, digits: 2) == 2967741935.48)
        #expect(roundToMinorUnit(2967741935.495, digits: 2) == 2967741935.5)
        #expect(roundToMinorUnit(1.005, digits: 2) == 1.0)
        #expect(roundToMinorUnit(1.015, digits: 2) == 1.02)
        #expect(roundToMinorUnit(9.995, digits: 2) == 10)
        #expect(roundToMinorUnit(0.5, digits: 0) == 0)
        #expect(roundToMinorUnit(1.5, digits: 0) == 2)
        #expect(roundToMinorUnit(2.5, digits: 0) == 2)
        #expect(roundToMinorUnit(1234.5675, digits: 3) == 1234.568)
        #expect(roundToMinorUnit(1234.5665, digits: 3) == 1234.566)
        #expect(roundToMinorUnit(1e-7, digits: 2) == 0)
        #expect(roundToMinorUnit(.leastNonzeroMagnitude, digits: 2) == 0)
        #expect(roundToMinorUnit(1.87e12 / 31, digits: 0) == 60322580645)
    }

    @Test("huge, non-finite and already rounded values")
    func edges() {
        #expect(roundToMinorUnit(1.25e9, digits: 2) == 1.25e9)
        #expect(roundToMinorUnit(45035996273704.96, digits: 2) == 45035996273704.96)
        #expect(roundToMinorUnit(1e20, digits: 2) == 1e20)
        #expect(roundToMinorUnit(-1.7976931348623157e308, digits: 2) == -1.7976931348623157e308)
        #expect(roundToMinorUnit(.infinity, digits: 2) == .infinity)
        #expect(roundToMinorUnit(-.infinity, digits: 2) == -.infinity)
        #expect(roundToMinorUnit(.nan, digits: 2).isNaN)
        #expect(roundToMinorUnit(123.456, digits: 2) == 123.46)
        #expect(roundToMinorUnit(0.1 + 0.2, digits: 2) == 0.3)
    }

    @Test("agrees with decimal half-even rounding on random amounts")
    func randomAgainstDecimalText() {
        var rng = SplitMix(seed: 12)
        for _ in 0..<5_000 {
            let cents = Double(rng.next() % 100_000_000_000)
            // Halves and near-halves in the third decimal, of every size.
            let x = (cents + [0.5, 0.49, 0.51, 0.25][Int(rng.next() % 4)]) / 100 * (rng.next() % 2 == 0 ? 1 : -1)
            #expect(roundToMinorUnit(x, digits: 2) == Self.reference(x, digits: 2), "\(x)")
        }
    }

    /// Half-to-even on the shortest decimal text, by digit strings (no fast path).
    static func reference(_ x: Double, digits: Int) -> Double {
        let text = String(format: "%.17g", x)
        // Choose the shortest of %.{1..17}g that round-trips, as description does.
        var shortest = text
        for p in 1...17 {
            let t = String(format: "%.\(p)g", x)
            if Double(t) == x {
                shortest = t
                break
            }
        }
        let value = NSDecimalNumber(string: shortest)
        let handler = NSDecimalNumberHandler(
            roundingMode: .bankers, scale: Int16(digits), raiseOnExactness: false, raiseOnOverflow: false,
            raiseOnUnderflow: false, raiseOnDivideByZero: false)
        let r = value.rounding(accordingToBehavior: handler)
        let d = Double(r.stringValue) ?? .nan
        return d == 0 ? 0 : d
    }

    @Test("exact sums of rounded payments")
    func sums() {
        #expect(exactSum(Array(repeating: 0.1, count: 10), digits: 2) == 1.0)
        #expect(exactSum(Array(repeating: 0.01, count: 1_000_000), digits: 2) == 10_000)
        #expect(exactSum([1.25e9, 1.25e9, 0.01], digits: 2) == 2_500_000_000.01)
        #expect(exactSum([0.1, 0.2], digits: 2) == 0.3)
        #expect(exactSum(Array(repeating: 2967741935.48, count: 37), digits: 2) == 109806451612.76)
        #expect(exactSum([], digits: 2) == 0)
        #expect(exactSum([1.87e12, 3], digits: 0) == 1_870_000_000_003)
        #expect(exactSum([0.001, 0.002], digits: 3) == 0.003)
        #expect(exactSum([.infinity, 1], digits: 2) == .infinity)
        #expect(exactSum([.nan], digits: 2).isNaN)
        #expect(exactSum([1e300, -1e300, 5], digits: 2) == 5)
    }

    @Test("minor units of ISO 4217 codes")
    func digitsOfCodes() {
        #expect(MinorUnit.digits(forCurrency: "USD") == 2)
        #expect(MinorUnit.digits(forCurrency: "EUR") == 2)
        #expect(MinorUnit.digits(forCurrency: "JPY") == 0)
        #expect(MinorUnit.digits(forCurrency: "KRW") == 0)
        #expect(MinorUnit.digits(forCurrency: "KWD") == 3)
        #expect(MinorUnit.digits(forCurrency: "BHD") == 3)
        #expect(MinorUnit.digits(forCurrency: "CLP") == 0)
        let digits = Set(Currency.codes.map { MinorUnit.digits(forCurrency: $0) })
        #expect(digits == [0, 2, 3])
    }
}

/// A tiny deterministic generator for the randomized checks.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The tables in Tests/Fixtures written by scripts/gen_finance_tables.py.
enum FinanceTables {
    struct RatePoint: Decodable, Sendable {
        var rate: Double
        var npv: Double
    }

    struct IRRRow: Decodable, Sendable, CustomTestStringConvertible {
        var values: [Double]
        var irr: Double?
        var error: String?
        var illConditioned: Bool?
        var npv: [RatePoint]
        enum CodingKeys: String, CodingKey {
            case values, irr, error, npv
            case illConditioned = "ill_conditioned"
        }
        var testDescription: String {
            let head = values.prefix(5).map { String($0) }.joined(separator: ", ")
            return "irr([\(head)\(values.count > 5 ? ", … (\(values.count))" : "")])"
        }
    }

    struct IRRTable: Decodable, Sendable { var rows: [IRRRow] }

    struct XNPVPoint: Decodable, Sendable {
        var rate: Double
        var xnpv: Double
    }

    struct XIRRRow: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var amounts: [Double]
        var dates: [String]
        var xirr: Double?
        var error: String?
        var xnpv: [XNPVPoint]
        var testDescription: String { "xirr \(name)" }
    }

    struct XIRRTable: Decodable, Sendable { var rows: [XIRRRow] }

    struct AccountingContract: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var currency: String
        var digits: Int
        var rate: Double
        var monthlyRate: Double
        var months: [String]
        var payments: [Double]
        var initialLiability: String
        var asc842: [[String]]
        var ifrs16: [[String]]
        enum CodingKeys: String, CodingKey {
            case name, currency, digits, rate, months, payments, asc842, ifrs16
            case monthlyRate = "monthly_rate"
            case initialLiability = "initial_liability"
        }
        var testDescription: String { "\(name): \(months.count) months \(currency) at \(rate)" }
    }

    struct AccountingTable: Decodable, Sendable { var contracts: [AccountingContract] }

    struct SolveRow: Decodable, Sendable, CustomTestStringConvertible {
        var kind: String
        var a: Double
        var b: Double
        var c: [Double]?
        var k: Double?
        var amounts: [Double]?
        var target: Double?
        var root: Double?
        var error: String?
        var fa: Double?
        var fb: Double?
        var testDescription: String { "\(kind) on [\(a), \(b)]" }

        /// The same function the generator gave brentq.
        var function: @Sendable (Double) -> Double {
            switch kind {
            case "poly":
                let c = self.c ?? []
                return { x in c.reversed().reduce(0) { $0 * x + $1 } }
            case "exp":
                let k = self.k ?? 0
                return { x in exp(x) - k }
            case "cos":
                return { x in cos(x) - x }
            default:
                let amounts = self.amounts ?? []
                let target = self.target ?? 0
                return { r in npv(amounts, r) - target }
            }
        }
    }

    struct SolveTable: Decodable, Sendable { var rows: [SolveRow] }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func load<T: Decodable>(_ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: folder.appendingPathComponent(name)))
    }

    static func irr() throws -> IRRTable { try load("irr_table.json") }
    static func xirr() throws -> XIRRTable { try load("xirr_table.json") }
    static func accounting() throws -> AccountingTable { try load("lease_accounting_table.json") }
    static func solve() throws -> SolveTable { try load("solve_table.json") }

    // Rows for `@Test(arguments:)`; a missing table fails the shape tests instead.
    static let irrRows: [IRRRow] = (try? irr().rows) ?? []
    static let xirrRows: [XIRRRow] = (try? xirr().rows) ?? []
    static let accountingContracts: [AccountingContract] = (try? accounting().contracts) ?? []
    static let solveRows: [SolveRow] = (try? solve().rows) ?? []

    struct BadDate: Error { var text: String }

    /// `2008-01-01` or `2026-07` as a CalendarDate.
    static func date(_ text: String) throws -> CalendarDate {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count >= 2, let d = CalendarDate(year: parts[0], month: parts[1], day: parts.count > 2 ? parts[2] : nil)
        else { throw BadDate(text: text) }
        return d
    }
}

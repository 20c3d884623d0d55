import Foundation
import LeaseCore
@testable import LeaseLanguage
import LeaseVector
import Testing

/// Present values over grids worked out by parts (`Payments.Factored`):
/// every row bit for bit the scalar evaluator's, including the rows whose
/// listed month is prorated or charged, which are worked out whole.
@Suite("present values by parts: vectorized vs scalar")
struct FactoredPresentValueTests {
    static let model = """
        cluster k { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }
        contract c {
          lessor: "xAI"; lessee: "Anthropic"; cluster: k
          start: 2026-05; end: 2029-05
          rate: $1.25B / month
          discounts: [2026-05: 50%, 2026-06: 50%]
          notice: 90 days
        }
        let arr = c with {timing: "arrears"}
        let esc = c with {escalation: 3%, renewal: {months: 6, rate: $1.4B / month}}
        let fee = c with {termination_fee: 2 months}
        let odd = c with {discounts: [2026-05: 10%, 2027-04: 20%, 2028-05: 30%, 2029-04: 40%]}
        scenario g {
          notice_on: 2026-01-20 .. 2029-06-01 step 23 days
          discount: 0% .. 60% step 7.5%
          rate: $1.0B/month .. $1.5B/month step $0.125B/month
        }
        scenario e {
          notice_on: 2026-01-20 .. 2029-06-01 step 41 days
          discount: 0% .. 60% step 12%
          rate: $1.0B/month .. $1.5B/month step $0.25B/month
          g: 0% .. 6% step 2%
        }

        """

    static func check(_ s: String, _ body: String, sourceLocation: SourceLocation = #_sourceLocation) {
        agree(model, s, body, counter: { EngineCounters.factoredKernels }, path: "by parts", sourceLocation: sourceLocation)
    }

    /// `agreeVectorized`, and the kernel path that `counter` counts ran for it.
    static func agree(
        _ model: String, _ s: String, _ body: String, counter: () -> Int, path: String, sourceLocation: SourceLocation
    ) {
        let before = counter()
        DifferentialTests.agreeVectorized(model, s, body, sourceLocation: sourceLocation)
        #expect(counter() > before, "not worked out \(path): \(body)", sourceLocation: sourceLocation)
    }

    @Test("the benchmark's run, with notices that end the lease inside its discounted months")
    func terminated() {
        Self.check("g", "npv(terminate(c with {rate: rate, discounts: [2026-05: discount, 2026-06: discount]}, notice_on: notice_on), 8%)")
        Self.check("g", "npv(terminate(c with {rate: rate, discounts: [2026-06: discount]}, notice_on: notice_on), 0%)")
    }

    @Test("a termination fee billed in a discounted month, and payments in arrears")
    func feeAndArrears() {
        Self.check("g", "npv(terminate(fee with {rate: rate, discounts: [2026-05: discount, 2026-06: discount]}, notice_on: notice_on), 8%)")
        Self.check("g", "npv(terminate(arr with {rate: rate, discounts: [2026-05: discount, 2026-06: discount]}, notice_on: notice_on), 6%)")
    }

    @Test("escalation by one % or by row, renewal, discounts in later years, and npv at a month")
    func escalation() {
        Self.check("g", "npv(terminate(esc with {rate: rate, discounts: [2026-05: discount, 2027-06: discount / 2]}, notice_on: notice_on), 8%)")
        Self.check("e", "npv(terminate(c with {rate: rate, escalation: g, discounts: [2026-05: discount]}, notice_on: notice_on), 8%)")
        Self.check("g", "npv(terminate(odd with {rate: rate, discounts: [2026-05: discount, 2029-04: discount]}, notice_on: notice_on), 8%)")
        Self.check("g", "npv(terminate(odd with {rate: rate, discounts: [2027-04: discount, 2028-05: 1 - discount]}, notice_on: notice_on), 8%, at: 2026-09)")
    }
}

/// Present values of samples laid out once per last month (`Payments.Layouts`):
/// every row bit for bit the scalar evaluator's, including rows whose
/// escalation groups bill the same amount after rounding.
@Suite("present values by layouts: vectorized vs scalar")
struct LayoutPresentValueTests {
    static let model = FactoredPresentValueTests.model + """
        let near = c with {escalation: [2026-05: 100, 2027-05: 100.0000000001, 2028-05: 100.0000000002]}
        scenario m {
          rate: uniform($1.0B, $1.5B) / month
          notice_on: uniform(2026-01-01, 2029-08-01)
          discount: triangular(0%, 30%, 60%)
          samples: 2_000
          seed: 11
        }

        """

    static func check(_ body: String, sourceLocation: SourceLocation = #_sourceLocation) {
        DifferentialTests.agreeVectorized(model, "m", body, sourceLocation: sourceLocation)
    }

    @Test("terminated, discounted, escalated, renewed, in arrears and from a later month")
    func samples() {
        Self.check("npv(terminate(c with {rate: rate, discounts: [2026-05: discount, 2026-06: discount]}, notice_on: notice_on), 8%)")
        Self.check("npv(terminate(esc with {rate: rate, discounts: [2027-06: discount]}, notice_on: notice_on), 7%)")
        Self.check("npv(terminate(arr with {rate: rate}, notice_on: notice_on), 6%, at: 2026-11)")
        Self.check("npv(terminate(near with {rate: rate}, notice_on: notice_on), 8%)")
        Self.check("npv(terminate(fee with {rate: rate, discounts: [2026-06: discount]}, notice_on: notice_on), 8%)")
        Self.check("npv(c with {rate: rate, discounts: [2026-05: discount]}, 8%)")
    }

    static let flatModel = model + """
        scenario halves {
          rate: choice([$1_000.005, $1_000.125, $2_000.375, $999.995, $1.25B, $100_000_000_000_000]) / month
          notice_on: uniform(2026-01-01, 2029-08-01)
          discount: choice([0%, 0.5%, 12.5%, 50%])
          samples: 2_000
          seed: 5
        }

        """

    static func checkFlat(_ s: String, _ body: String, sourceLocation: SourceLocation = #_sourceLocation) {
        FactoredPresentValueTests.agree(flatModel, s, body, counter: { EngineCounters.flatLayoutKernels }, path: "by flat layouts",
                                        sourceLocation: sourceLocation)
    }

    @Test("flat layouts: amounts at half a cent, past 2^51 cents, one column for two discounts, renewal and an index")
    func flat() {
        // Half cents take the exact rounding; $100 trillion a month is past the exact sum and is summed compensated.
        Self.checkFlat("halves", "npv(terminate(c with {rate: rate, discounts: [2026-05: discount, 2026-06: discount]}, notice_on: notice_on), 8%)")
        Self.checkFlat("halves", "npv(terminate(esc with {rate: rate, discounts: [2026-05: discount, 2027-06: discount / 2]}, notice_on: notice_on), 5%)")
        Self.checkFlat("halves", "npv(terminate(near with {rate: rate}, notice_on: notice_on), 8%, at: 2027-02)")
        Self.checkFlat("m", "npv(terminate(c with {rate: rate, discounts: [2026-05: discount, 2026-06: discount]}, notice_on: notice_on), 8%)")
        Self.checkFlat("m", "npv(terminate(arr with {rate: rate, discounts: [2026-06: discount, 2026-05: discount]}, notice_on: notice_on), 0%)")
    }
}

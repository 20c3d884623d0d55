import Foundation
import LeaseCore
@testable import LeaseLanguage
import LeaseVector
import Testing

/// The deal terms of LANGUAGE.md §11 in runs: every row of the vectorized
/// engine bit for bit the scalar evaluator's, and no run falls back.
@Suite("deal terms: vectorized vs scalar")
struct DealTermsDifferentialTests {
    static let model = """
        cluster k { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }
        contract c {
          lessor: "xAI"; lessee: "Anthropic"; cluster: k
          start: 2026-05; end: 2029-05
          rate: $1.25B / month
          discounts: [2026-05: 50%, 2026-06: 50%]
          notice: 90 days
        }
        let cpi = [2026-05: 321.4, 2027-05: 330.9, 2028-05: 339.2]
        let deal = c with {termination_fee: 3 months, minimum: $30B, usage: $0.40 / gpu / h,
                           utilization: [2026-05: 40%, 2026-09: 70%], escalation: cpi,
                           renewal: {months: 12, rate: $1.4B / month}}
        let arr = deal with {timing: "arrears"}
        let flat = c with {termination_fee: $500M, escalation: 3%, renewal: {months: 6}}
        scenario g {
          notice_on: 2026-02-01 .. 2030-09-01 step 19 days
          discount: 0% .. 60% step 30%
          fee: [$0, $400M]
        }
        scenario m {
          rate: uniform($1.0B, $1.5B) / month
          notice_on: uniform(2026-01-01, 2030-06-01)
          discount: triangular(0%, 30%, 60%)
          esc: uniform(0%, 5%)
          samples: 1_000
          seed: 7
        }

        """

    /// Runs `body` over scenario `s` in both engines; they must agree and the vector engine must not fall back.
    static func check(_ s: String, _ body: String, sourceLocation: SourceLocation = #_sourceLocation) {
        DifferentialTests.agreeVectorized(model, s, body, sourceLocation: sourceLocation)
    }

    @Test("termination fee and take-or-pay minimum in exposure, npv and total")
    func feeAndMinimum() {
        Self.check("g", "exposure(deal with {discounts: [2026-05: discount]}, at: notice_on)")
        Self.check("g", "npv(terminate(deal with {termination_fee: fee}, notice_on: notice_on), 8%)")
        Self.check("g", "total(terminate(flat with {termination_fee: fee, minimum: fee * 50}, notice_on: notice_on))")
        Self.check("g", "exposure(c with {minimum: $20B + fee * 10}, at: notice_on)")
        Self.check("m", "exposure(flat with {rate: rate, escalation: esc}, at: notice_on)")
        Self.check("m", "npv(terminate(deal with {rate: rate}, notice_on: notice_on), 8%)")
    }

    @Test("a second notice re-bills the fee and shortfall, or keeps them when it is later")
    func terminateTwice() {
        Self.check("g", "total(terminate(terminate(deal, notice_on: notice_on), notice_on: 2027-06-01))")
        Self.check("g", "exposure(terminate(flat, notice_on: 2028-01-01), at: notice_on)")
    }

    @Test("usage, utilization and an index escalation in every query")
    func usageAndIndex() {
        Self.check("g", "{t: total(deal with {discounts: [2026-06: discount]}), p: payment(deal, notice_on), r: remaining(deal, at: notice_on)}")
        Self.check("g", "paid(terminate(deal, notice_on: notice_on), 2027)")
        Self.check("m", "{a: npv(deal with {rate: rate, discounts: [2026-05: discount]}, 8%), b: paid(deal with {rate: rate}, 2028)}")
    }

    @Test("payments in arrears, and npv at a chosen month")
    func arrearsAndAt() {
        Self.check("g", "npv(arr with {discounts: [2026-06: discount]}, 7%, at: notice_on)")
        Self.check("g", "npv(c, 8%, at: notice_on)")
        Self.check("m", "{a: npv(arr with {rate: rate}, 8%), b: npv(c with {rate: rate}, 9%, at: notice_on), c: npv(arr, esc, at: notice_on)}")
        Self.check("m", "npv(terminate(arr with {rate: rate}, notice_on: notice_on), 8%, at: 2027-01)")
    }

    @Test("renewal: renewed terms, rates and escalation going on")
    func renewal() {
        Self.check("g", "npv(terminate(renew(deal) with {discounts: [2026-06: discount]}, notice_on: notice_on), 8%)")
        Self.check("g", "exposure(renew(flat, times: 2), at: notice_on)")
        Self.check("m", "total(renew(flat with {rate: rate, escalation: esc}))")
    }

    @Test("irr of a contract per row")
    func irr() {
        Self.check("g", "irr(deal with {discounts: [2026-05: discount]}, price: $30B + fee)")
        Self.check("m", "irr(c with {rate: rate}, price: $10B + rate * 1 month)")
    }

    @Test("a varying notice, share or end in with")
    func varyingFields() {
        Self.check("g", "exposure(c with {notice: 30 days + discount * 300 days}, at: notice_on)")
        Self.check("g", "months(terminate(flat with {notice: 1 month + discount * 10 months}, notice_on: notice_on))")
        Self.check("g", "total(c with {end: notice_on + 140 days})")
        Self.check("g", "npv(deal with {minimum: $0, end: notice_on + 400 days, discounts: [2026-06: discount]}, 8%)")
        Self.check("g", "exposure(flat with {end: notice_on + 700 days, termination_fee: fee}, at: 2027-01-01)")
        Self.check("m", "{a: total(c with {share: 20% + esc * 10, rate: rate}), b: exposure(c with {notice: esc * 2000 days}, at: notice_on)}")
        Self.check("g", "{a: npv(flat with {discounts: [:], start: 2026-01 + discount * 10 months}, 8%), b: exposure(deal with {discounts: [:], escalation: 2%, start: 2026-05 + discount * 10 months, minimum: $0}, at: notice_on)}")
        Self.check("m", "terminate(c with {start: 2026-05 + round(esc / 1%) * 1 month, discounts: [2026-10: discount]}, notice_on: notice_on).end")
    }

    @Test("returns of lists, party totals and deal-term fields in runs")
    func rowwise() {
        Self.check("g", "{a: irr([-$100, $30 + discount * $100, $80]), b: npv([-$100, $60 + discount * $10, $60], 8%)}")
        Self.check("g", "{a: xnpv(discount, [-$100, $60, $60], [2026-01-01, 2026-06-01, notice_on]), b: revenue(\"xAI\", year(notice_on))}")
        Self.check("g", "xirr([-$100, $60, $60 + fee / 1_000_000], [2026-01-01, 2026-06-01, 2027-01-01])")
        Self.check("g", "{a: (deal with {discounts: [2026-05: discount]}).termination_fee, b: terminate(deal, notice_on: notice_on).minimum}")
        Self.check("m", "{a: (flat with {rate: rate}).utilization, b: spend(\"Anthropic\", 2027-01, 2027-01 + round(esc / 1%) * 1 month)}")
    }

    @Test("aggregates of each row's cashflows and lease tables")
    func rowLists() {
        Self.check("g", "sum(cashflows(terminate(deal with {discounts: [2026-05: discount]}, notice_on: notice_on)))")
        Self.check("g", "{a: count(asc842(terminate(flat, notice_on: notice_on), 5%)), b: max(cashflows(flat with {discounts: [2026-05: discount]}))}")
        Self.check("m", "mean(cashflows(c with {rate: rate}))")
    }
}

import Foundation
import LeaseCore
@testable import LeaseLanguage
import Testing

/// What `:save` writes of contracts with deal terms, `:load` reads back equal:
/// each field, a renewed copy, and a terminated copy with its fee and shortfall.
@Suite("deal terms survive :save and :load")
struct DealTermsSaveTests {
    static let deal = """
        cluster k { owner: "xAI"; site: "Memphis, TN"; power: 300 MW; gpus: 220_000 gpu }
        let cpi = [2026-05: 321.4, 2027-05: 330.9, 2028-05: 339.2]
        contract c {
          lessor: "xAI"; lessee: "Anthropic"; cluster: k
          start: 2026-05; end: 2029-05; rate: $1.25B / month
          discounts: [2026-05: 50%, 2026-06: 50%]; notice: 90 days
          timing: "arrears"; termination_fee: 3 months; minimum: $30B
          usage: $0.40 / gpu / h; utilization: [2026-05: 40%, 2026-09: 70%]
          escalation: cpi; renewal: {months: 12, rate: $1.4B / month}
        }
        cluster k2 { owner: "xAI"; site: "Memphis, TN"; power: 100 MW; gpus: 50_000 gpu }
        contract flat {
          lessor: "xAI"; lessee: "B"; cluster: k2
          start: 2026-05; end: 2027-04; rate: $1B / month; termination_fee: $200M; utilization: 50%
        }

        """

    @Test("a declared contract with every deal term")
    func declared() throws {
        let (a, b, saved) = try DataLossTests.saveAndLoad(Self.deal + "let x = total(c)\n")
        #expect(saved.omitted.isEmpty)
        #expect(a.model == b.model)
    }

    @Test("copies made by with, renew and terminate")
    func copies() throws {
        let (_, b, saved) = try DataLossTests.saveAndLoad(Self.deal + """
            let r1 = renew(c)
            let r2 = renew(c, times: 2)
            let t = terminate(c, notice_on: 2027-03-01)
            let early = terminate(c, notice_on: 2026-01-01)
            let w = c with {timing: "advance", minimum: $20B}
            let tf = terminate(flat, notice_on: 2026-08-15)
            """)
        #expect(saved.omitted.isEmpty)
        guard case .contract(let t)? = b.globals["t"] else {
            Issue.record("t is not a contract")
            return
        }
        #expect(t.terms.termination?.charge ?? 0 > 0)
    }
}

import Foundation
import LeaseCore
import LeaseLanguage
import LeaseVector
import Testing

/// Sessions that carry on after an error, as the REPL does.
@Suite struct SessionTests {
    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ s: String) {
            lock.lock()
            items.append(s)
            lock.unlock()
        }
        var last: String? {
            lock.lock()
            defer { lock.unlock() }
            return items.last
        }
        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return items
        }
    }

    func session(_ out: Output, vectorized: Bool = false, threads: Int = 1) -> Session {
        let s = Session { out.add(OutputFormat.text.render($0)) }
        if vectorized { VectorEngine.install(in: s, threads: threads) }
        return s
    }

    func run(_ s: Session, _ text: String) -> Diagnostic? { s.run(SourceFile(name: "<test>", text: text)) }

    static let model = """
        cluster k { power: 100 MW; gpus: 1000 gpu }
        contract a { lessor: "L"; lessee: "A"; cluster: k; share: 60%; start: 2026-01; end: 2026-12; rate: $1M / month }
        """

    @Test func overCommitLeavesTheModelUnchanged() {
        let out = Output()
        let s = session(out)
        #expect(run(s, Self.model) == nil)
        let err = run(s, """
            contract b { lessor: "L"; lessee: "B"; cluster: k; share: 50%; start: 2026-06; end: 2027-03; rate: $1M / month }
            """)
        #expect(err?.message.contains("2026-06") == true)
        #expect(err?.message.contains("a (60%)") == true && err?.message.contains("b (50%)") == true)
        #expect(run(s, "count(contracts(k))") == nil)
        #expect(out.last == "1")
        #expect(run(s, "b") != nil, "the rejected contract must not be bound")
        #expect(run(s, "capacity(k, at: 2026-07).leased") == nil)
        #expect(out.last == "60%")
    }

    @Test func rejectedRedeclarationKeepsTheOldContract() {
        let out = Output()
        let s = session(out)
        #expect(run(s, Self.model) == nil)
        let err = run(s, """
            contract a { lessor: "L"; lessee: "A"; cluster: k; start: 2026-01; end: 2025-12; rate: $1M / month }
            """)
        #expect(err != nil)
        #expect(run(s, "total(a)") == nil)
        #expect(out.last == "$12M")
    }

    @Test func rejectedClusterRedeclarationKeepsTheOldCluster() {
        let out = Output()
        let s = session(out)
        #expect(run(s, Self.model) == nil)
        #expect(run(s, "k.power") == nil)
        #expect(out.last == "100 MW")
        #expect(run(s, "cluster k { power: 100 MW }") != nil)
        #expect(run(s, "a.cluster.gpus") == nil)
        #expect(out.last == "1,000 gpus")
    }

    @Test func errorsKeepEveryBinding() {
        let out = Output()
        let s = session(out)
        #expect(run(s, "let x = $5M") == nil)
        #expect(run(s, "fn twice(v) = v * 2") == nil)
        #expect(run(s, "x + 3 MW") != nil)
        #expect(run(s, "twice(x)") == nil)
        #expect(out.last == "$10M")
    }

    static let sample = """
        cluster colossus1 { power: 300 MW; gpus: 220_000 gpu }
        contract anthropic {
          lessor: "xAI"; lessee: "Anthropic"; cluster: colossus1
          start: 2026-05; end: 2029-05; rate: $1.25B / month
          discounts: [2026-05: 50%, 2026-06: 50%]; notice: 90 days
        }
        scenario mc {
          rate: uniform($1.0B, $1.5B) / month
          notice_on: uniform(2026-06-01, 2029-02-01)
          discount: triangular(0%, 30%, 60%)
          samples: 200_000
          seed: 42
        }
        let r = run mc: npv(terminate(anthropic with {rate: rate, discounts: [2026-05: discount, 2026-06: discount]},
                        notice_on: notice_on), 8%)
        [r.mean, r.sd, r.min, r.p5, r.p50, r.p95, r.max] -> USD
        """

    /// The same seed gives the same result whatever the thread count or evaluator.
    @Test func samplesDoNotDependOnThreads() throws {
        var results: [[Double]] = []
        for (vectorized, threads) in [(true, 1), (true, 2), (true, 3)] {
            let out = Output()
            let s = session(out, vectorized: vectorized, threads: threads)
            #expect(run(s, Self.sample) == nil)
            guard case .result(let r)? = s.globals["r"] else {
                Issue.record("no result")
                return
            }
            results.append(r.outputs[0].values)
        }
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
    }
}

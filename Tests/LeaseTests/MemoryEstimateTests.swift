import Foundation
import LeaseCore
@testable import LeaseLanguage
import LeaseVector
import Testing

/// The up-front memory check (issue 11): a sample run computes its rows in
/// batches, so what grows with its rows is its result, a column per
/// parameter and output and one for a summary; a grid may hold every
/// intermediate column at full length.
@Suite("memory estimates for runs")
struct MemoryEstimateTests {
    static func plan(_ text: String, body: String) throws -> (Interpreter.ScenarioPlan, Expr) {
        let session = Session()
        let d = session.run(SourceFile(name: "m.lease", text: Fixtures.colossus + "\n" + text))
        #expect(d == nil, "\(d.map { "\($0)" } ?? "")")
        var interp = Interpreter(session: session)
        guard let decl = session.scenarios["sc"] else { throw CancellationError() }
        let statements = try Parser.parse(SourceFile(name: "b.lease", text: body))
        guard case .expr(let e)? = statements.first?.kind else { throw CancellationError() }
        var plan = try interp.plan(decl, e.span)
        plan.range = 0..<plan.rows
        return (plan, e)
    }

    static let mcBody = "npv(terminate(anthropic with {rate: rate, discounts: [2026-05: discount, 2026-06: discount]}, notice_on: notice_on), 8%)"

    @Test("a sample needs 8 bytes a row for each parameter, each output and a summary, plus its batches")
    func sample() throws {
        let (plan, body) = try Self.plan("""
            scenario sc {
              rate: uniform($1.0B, $1.5B) / month
              notice_on: uniform(2026-06-01, 2029-02-01)
              discount: triangular(0%, 30%, 60%)
              samples: 10_000_000
              seed: 42
            }
            """, body: Self.mcBody)
        let need = Interpreter.memoryNeed(plan, body: body, batchRows: VectorEngine.batchRows, threads: 2)
        #expect(need.perRow == 8 * (3 + 1 + 1))
        // The batches' intermediate columns: bounded whatever the samples.
        let held = Interpreter.columnsHeld(plan, body: body)
        #expect(need.fixed == 2 * VectorEngine.batchRows * held * 8)
        let bytes = need.bytes(rows: 10_000_000)
        #expect(bytes > 10_000_000 * 32, "more than the result's columns alone")
        #expect(bytes < 10_000_000 * 60, "far less than one column per step at full length")
    }

    @Test("a record with two outputs needs a column for each")
    func record() throws {
        let (plan, body) = try Self.plan("""
            scenario sc {
              x: normal(0, 1)
              samples: 1_000
              seed: 1
            }
            """, body: "{a: x, b: x * 2}")
        let need = Interpreter.memoryNeed(plan, body: body, batchRows: VectorEngine.batchRows, threads: 1)
        #expect(need.perRow == 8 * (1 + 2 + 1))
        #expect(need.fixed == 1_000 * Interpreter.columnsHeld(plan, body: body) * 8, "a batch no longer than the sample")
    }

    @Test("a grid may hold every step's column at full length")
    func grid() throws {
        let (plan, body) = try Self.plan("""
            scenario sc {
              notice_on: 2026-06-01 .. 2029-02-01 step 1 day
              discount: 0% .. 60% step 1%
            }
            """, body: "exposure(anthropic with {discounts: [2026-05: discount]}, at: notice_on)")
        let need = Interpreter.memoryNeed(plan, body: body, batchRows: VectorEngine.batchRows, threads: 2)
        #expect(need.perRow == 8 * Interpreter.columnsHeld(plan, body: body))
        #expect(need.fixed == 0)
    }

    @Test("a sample too large for the machine is refused before it starts, with the rows that fit")
    func refused() {
        let rows = Int(Interpreter.memoryAvailable / 40) + 1_000_000
        let program = Fixtures.colossus + "\n" + """
            scenario sc {
              rate: uniform($1.0B, $1.5B) / month
              notice_on: uniform(2026-06-01, 2029-02-01)
              discount: triangular(0%, 30%, 60%)
              samples: \(rows)
              seed: 42
            }
            run sc: \(Self.mcBody)
            """
        let session = Session()
        VectorEngine.install(in: session, threads: 2)
        let d = session.run(SourceFile(name: "big.lease", text: program))
        #expect(d?.message.contains("more than this machine has") == true, "\(d.map { "\($0)" } ?? "ran")")
        #expect(d?.help?.contains("rows fit") == true)
    }
}

import Foundation
import LeaseCore

/// Scenario runs and their results.
extension Interpreter {
    mutating func runScenario(_ name: String, _ nameSpan: Span, _ body: Expr, _ span: Span) throws(Diagnostic) -> Value {
        guard session.scenarios[name] != nil else {
            throw fail("unknown scenario `\(name)`", nameSpan, help: Suggest.didYouMean(name, session.scenarioOrder))
        }
        throw fail("scenario runs are not available in this version of lease", span)
    }

    func resultField(_ r: RunResult, _ name: String, _ span: Span) throws(Diagnostic) -> Value {
        throw fail("a run result has no field `\(name)`", span)
    }

    func export(_ a: [Value?], _ s: [Span], _ span: Span) throws(Diagnostic) -> Value {
        throw fail("`export` needs a run result", s[0])
    }
}

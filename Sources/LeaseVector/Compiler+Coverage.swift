import LeaseCore
import LeaseLanguage

/// Built-ins the vector compiler runs outside the contract queries:
/// aggregates over list literals and cluster capacity.
extension Compiler {
    /// A call this file compiles, or nil to let `call` go on.
    mutating func coveredCall(_ name: String, _ args: [Argument], _ env: [String: VNode], _ span: Span) throws(Unsupported) -> VNode? {
        nil
    }
}

extension Argument {
    /// Matches positional and named arguments to parameters: the one rule
    /// the checker and the evaluator share.
    static func bind(_ args: [Argument], params: [String], required: Int, name: String, span: Span,
                     phase: Diagnostic.Phase) throws(Diagnostic) -> [Expr?] {
        func fail(_ m: String, _ s: Span, help: String? = nil) -> Diagnostic { Diagnostic(phase, m, at: s, help: help) }
        var bound: [Expr?] = Array(repeating: nil, count: params.count)
        var next = 0
        for a in args {
            if let label = a.label {
                guard let i = params.firstIndex(of: label) else {
                    throw fail("`\(name)` has no parameter `\(label)`", a.labelSpan ?? span,
                               help: Suggest.didYouMean(label, params) ?? "its parameters: " + params.joined(separator: ", "))
                }
                guard bound[i] == nil else { throw fail("`\(label)` is given twice", a.labelSpan ?? span) }
                bound[i] = a.value
            } else {
                while next < params.count && bound[next] != nil { next += 1 }
                guard next < params.count else {
                    throw fail("too many arguments to `\(name)`: it takes \(params.count)", a.value.span,
                               help: "`\(name)(\(params.joined(separator: ", ")))`")
                }
                bound[next] = a.value
                next += 1
            }
        }
        for i in 0..<required where bound[i] == nil {
            throw fail("missing argument `\(params[i])` in the call to `\(name)`", span,
                       help: "`\(name)(\(params.joined(separator: ", ")))`")
        }
        return bound
    }
}

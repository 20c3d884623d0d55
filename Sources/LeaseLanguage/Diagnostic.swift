/// An error of any phase, with where it happened and what might fix it.
///
/// Returned as a value, never kept in a global flag, so one REPL line's error
/// cannot leak into the next.
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Phase: String, Sendable { case parse, check, runtime }
    public enum Severity: String, Sendable { case error, warning }

    /// A second place the message points at: the line of a function's body
    /// where an error found at a call arises.
    public struct Label: Sendable, Equatable {
        public var span: Span
        public var message: String
        public init(_ span: Span, _ message: String) {
            self.span = span
            self.message = message
        }
    }

    public var phase: Phase
    public var severity: Severity = .error
    public var labels: [Label] = []
    /// Set on the checker's internal signal that a recursive call's type is not known yet.
    var isPendingRecursion = false
    public var message: String
    public var span: Span?
    /// A likely fix: "did you mean `colossus1`?"
    public var help: String?
    public var notes: [String]

    public init(_ phase: Phase, _ message: String, at span: Span?, help: String? = nil, notes: [String] = [],
                severity: Severity = .error, labels: [Label] = []) {
        self.phase = phase
        self.severity = severity
        self.labels = labels
        self.message = message
        self.span = span
        self.help = help
        self.notes = notes
    }

    public var description: String { render(color: false) }

    /// `file:line:col: error: message`, the source line, a caret run under the
    /// span, then help and notes.
    public func render(color: Bool) -> String {
        let red = color ? "\u{1B}[1;31m" : ""
        let blue = color ? "\u{1B}[1;34m" : ""
        let bold = color ? "\u{1B}[1m" : ""
        let cyan = color ? "\u{1B}[36m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        let word = severity == .warning ? (color ? "\u{1B}[1;33m" : "") + "warning:" + reset : red + "error:" + reset
        guard let span else {
            var s = "\(word) \(bold)\(message)\(reset)"
            if let help { s += "\n  \(cyan)help:\(reset) \(help)" }
            for n in notes { s += "\n  note: \(n)" }
            return s
        }
        var out = "\(bold)\(span.file.name):\(span.location.line):\(span.location.column):\(reset) \(word) \(bold)\(message)\(reset)\n"
        out += Self.snippet(span, caretColor: severity == .warning ? (color ? "\u{1B}[1;33m" : "") : red, color: color)
        let pad = String(repeating: " ", count: String(span.location.line).count)
        if let help { out += "\n\(pad) = \(cyan)help:\(reset) \(help)" }
        for n in notes { out += "\n\(pad) = note: \(n)" }
        for l in labels {
            out += "\n\(bold)\(l.span.file.name):\(l.span.location.line):\(l.span.location.column):\(reset) note: \(l.message)\n"
            out += Self.snippet(l.span, caretColor: blue, color: color)
        }
        return out
    }

    /// The source line of a span with a gutter and a caret run under the span.
    static func snippet(_ span: Span, caretColor: String, color: Bool) -> String {
        let blue = color ? "\u{1B}[1;34m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        let (line, col0) = span.location
        var col = col0
        var text = span.file.line(line)
        // A very long line is shown as a window around the caret.
        var clipped = 0
        if text.count > 160 {
            let from = max(0, col - 61)
            let chars = Array(text)
            let to = min(chars.count, from + 140)
            text = (from > 0 ? "…" : "") + String(chars[from..<to]) + (to < chars.count ? "…" : "")
            clipped = from
            col = col - from + (from > 0 ? 1 : 0)
        }
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        var out = "\(blue)\(pad) |\(reset)\n"
        out += "\(blue)\(gutter) |\(reset) \(text.replacingTabs)\n"
        let (endLine, endCol0) = span.file.location(of: span.end)
        let endCol = endCol0 - clipped + (clipped > 0 ? 1 : 0)
        let lineLength = text.count
        let caretEnd = endLine == line ? max(endCol, col + 1) : lineLength + 1
        let width = max(1, min(caretEnd, lineLength + 2) - col)
        out += "\(blue)\(pad) |\(reset) " + String(repeating: " ", count: max(0, col - 1))
        out += caretColor + String(repeating: "^", count: width) + reset
        return out
    }
}

extension String {
    var replacingTabs: String { replacingOccurrences(of: "\t", with: " ") }
}

/// Names close to a misspelt one, for "did you mean" hints.
enum Suggest {
    /// Levenshtein distance, cut off early once it passes `limit`.
    static func distance(_ a: String, _ b: String, limit: Int = 3) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if abs(x.count - y.count) > limit { return limit + 1 }
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = Array(repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// The closest candidate within edit distance 2, if any.
    static func closest(to name: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        // Ties go to the shorter, then alphabetically first, name: the same hint every time.
        for c in candidates.sorted(by: { ($0.count, $0) < ($1.count, $1) }) where c != name {
            let d = distance(name, c)
            // A one- or two-letter name is too short for a guess to mean anything.
            if d <= 2, d < name.count - 1, d < (best?.1 ?? 3) { best = (c, d) }
        }
        return best?.0
    }

    /// The shortest candidate that starts with a typed prefix of three or more letters (`ant` → `anthropic`).
    static func prefix(_ name: String, _ candidates: [String]) -> String? {
        guard name.count >= 3 else { return nil }
        let hits = candidates.filter { $0 != name && $0.hasPrefix(name) }.sorted { ($0.count, $0) < ($1.count, $1) }
        return hits.first.map { "did you mean `\($0)`?" }
    }

    static func didYouMean(_ name: String, _ candidates: [String]) -> String? {
        closest(to: name, in: candidates).map { "did you mean `\($0)`?" }
    }
}

import Foundation

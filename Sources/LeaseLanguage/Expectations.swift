import Foundation

/// What a script says it prints, in its own comments (LANGUAGE.md section 13):
///
/// - `# expect: VALUE` anywhere on a line: the next line the script prints is
///   `VALUE` (both compared without leading and trailing spaces); a line that
///   ends in `# expect:` expects an empty line. Expected lines are matched in
///   order with the printed lines, so a value that prints several lines takes
///   several `# expect:` lines.
/// - `# expect-error: LINE:COL [text]`: the script stops with an error at
///   LINE:COL whose message or help contains `text` (when given). A check
///   error means nothing runs, so such a script expects no output.
///
/// `lease test` and the project's own script corpus both check scripts with
/// this one implementation.
public struct ScriptExpectations: Sendable, Equatable {
    /// One `# expect:` line: where it is written and the text it expects.
    public struct Output: Sendable, Equatable {
        public var line: Int
        public var text: String
        public init(line: Int, text: String) {
            self.line = line
            self.text = text
        }
    }

    /// The `# expect-error:` line: where it is written, and the position and
    /// words of the error it expects.
    public struct Error: Sendable, Equatable {
        public var line: Int
        public var errorLine: Int
        public var errorColumn: Int
        public var text: String
        public init(line: Int, errorLine: Int, errorColumn: Int, text: String) {
            self.line = line
            self.errorLine = errorLine
            self.errorColumn = errorColumn
            self.text = text
        }
    }

    public var outputs: [Output] = []
    /// The last `# expect-error:` line, if any.
    public var error: Error?

    public init(outputs: [Output] = [], error: Error? = nil) {
        self.outputs = outputs
        self.error = error
    }

    /// How many checks the script makes: its `# expect:` lines and its
    /// `# expect-error:` line.
    public var count: Int { outputs.count + (error == nil ? 0 : 1) }

    public var isEmpty: Bool { count == 0 }

    /// Reads the `# expect:` and `# expect-error:` comments of a script.
    public static func parse(_ text: String) -> ScriptExpectations {
        var ex = ScriptExpectations()
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (i, line) in lines.enumerated() {
            let n = i + 1
            if let r = line.range(of: "# expect: ") {
                ex.outputs.append(Output(line: n, text: trim(line[r.upperBound...])))
            } else if trim(line[...]).hasSuffix("# expect:") {
                ex.outputs.append(Output(line: n, text: ""))
            } else if let r = line.range(of: "# expect-error: ") {
                let spec = trim(line[r.upperBound...])
                let head = spec.split(separator: " ", maxSplits: 1).map(String.init)
                guard let first = head.first else { continue }
                let lc = first.split(separator: ":").compactMap { Int($0) }
                if lc.count == 2 {
                    ex.error = Error(line: n, errorLine: lc[0], errorColumn: lc[1], text: head.count > 1 ? trim(head[1][...]) : "")
                }
            }
        }
        return ex
    }

    static func trim(_ s: Substring) -> String {
        s.trimmingCharacters(in: .whitespaces)
    }
}

/// One check that did not hold: where the expectation is written, what it
/// expected and what the script did instead.
public struct ExpectationFailure: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    /// Set when the failure is at a place in the script (an error's column).
    public var column: Int?
    public var expected: String
    public var got: String
    /// The script's error, when the failure is about one.
    public var diagnostic: Diagnostic?

    public init(file: String, line: Int, column: Int? = nil, expected: String, got: String, diagnostic: Diagnostic? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.expected = expected
        self.got = got
        self.diagnostic = diagnostic
    }

    /// `file:line: expected X, got Y` (`file:line:col:` when there is a column).
    public var description: String {
        let place = column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
        return "\(place): expected \(expected), got \(got)"
    }
}

/// The outcome of checking one script against its expectations.
public struct ExpectationReport: Sendable {
    public var file: String
    public var expectations: ScriptExpectations
    /// Every line the script printed, without leading and trailing spaces.
    public var printed: [String]
    /// The error the script stopped with, if any.
    public var error: Diagnostic?
    /// Checks that held.
    public var passed: Int
    /// Checks that did not hold, in the order of the script.
    public var failures: [ExpectationFailure]

    public var ok: Bool { failures.isEmpty }
}

/// Runs scripts and compares what they print with what they expect.
public enum ExpectationRunner {
    /// Runs `file` in a fresh session and checks it. `prepare` gets the
    /// session before it runs, to install the vectorized engine or set the
    /// number of threads; output goes nowhere else.
    public static func run(_ file: SourceFile, prepare: (Session) -> Void = { _ in }) -> ExpectationReport {
        let lines = PrintedLines()
        let session = Session { event in lines.append(OutputFormat.text.render(event)) }
        prepare(session)
        let error = session.run(file)
        return compare(file: file.name, expectations: ScriptExpectations.parse(file.text), printed: lines.all, error: error)
    }

    /// Compares printed lines and the error a script stopped with (if any)
    /// with its expectations.
    public static func compare(file: String, expectations ex: ScriptExpectations, printed: [String],
                               error: Diagnostic?) -> ExpectationReport {
        var failures: [ExpectationFailure] = []
        var passed = 0
        let stopped = error.map { " (the script stopped: \(describe($0)))" } ?? ""
        if ex.isEmpty {
            failures.append(ExpectationFailure(file: file, line: 1, expected: "`# expect:` or `# expect-error:` lines", got: "none"))
        }
        for (i, want) in ex.outputs.enumerated() {
            if i < printed.count {
                if printed[i] == want.text {
                    passed += 1
                } else {
                    failures.append(ExpectationFailure(file: file, line: want.line, expected: quote(want.text), got: quote(printed[i])))
                }
            } else {
                failures.append(ExpectationFailure(file: file, line: want.line, expected: quote(want.text),
                                                   got: "no more output" + stopped, diagnostic: error))
            }
        }
        if printed.count > ex.outputs.count {
            let extra = printed.count - ex.outputs.count
            let line = ex.outputs.last?.line ?? 1
            let more = extra == 1 ? "" : " and \(extra - 1) more line\(extra == 2 ? "" : "s")"
            failures.append(ExpectationFailure(file: file, line: line, expected: "no more output after this line",
                                               got: quote(printed[ex.outputs.count]) + more))
        }
        if let want = ex.error {
            let wanted = "an error at \(want.errorLine):\(want.errorColumn)" + (want.text.isEmpty ? "" : " mentioning `\(want.text)`")
            if let error, let span = error.span {
                let (line, col) = span.location
                let mentions = want.text.isEmpty || error.message.contains(want.text) || (error.help ?? "").contains(want.text)
                if line == want.errorLine && col == want.errorColumn && mentions {
                    passed += 1
                } else {
                    failures.append(ExpectationFailure(file: file, line: want.line, expected: wanted, got: describe(error), diagnostic: error))
                }
            } else if let error {
                failures.append(ExpectationFailure(file: file, line: want.line, expected: wanted, got: describe(error), diagnostic: error))
            } else {
                failures.append(ExpectationFailure(file: file, line: want.line, expected: wanted, got: "no error"))
            }
        } else if let error {
            let (line, col) = error.span?.location ?? (1, 1)
            let errorFile = error.span.map { $0.file.name } ?? file
            failures.append(ExpectationFailure(file: errorFile, line: line, column: error.span == nil ? nil : col,
                                               expected: "no error", got: "error: \(error.message)", diagnostic: error))
        }
        // In the order of the script; failures in another file (an error in a
        // file it uses) last.
        failures = failures.enumerated().sorted { a, b in
            let x = a.element.file == file ? a.element.line : Int.max, y = b.element.file == file ? b.element.line : Int.max
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
        return ExpectationReport(file: file, expectations: ex, printed: printed, error: error, passed: passed, failures: failures)
    }

    /// `error at 5:3: message`, naming the file when the error is in another one.
    static func describe(_ d: Diagnostic) -> String {
        guard let span = d.span else { return "error: \(d.message)" }
        let (line, col) = span.location
        return "error at \(line):\(col): \(d.message)"
    }

    static func quote(_ s: String) -> String { "`\(s)`" }
}

/// Lines printed by a session, which may print from a worker thread.
final class PrintedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func append(_ s: String) {
        lock.lock()
        items.append(contentsOf: s.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: .whitespaces)
        })
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

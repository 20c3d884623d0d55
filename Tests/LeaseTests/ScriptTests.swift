import Foundation
import LeaseLanguage
import LeaseVector
import Testing

/// The script corpus: every `examples/*.lease` and `Tests/Scripts/**/*.lease`
/// runs and its output is compared with its `# expect:` comments, in order.
/// `# expect-error: LINE:COL [text]` says the script stops with an error
/// there (whose message contains `text`, when given).
enum Corpus {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func files(under dir: String) -> [String] {
        let base = root.appendingPathComponent(dir)
        guard let e = FileManager.default.enumerator(atPath: base.path) else { return [] }
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".lease") }.sorted().map { dir + "/" + $0 }
    }

    static let all: [String] = files(under: "examples") + files(under: "Tests/Scripts")

    struct Expectations {
        var output: [String] = []
        var error: (line: Int, column: Int, text: String)?
    }

    static func expectations(_ text: String) -> Expectations {
        var ex = Expectations()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let r = line.range(of: "# expect: ") {
                ex.output.append(String(line[r.upperBound...]).trimmingCharacters(in: .whitespaces))
            } else if line.hasSuffix("# expect:") {
                ex.output.append("")
            } else if let r = line.range(of: "# expect-error: ") {
                let spec = line[r.upperBound...].trimmingCharacters(in: .whitespaces)
                let head = spec.split(separator: " ", maxSplits: 1).map(String.init)
                let lc = head[0].split(separator: ":").compactMap { Int($0) }
                if lc.count == 2 { ex.error = (lc[0], lc[1], head.count > 1 ? head[1] : "") }
            }
        }
        return ex
    }

    final class Lines: @unchecked Sendable {
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

    /// Runs a script in a fresh session; returns its output lines and error.
    static func run(path: String, text: String, vectorized: Bool = false) -> ([String], Diagnostic?) {
        let lines = Lines()
        let session = Session { event in lines.append(OutputFormat.text.render(event)) }
        if vectorized { VectorEngine.install(in: session, threads: 2) }
        let error = session.run(SourceFile(name: path, text: text))
        return (lines.all, error)
    }
}

@Suite struct ScriptTests {
    /// Every script through the row-by-row evaluator.
    @Test(arguments: Corpus.all)
    func script(_ relative: String) throws {
        try check(relative, vectorized: false)
    }

    /// Every script again with scenario runs on the vectorized evaluator.
    @Test(arguments: Corpus.all)
    func scriptVectorized(_ relative: String) throws {
        try check(relative, vectorized: true)
    }

    func check(_ relative: String, vectorized: Bool) throws {
        let path = Corpus.root.appendingPathComponent(relative).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let ex = Corpus.expectations(text)
        #expect(!ex.output.isEmpty || ex.error != nil, "\(relative) has no expectations")
        let (output, error) = Corpus.run(path: path, text: text, vectorized: vectorized)
        for (i, want) in ex.output.enumerated() {
            let got = i < output.count ? output[i] : "<no output>"
            #expect(got == want, "\(relative): output line \(i + 1)")
        }
        #expect(output.count == ex.output.count, "\(relative): \(output.count) lines printed, \(ex.output.count) expected:\n\(output.joined(separator: "\n"))")
        if let want = ex.error {
            guard let error, let span = error.span else {
                Issue.record("\(relative): expected an error at \(want.line):\(want.column), got \(error.map { "\($0)" } ?? "none")")
                return
            }
            let (line, col) = span.location
            #expect(line == want.line && col == want.column, "\(relative): error at \(line):\(col), expected \(want.line):\(want.column): \(error.message)")
            if !want.text.isEmpty {
                #expect(error.message.contains(want.text) || (error.help ?? "").contains(want.text),
                        "\(relative): error `\(error.message)` does not mention `\(want.text)`")
            }
        } else if let error {
            Issue.record("\(relative): unexpected error:\n\(error)")
        }
    }

    @Test func corpusHasEnoughExpectations() throws {
        var count = 0
        for f in Corpus.all {
            let text = try String(contentsOfFile: Corpus.root.appendingPathComponent(f).path, encoding: .utf8)
            let ex = Corpus.expectations(text)
            count += ex.output.count + (ex.error == nil ? 0 : 1)
        }
        #expect(count >= 150, "only \(count) expectations in the script corpus")
    }
}

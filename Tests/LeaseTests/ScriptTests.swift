import Foundation
import LeaseLanguage
import LeaseVector
import Testing

/// The script corpus: every `examples/*.lease` and `Tests/Scripts/**/*.lease`
/// runs and its output is compared with its `# expect:` comments, in order.
/// `# expect-error: LINE:COL [text]` says the script stops with an error
/// there (whose message or help contains `text`, when given). The checking
/// is `lease test`'s own (`ExpectationRunner`).
enum Corpus {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func files(under dir: String) -> [String] {
        let base = root.appendingPathComponent(dir)
        guard let e = FileManager.default.enumerator(atPath: base.path) else { return [] }
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".lease") }.sorted().map { dir + "/" + $0 }
    }

    static let all: [String] = files(under: "examples") + files(under: "Tests/Scripts")
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
        let report = ExpectationRunner.run(SourceFile(name: path, text: text)) { session in
            if vectorized { VectorEngine.install(in: session, threads: 2) }
        }
        for f in report.failures {
            let shown = f.description.replacingOccurrences(of: Corpus.root.path + "/", with: "")
            Issue.record(Comment(rawValue: shown + (f.diagnostic.map { "\n\($0)" } ?? "")))
        }
        if !report.ok {
            Issue.record("\(relative) printed:\n\(report.printed.joined(separator: "\n"))")
        }
    }

    @Test func corpusHasEnoughExpectations() throws {
        var count = 0
        for f in Corpus.all {
            let text = try String(contentsOfFile: Corpus.root.appendingPathComponent(f).path, encoding: .utf8)
            count += ScriptExpectations.parse(text).count
        }
        #expect(count >= 150, "only \(count) expectations in the script corpus")
    }
}

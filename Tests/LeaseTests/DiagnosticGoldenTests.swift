import Foundation
import LeaseLanguage
import Testing

/// Golden diagnostics, one behaviour per case, compared byte for byte.
///
/// Every `Tests/Diagnostics/<phase>/<case>.lease` has its expected output in
/// `<case>.txt` beside it: for `parse`, `name`, `type` and `warning` cases
/// what `lease check --no-color <case>` prints, run from the package root;
/// for `runtime` cases what running the script prints (its output, then its
/// warnings and its error), as `lease --no-color <case> 2>&1` would show it.
/// File names are relative to the package root, so a golden reads
/// `Tests/Diagnostics/type/add_money_power.lease:1:1: error: …`.
/// `Tests/Diagnostics/_lib/` holds files the cases `use`; they are not cases.
///
/// To rewrite the goldens after an intended change of wording, run
///     LEASE_UPDATE_GOLDEN=1 swift test --filter DiagnosticGoldenTests
/// then read every changed `.txt` (git diff) before committing it.
@Suite struct DiagnosticGoldenTests {
    static let phases = ["parse", "name", "type", "runtime", "warning"]

    static let cases: [String] = phases.flatMap { Corpus.files(under: "Tests/Diagnostics/" + $0) }

    /// What a user sees for one case, with paths relative to the package root.
    static func render(_ relative: String) throws -> String {
        let url = Corpus.root.appendingPathComponent(relative)
        let text = try String(contentsOf: url, encoding: .utf8)
        let file = SourceFile(name: url.path, text: text)
        var out = ""
        if relative.hasPrefix("Tests/Diagnostics/runtime/") {
            let printed = Collected()
            let warnings = Collected()
            let session = Session { event in printed.append(OutputFormat.text.render(event)) }
            session.warn = { d in warnings.append(d.render(color: false)) }
            let error = session.run(file)
            for l in printed.all { out += l + "\n" }
            for w in warnings.all { out += w + "\n" }
            if let error { out += error.render(color: false) + "\n" }
        } else {
            for d in Session().check([file]) { out += d.render(color: false) + "\n" }
        }
        return out.replacingOccurrences(of: Corpus.root.path + "/", with: "")
    }

    @Test(arguments: cases)
    func golden(_ relative: String) throws {
        let got = try Self.render(relative)
        let goldenURL = Corpus.root.appendingPathComponent(String(relative.dropLast(".lease".count)) + ".txt")
        if ProcessInfo.processInfo.environment["LEASE_UPDATE_GOLDEN"] == "1" {
            try got.write(to: goldenURL, atomically: true, encoding: .utf8)
            return
        }
        guard let want = try? String(contentsOf: goldenURL, encoding: .utf8) else {
            Issue.record("\(relative) has no golden \(goldenURL.lastPathComponent); got:\n\(got)")
            return
        }
        #expect(got == want, "\(relative) differs from its golden:\n--- got\n\(got)--- want\n\(want)")
    }

    /// A case of a phase that should fail must fail; a golden that says
    /// nothing is a case that no longer tests anything.
    @Test(arguments: cases)
    func caseSaysSomething(_ relative: String) throws {
        let got = try Self.render(relative)
        #expect(got.contains("error:") || got.contains("warning:"), "\(relative) renders no diagnostic:\n\(got)")
        if relative.hasPrefix("Tests/Diagnostics/warning/") {
            #expect(got.contains(": warning: "), "\(relative) is a warning case without a warning")
        }
    }

    @Test func enoughCases() {
        #expect(Self.cases.count >= 60, "only \(Self.cases.count) golden diagnostic cases")
        for phase in Self.phases {
            #expect(Self.cases.contains { $0.hasPrefix("Tests/Diagnostics/\(phase)/") }, "no \(phase) case")
        }
    }
}

/// Texts gathered from callbacks, in order, exactly as given.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) {
        lock.lock()
        items.append(s)
        lock.unlock()
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

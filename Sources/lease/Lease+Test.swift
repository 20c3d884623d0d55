import ArgumentParser
import Foundation
import LeaseLanguage
import LeaseVector

/// `lease test FILE…`: runs each script in a fresh session and checks what it
/// prints against its `# expect:` lines and how it stops against its
/// `# expect-error:` line (LANGUAGE.md section 13).
struct TestScripts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Check scripts against their `# expect:` and `# expect-error:` comments.",
        discussion: """
            Each script runs in a fresh session. `# expect: VALUE` says the next printed line is VALUE \
            (lines are matched in order); `# expect-error: LINE:COL [text]` says the script stops with \
            an error there that mentions `text`. Each failure is printed as `file:line: expected X, got Y`; \
            the last line is `N passed, N failed`. Exits 1 if any check fails.
            """)

    enum Engine: String, ExpressibleByArgument, CaseIterable {
        case scalar, vector
    }

    @Option(name: .long, help: "Evaluate scenario runs row by row (scalar) or column by column (vector, the default).")
    var engine: Engine?

    @Option(name: .long, help: "Worker threads for scenario runs (default: every core).")
    var threads: Int?

    @Flag(name: .long, help: "Never colour output (also: the NO_COLOR environment variable).")
    var noColor = false

    @ArgumentParser.Argument(help: "Scripts to test; each runs on its own.")
    var files: [String]

    func validate() throws {
        if let t = threads, t < 1 || t > 1024 { throw ValidationError("--threads must be between 1 and 1024") }
    }

    func run() throws {
        let color = !noColor && ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(1) == 1
        let vector = (engine ?? (ProcessInfo.processInfo.environment["LEASE_ENGINE"] == "scalar" ? .scalar : .vector)) == .vector
        let threads = self.threads ?? 0
        // Every file is read first: a missing one is a usage error before anything runs.
        var sources: [SourceFile] = []
        for path in files {
            sources.append(try ScriptInput.read(path, color: color && isatty(2) == 1))
        }
        var passed = 0, failed = 0
        for file in sources {
            let report = ExpectationRunner.run(file) { session in
                session.threads = threads
                if vector { VectorEngine.install(in: session, threads: threads) }
            }
            passed += report.passed
            failed += report.failures.count
            for f in report.failures {
                var text = f.description
                // An error shows its source line and caret under the failure.
                if let d = f.diagnostic, d.span != nil, f.column != nil {
                    let rendered = d.render(color: color)
                    if let nl = rendered.firstIndex(of: "\n") { text += rendered[nl...] }
                }
                write(text)
            }
        }
        write("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }

    func write(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }
}

import ArgumentParser
import Foundation
import LeaseCore
import LeaseLanguage
import LeaseREPL
import LeaseVector

/// `lease machine`: one long-lived session for another program, over
/// line-delimited JSON (docs/protocol.md). The Jupyter kernel drives it.
struct Machine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve one session over line-delimited JSON on stdin/stdout (see docs/protocol.md).",
        shouldDisplay: false)

    @Option(name: .long, help: "Worker threads for scenario runs (default: every core).")
    var threads: Int?

    func validate() throws {
        if let t = threads, t < 1 || t > 1024 { throw ValidationError("--threads must be between 1 and 1024") }
    }

    func run() throws {
        let session = Session()
        session.threads = threads ?? 0
        if ProcessInfo.processInfo.environment["LEASE_ENGINE"] != "scalar" {
            VectorEngine.install(in: session, threads: threads ?? 0)
        }
        let status = MachineProtocol(session: session, svg: Machine.picture).run()
        if status != 0 { throw ExitCode(status) }
    }

    /// The SVG a notebook shows for a value: a run result's histograms and
    /// the chart of `plot(…)`. Tables, lists and records show as text and
    /// HTML only, since most of them are not meant as pictures.
    @Sendable static func picture(_ v: Value) -> String? {
        if case .result = v { return Plot.svg(v) }
        if case .chart(let cs) = v { return Plot.svg(cs) }
        return nil
    }
}

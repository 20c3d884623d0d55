import ArgumentParser
import Foundation
import LeaseLanguage
import LeaseShard

extension ShardOptions {
    /// Makes every run of the session evaluate only this shard's rows and
    /// write its part (LANGUAGE.md section 12). Nothing changes without
    /// `--shard` or `--partial`.
    func install(in session: Session) throws {
        guard let writer = try writer() else { return }
        let box = WriterBox(writer)
        session.shardRows = { n in box.writer.rows(of: n) }
        session.runCompleted = { result, info in
            let fingerprint = RunFingerprint(script: info.script, scenario: info.scenarioSource, body: info.body, runName: info.scenario)
            do throws(ShardError) {
                try box.writer.write(outputs: result.outputs, runName: info.scenario, fingerprint: fingerprint, totalRows: info.totalRows)
            } catch {
                throw ShardFailure(message: error.message)
            }
        }
    }
}

/// Runs happen one at a time on the session's thread; the box lets the
/// session's sendable callbacks share the writer.
private final class WriterBox: @unchecked Sendable {
    let writer: PartialWriter
    init(_ w: PartialWriter) { writer = w }
}

struct ShardFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

import ArgumentParser
import Foundation
import LeaseLanguage
import LeaseShard

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the parts of a sharded run and print the run's result.",
        discussion: """
            Checks that the parts come from the same run and that every shard is there once. \
            Percentiles are exact when every part was written with --exact, otherwise from a \
            mergeable sketch and shown with ≈ and their relative error.
            """)

    @Option(name: .long, help: "Output format: text, json or csv.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Percentiles from the sketch even when every part is exact (reads no sorted column).")
    var sketch = false

    @ArgumentParser.Argument(help: "The parts: every file a sharded run wrote with --partial.")
    var files: [String]

    func run() throws {
        let result: MergedResult
        do {
            result = try LeaseShard.Merge.merge(paths: files, sketch: sketch)
        } catch {
            FileHandle.standardError.write(Data("lease merge: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
        let out: String
        switch format {
        case .text: out = result.text
        case .json: out = result.json
        case .csv:
            out = result.csv
            if !result.exact {
                let alpha = result.columns.first?.alpha ?? DDSketch.defaultAlpha
                FileHandle.standardError.write(Data("lease merge: percentiles are approximate (±\(alpha * 100)%): not every part was written with --exact\n".utf8))
            }
        }
        FileHandle.standardOutput.write(Data((out + "\n").utf8))
    }
}

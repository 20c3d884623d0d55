import ArgumentParser
import Foundation
import LeaseLanguage
import LeaseREPL
import LeaseVector

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse and check scripts without running them; print nothing when they are fine.")

    @OptionGroup var options: CommonOptions

    @ArgumentParser.Argument(help: "Scripts to check.")
    var files: [String]

    func run() throws {
        var failed = false
        for path in files {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                FileHandle.standardError.write(Data("lease: cannot read \(path)\n".utf8))
                throw ExitCode(2)
            }
            let session = options.session()
            for d in session.check(SourceFile(name: path, text: text)) {
                failed = true
                FileHandle.standardError.write(Data((d.render(color: options.errorColor) + "\n").utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }
}

import ArgumentParser
import Foundation
import LeaseShard

/// `--shard K/N`, `--partial DIR` and `--exact` (LANGUAGE.md section 12), for
/// the commands that run scripts.
struct ShardOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Evaluate only shard K of N of every run: the rows with global index in [⌊K·n/N⌋, ⌊(K+1)·n/N⌋).",
        valueName: "K/N"))
    var shard: String?

    @Option(name: .long, help: ArgumentHelp("Write each run's part to DIR, one file per run and shard, for `lease merge`.",
                                            valueName: "DIR"))
    var partial: String?

    @Flag(name: .long, help: "With --partial, add each shard's sorted output columns, so that `lease merge` gives exact percentiles.")
    var exact = false

    func validate() throws {
        if let s = shard {
            do { _ = try ShardSpec(parsing: s) } catch { throw ValidationError(error.message) }
        }
        if exact && partial == nil { throw ValidationError("--exact needs --partial DIR: it adds sorted columns to the parts written there") }
    }

    /// What the session's runs must do, or nil for a plain run. `--partial`
    /// without `--shard` writes the whole run as shard 0 of 1.
    func writer() throws -> PartialWriter? {
        guard shard != nil || partial != nil else { return nil }
        let spec: ShardSpec
        do throws(ShardError) {
            if let shard { spec = try ShardSpec(parsing: shard) } else { spec = try ShardSpec(index: 0, count: 1) }
        } catch {
            throw ValidationError(error.message)
        }
        return PartialWriter(shard: spec, directory: partial, exact: exact)
    }
}

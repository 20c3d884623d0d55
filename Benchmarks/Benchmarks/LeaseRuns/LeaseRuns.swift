// Benchmarks of lease's scenario runs and of its front end.
//
// Speed is measured here, never by timed unit tests (issue 5). See
// ../../README.md for how to run them and for figures measured so far.

import Benchmark
import Foundation
import LeaseCore
import LeaseLanguage
import LeaseVector

// MARK: - Scripts

/// The repository's root: this file is Benchmarks/Benchmarks/LeaseRuns/LeaseRuns.swift.
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url
}()

/// The `colossus grid` script of the shared benchmark (~12M rows), read at run
/// time from `../shared/bench/colossus_grid.lease` beside the repository, so
/// the benchmark and `shared/bench/compare` run the same scenario. Where that
/// folder is missing, a copy of it as of issue 5 is used.
let gridScript: String = {
    let shared = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/bench/colossus_grid.lease")
    if let text = try? String(contentsOf: shared, encoding: .utf8) { return text }
    return embeddedGridScript
}()

let embeddedGridScript = """
    # The `colossus grid` scenario run: ~12M rows. Peers: peer_numpy.py, baseline.c.
    cluster colossus1 {
      owner: "xAI"
      site: "Memphis, TN"
      power: 300 MW
      gpus: 220_000 gpu
    }

    contract anthropic {
      lessor: "xAI"
      lessee: "Anthropic"
      cluster: colossus1
      start: 2026-05
      end: 2029-05
      rate: $1.25B / month
      discounts: [2026-05: 50%, 2026-06: 50%]
      notice: 90 days
    }

    scenario grid {
      notice_on: 2026-06-01 .. 2029-02-01 step 1 day
      discount: 0% .. 60% step 1%
      rate: $1.0B/month .. $1.5B/month step $2.5M/month
    }

    run grid: npv(terminate(anthropic with {rate: rate,
                                             discounts: [2026-05: discount, 2026-06: discount]},
                            notice_on: notice_on), 8%)

    """

/// The grid script with one field of `scenario grid` given a new value.
func gridScript(_ changes: [String: String]) -> String {
    var lines = gridScript.components(separatedBy: "\n")
    guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("scenario grid") }) else {
        fatalError("colossus_grid.lease has no `scenario grid`")
    }
    var pending = changes
    var i = start + 1
    while i < lines.count, !lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("}") {
        let line = lines[i]
        let indent = String(line.prefix { $0 == " " || $0 == "\t" })
        for (field, value) in pending where line.dropFirst(indent.count).hasPrefix(field + ":") {
            lines[i] = "\(indent)\(field): \(value)"
            pending[field] = nil
        }
        i += 1
    }
    guard pending.isEmpty else { fatalError("scenario grid has no field \(pending.keys.sorted())") }
    return lines.joined(separator: "\n")
}

/// A script split into what sets the scene (the model and the scenario) and
/// the `run` statement whose evaluation is measured.
struct SplitScript: Sendable {
    let prelude: SourceFile
    let run: SourceFile

    init(_ name: String, _ text: String) {
        let lines = text.components(separatedBy: "\n")
        guard let r = lines.firstIndex(where: { $0.hasPrefix("run ") }) else {
            fatalError("\(name) has no `run` statement")
        }
        prelude = SourceFile(name: name, text: lines[..<r].joined(separator: "\n"))
        run = SourceFile(name: name, text: lines[r...].joined(separator: "\n"))
    }
}

/// The full grid: notice_on over 32 months, 61 discounts, 201 rates.
let fullGrid = SplitScript("colossus_grid.lease", gridScript)

/// The same grid with notice_on over June 2026 only: 30 × 61 × 201 = 367,830 rows.
let monthGrid = SplitScript(
    "colossus_grid_1_month.lease",
    gridScript(["notice_on": "2026-06-01 .. 2026-06-30 step 1 day"]))

/// A grid small enough for the row-by-row evaluator: 39 notice days × 61
/// discounts × 21 rates = 49,959 rows.
let smallGrid = SplitScript(
    "colossus_grid_50k.lease",
    gridScript([
        "notice_on": "2026-06-01 .. 2026-07-09 step 1 day",
        "rate": "$1.0B/month .. $1.5B/month step $25M/month",
    ]))

/// The `colossus mc` script of the shared benchmark (10M samples), read at
/// run time from `../shared/bench/colossus_mc.lease` as `compare --workload mc`
/// runs it; where that folder is missing, the 1M-sample script below with
/// `samples: 10_000_000`.
let sharedMonteCarloScript: String = {
    let shared = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/bench/colossus_mc.lease")
    if let text = try? String(contentsOf: shared, encoding: .utf8) { return text }
    return monteCarloScript.replacingOccurrences(of: "samples: 1_000_000", with: "samples: 10_000_000")
}()

/// The Monte Carlo with another number of samples.
func monteCarlo(samples: Int, _ name: String) -> SplitScript {
    SplitScript(name, monteCarloScript.replacingOccurrences(of: "samples: 1_000_000", with: "samples: \(samples)"))
}

/// The `colossus mc` run of shared/bench, 10M samples.
let monteCarlo10M = SplitScript("colossus_mc.lease", sharedMonteCarloScript)

/// The same Monte Carlo, 20,000 samples: small enough for the row-by-row evaluator.
let monteCarloSmall = monteCarlo(samples: 20_000, "colossus_mc_20k.lease")

/// The `mc` scenario of LANGUAGE.md section 7, with the Colossus contract.
let monteCarlo = SplitScript("colossus_mc.lease", monteCarloScript)

let monteCarloScript = """
    cluster colossus1 {
      owner: "xAI"
      site: "Memphis, TN"
      power: 300 MW
      gpus: 220_000 gpu
    }

    contract anthropic {
      lessor: "xAI"
      lessee: "Anthropic"
      cluster: colossus1
      start: 2026-05
      end: 2029-05
      rate: $1.25B / month
      discounts: [2026-05: 50%, 2026-06: 50%]
      notice: 90 days
    }

    scenario mc {
      rate: uniform($1.0B, $1.5B) / month
      notice_on: uniform(2026-06-01, 2029-02-01)
      discount: triangular(0%, 30%, 60%)
      samples: 1_000_000
      seed: 42
    }

    run mc: npv(terminate(anthropic with {rate: rate,
                discounts: [2026-05: discount, 2026-06: discount]},
                notice_on: notice_on), 8%)

    """

let colossusExample: SourceFile = {
    let url = repositoryRoot.appendingPathComponent("examples/colossus.lease")
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
        fatalError("cannot read \(url.path)")
    }
    return SourceFile(name: "colossus.lease", text: text)
}()

// MARK: - Running

/// What a session printed: the row count of the last run, the last value;
/// with a format, each value is also rendered as `lease` would print it.
final class Printed: @unchecked Sendable {
    private let lock = NSLock()
    private let format: OutputFormat?
    private var _rows: Int?
    private var _value: Value?
    private var _rendered = ""

    init(format: OutputFormat? = nil) { self.format = format }

    func record(_ event: OutputEvent) {
        guard case .value(let v) = event else { return }
        lock.lock()
        defer { lock.unlock() }
        if let format { _rendered = format.render(event) }
        if case .result(let r) = v {
            _rows = r.count
            _value = nil  // do not keep millions of rows alive
        } else {
            _value = v
        }
    }

    var rows: Int? { lock.lock(); defer { lock.unlock() }; return _rows }
    var value: Value? { lock.lock(); defer { lock.unlock() }; return _value }
    var rendered: String { lock.lock(); defer { lock.unlock() }; return _rendered }
}

enum Evaluator: Sendable {
    case scalar
    case vectorized(threads: Int)  // 0: every core
}

enum LeaseMetric {
    /// Rows of the scenario run per second of wall time (of the run alone).
    static let rowsPerSecond = BenchmarkMetric.custom("rows/s", polarity: .prefersLarger, useScalingFactor: false)
}

/// One measured scenario run: a new session, its model and scenario declared
/// outside the measurement, then the `run` statement measured. The session
/// (and its result) is released after the measurement ends. Without
/// `render`, the result is not summarised (no sort for the percentiles, no
/// histogram): the measurement is the evaluation of the rows alone.
func measureRun(
    _ benchmark: Benchmark, _ script: SplitScript, _ evaluator: Evaluator,
    expectedRows: Int? = nil, render: OutputFormat? = nil
) {
    let printed = Printed(format: render)
    let session = Session(output: { printed.record($0) })
    if case .vectorized(let threads) = evaluator {
        VectorEngine.install(in: session, threads: threads)
    }
    if let error = session.run(script.prelude) {
        benchmark.error("\(script.prelude.name): \(error)")
        return
    }
    let clock = ContinuousClock()
    benchmark.startMeasurement()
    let start = clock.now
    let error = session.run(script.run)
    let elapsed = clock.now - start
    benchmark.stopMeasurement()
    if let error {
        benchmark.error("\(script.run.name): \(error)")
        return
    }
    guard let rows = printed.rows else {
        benchmark.error("\(script.run.name): the run printed no result")
        return
    }
    if let expectedRows, rows != expectedRows {
        benchmark.error("\(script.run.name): \(rows) rows, expected \(expectedRows)")
        return
    }
    if render != nil, !printed.rendered.hasPrefix("n = ") {
        benchmark.error("\(script.run.name): unexpected summary \(printed.rendered.prefix(200))")
        return
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    benchmark.measurement(LeaseMetric.rowsPerSecond, Int((Double(rows) / seconds).rounded()))
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    let runMetrics: [BenchmarkMetric] = [
        .wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal, LeaseMetric.rowsPerSecond,
    ]
    let units: [BenchmarkMetric: BenchmarkUnits] = [LeaseMetric.rowsPerSecond: .kilo]

    // 1. The shared benchmark's scenario, ~12M rows, vectorized on every core.
    Benchmark(
        "colossus grid, vectorized",
        configuration: .init(
            metrics: runMetrics, timeUnits: .milliseconds, units: units,
            warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        measureRun(benchmark, fullGrid, .vectorized(threads: 0))
    }

    // 1a. The same, with the result summarised as `lease` prints it (n, mean,
    // sd, exact percentiles, histogram), as in shared/bench/compare but
    // without starting a process.
    Benchmark(
        "colossus grid, vectorized, with text summary",
        configuration: .init(
            metrics: runMetrics, timeUnits: .milliseconds, units: units,
            warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        measureRun(benchmark, fullGrid, .vectorized(threads: 0), render: .text)
    }

    // 1b. Scaled down for quick runs: notice_on over one month instead of 32.
    Benchmark(
        "colossus grid 1 month, vectorized",
        configuration: .init(
            metrics: runMetrics, timeUnits: .microseconds, units: units,
            warmupIterations: 2, maxDuration: .seconds(5), maxIterations: 50)
    ) { benchmark in
        measureRun(benchmark, monthGrid, .vectorized(threads: 0), expectedRows: 367_830)
    }

    // 2. The same scenario, ~50K rows, row by row in the scalar evaluator...
    Benchmark(
        "colossus grid, scalar (row by row)",
        configuration: .init(
            metrics: runMetrics, timeUnits: .milliseconds, units: units,
            warmupIterations: 1, maxDuration: .seconds(15), maxIterations: 10)
    ) { benchmark in
        measureRun(benchmark, smallGrid, .scalar, expectedRows: 49_959)
    }

    // 2b. ...and the same ~50K rows vectorized, for a like-for-like rows/s:
    // on every core, and on one core as the scalar evaluator runs.
    Benchmark(
        "colossus grid 50K rows, vectorized",
        configuration: .init(
            metrics: runMetrics, timeUnits: .microseconds, units: units,
            warmupIterations: 5, maxDuration: .seconds(5), maxIterations: 200)
    ) { benchmark in
        measureRun(benchmark, smallGrid, .vectorized(threads: 0), expectedRows: 49_959)
    }

    Benchmark(
        "colossus grid 50K rows, vectorized, 1 thread",
        configuration: .init(
            metrics: runMetrics, timeUnits: .microseconds, units: units,
            warmupIterations: 5, maxDuration: .seconds(5), maxIterations: 200)
    ) { benchmark in
        measureRun(benchmark, smallGrid, .vectorized(threads: 1), expectedRows: 49_959)
    }

    // 3. Monte Carlo, 1M samples (LANGUAGE.md section 7), vectorized on every core.
    Benchmark(
        "Monte Carlo 1M samples, vectorized",
        configuration: .init(
            metrics: runMetrics, timeUnits: .milliseconds, units: units,
            warmupIterations: 1, maxDuration: .seconds(15), maxIterations: 20)
    ) { benchmark in
        measureRun(benchmark, monteCarlo, .vectorized(threads: 0), expectedRows: 1_000_000)
    }

    // 3a. The shared benchmark's Monte Carlo, 10M samples (`compare --workload mc`
    // without starting a process), on every core and on one thread; with the
    // text summary (mean, sd, exact percentiles, histogram) as `lease` prints it.
    for (name, threads, render) in [
        ("Monte Carlo 10M samples, vectorized", 0, false),
        ("Monte Carlo 10M samples, vectorized, 1 thread", 1, false),
        ("Monte Carlo 10M samples, vectorized, with text summary", 0, true),
    ] {
        Benchmark(
            name,
            configuration: .init(
                metrics: runMetrics, timeUnits: .milliseconds, units: units,
                warmupIterations: 1, maxDuration: .seconds(30), maxIterations: 5)
        ) { benchmark in
            measureRun(benchmark, monteCarlo10M, .vectorized(threads: threads), expectedRows: 10_000_000, render: render ? .text : nil)
        }
    }

    // 3b. Rows per second of both evaluators on the same Monte Carlo, 20,000
    // samples: row by row, and vectorized on one thread and on every core.
    Benchmark(
        "Monte Carlo 20K samples, scalar (row by row)",
        configuration: .init(
            metrics: runMetrics, timeUnits: .milliseconds, units: units,
            warmupIterations: 1, maxDuration: .seconds(15), maxIterations: 10)
    ) { benchmark in
        measureRun(benchmark, monteCarloSmall, .scalar, expectedRows: 20_000)
    }

    for (name, threads) in [("Monte Carlo 20K samples, vectorized", 0), ("Monte Carlo 20K samples, vectorized, 1 thread", 1)] {
        Benchmark(
            name,
            configuration: .init(
                metrics: runMetrics, timeUnits: .milliseconds, units: units,
                warmupIterations: 2, maxDuration: .seconds(5), maxIterations: 100)
        ) { benchmark in
            measureRun(benchmark, monteCarloSmall, .vectorized(threads: threads), expectedRows: 20_000)
        }
    }

    // 4. Micro benchmarks of the front end.
    let microMetrics: [BenchmarkMetric] = [.wallClock, .mallocCountTotal, .throughput]

    Benchmark(
        "parse and check colossus.lease",
        configuration: .init(
            metrics: microMetrics, timeUnits: .microseconds,
            warmupIterations: 10, maxDuration: .seconds(2), maxIterations: 10_000)
    ) { benchmark in
        let session = Session()
        let errors = session.check(colossusExample)
        if !errors.isEmpty { benchmark.error("colossus.lease: \(errors[0])") }
        blackHole(errors)
    }

    // The checker over a generated 1,000-line script (LANGUAGE.md section 9):
    // every line typed, functions checked at each call, nothing run.
    let thousandLines = SourceFile(name: "<bench>", text: checkScript(lines: 1_000))
    Benchmark(
        "check a 1,000-line script",
        configuration: .init(
            metrics: microMetrics, timeUnits: .milliseconds,
            warmupIterations: 3, maxDuration: .seconds(5), maxIterations: 1_000)
    ) { benchmark in
        let diagnostics = Session().check(thousandLines)
        if !diagnostics.isEmpty { benchmark.error("the 1,000-line script: \(diagnostics[0])") }
        blackHole(diagnostics)
    }

    let onePlusOne = SourceFile(name: "<bench>", text: "1 + 1")
    Benchmark(
        "cold evaluation of 1 + 1",
        configuration: .init(
            metrics: microMetrics, timeUnits: .microseconds,
            warmupIterations: 10, maxDuration: .seconds(2), maxIterations: 10_000)
    ) { benchmark in
        let printed = Printed()
        let session = Session(output: { printed.record($0) })
        if let error = session.run(onePlusOne) { benchmark.error("1 + 1: \(error)") }
        guard case .quantity(let q)? = printed.value, q.value == 2 else {
            benchmark.error("1 + 1 printed \(String(describing: printed.value))")
            return
        }
        blackHole(session)
    }
}

/// A well-typed script of `lines` lines (the Colossus deal, then blocks of ten
/// lines mixing money, power, time, functions, `with`, maps, records, queries
/// and conversions), the same on every run. `Benchmarks/gen_check_script.py`
/// writes the same text, for timing `lease check` from the shell.
func checkScript(lines: Int) -> String {
    var out = [
        "cluster colossus1 { owner: \"xAI\"; site: \"Memphis, TN\"; power: 300 MW; gpus: 220_000 gpu }",
        "contract anthropic { lessor: \"xAI\"; lessee: \"Anthropic\"; cluster: colossus1; start: 2026-05; end: 2029-05; rate: $1.25B / month; notice: 90 days }",
    ]
    var i = 0
    while out.count < lines {
        let block = [
            "let rate_\(i) = $1.25B / month * \(100 + i % 7) / 100",
            "fn cost_\(i)(m) = rate_\(i) * m",
            "let term_\(i) = \(i % 36 + 1) months",
            "let total_\(i) = cost_\(i)(term_\(i))",
            "let power_\(i) = 300 MW * \(i % 5 + 1) / 5",
            "let deal_\(i) = anthropic with {rate: rate_\(i), discounts: [2026-05: \(i % 50)%, 2026-06: 10%]}",
            "let r_\(i) = {low: total_\(i), high: total_\(i) * 1.1}",
            "npv(deal_\(i), 8%) - r_\(i).low",
            "if total_\(i) > $40B then (power_\(i) -> GW) else (power_\(i) -> kW)",
            "exposure(deal_\(i), at: 2026-09-01) + paid(deal_\(i), 2027) / months(deal_\(i))",
        ]
        out += block.prefix(lines - out.count)
        i += 1
    }
    return out.joined(separator: "\n") + "\n"
}

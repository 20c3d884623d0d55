// swift-tools-version: 6.1
// Benchmarks for lease, kept in their own package so that the benchmark
// framework (ordo-one/benchmark) and its malloc interposer stay out of the
// main package. Run with `swift package benchmark` from this directory.
import PackageDescription

let package = Package(
    name: "LeaseBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        // On Swift 6.3 the default traits also pull in swift-runtime-interposer,
        // which is not available here; name the malloc-interposer trait only.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "LeaseRuns",
            dependencies: [
                .product(name: "LeaseEngine", package: "main"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/LeaseRuns",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)

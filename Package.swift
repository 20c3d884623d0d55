// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "lease",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lease", targets: ["lease"]),
        // For the separate Benchmarks/ package and other embedders.
        .library(name: "LeaseEngine", targets: ["LeaseCore", "LeaseLanguage", "LeaseVector"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Values, units and dimensions, dates, money and the model: no I/O.
        .target(name: "LeaseCore"),
        // Lexer, parser, checker, scalar evaluator, diagnostics, display.
        .target(name: "LeaseLanguage", dependencies: ["LeaseCore"]),
        // Scenario runs column by column, across threads.
        .target(name: "LeaseVector", dependencies: ["LeaseCore", "LeaseLanguage"]),
        // Sharded runs: partial files, the mergeable sketch, merging parts.
        .target(name: "LeaseShard", dependencies: ["LeaseCore"]),
        // Fixed-signature wrappers around libedit's variadic C API.
        .target(name: "CEditline", linkerSettings: [.linkedLibrary("edit")]),
        // The interactive session: line editors, commands, completion.
        .target(name: "LeaseREPL", dependencies: ["LeaseLanguage", "CEditline"]),
        // `lease lsp`: the Language Server Protocol for editors.
        .target(name: "LeaseLSP", dependencies: ["LeaseLanguage", "LeaseCore"]),
        .executableTarget(
            name: "lease",
            dependencies: [
                "LeaseREPL", "LeaseLanguage", "LeaseVector", "LeaseShard", "LeaseLSP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Test support: start a program on a new pseudo-terminal (forkpty).
        .target(name: "CPseudoTerminal", path: "Tests/CPseudoTerminal", linkerSettings: [.linkedLibrary("util")]),
        .testTarget(
            name: "LeaseTests",
            dependencies: ["LeaseCore", "LeaseLanguage", "LeaseVector", "LeaseREPL", "LeaseShard", "CPseudoTerminal", "LeaseLSP"]),
    ]
)

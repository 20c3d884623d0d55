// swift-tools-version: 6.1
// Coverage-guided fuzzing for lease, kept in its own package so that the
// sanitizer flags (-sanitize=fuzzer,address) never touch the main build.
// Run with `scripts/fuzz SECONDS` from the repository root; see docs/fuzzing.md.
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder: "main" here, "lease" in
// a clone called lease. Read it rather than assume it.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "LeaseFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "LeaseFuzz",
            dependencies: [
                .product(name: "LeaseEngine", package: mainPackage),
            ],
            path: "Sources/LeaseFuzz"
        ),
    ]
)

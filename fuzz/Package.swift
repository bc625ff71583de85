// swift-tools-version: 6.1
// libFuzzer targets for ops' parsers: built by fuzz/run with `swift build --sanitize=fuzzer
// --sanitize=address`, apart from the main package so its normal build and tests are untouched.
import Foundation
import PackageDescription

// The main package is this folder's parent; its identity is that folder's name, whatever the
// clone is called.
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent()

let package = Package(
    name: "ops-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: root.path),
        // The version the main package resolves: the line editor's target builds YAML nodes.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // One binary for every target (FUZZ_TARGET picks one): a single link of OpsKit and its
        // dependencies with the sanitizers, instead of one per target.
        .executableTarget(
            name: "OpsFuzz",
            dependencies: [
                .product(name: "OpsKit", package: root.lastPathComponent),
                .product(name: "Yams", package: "Yams"),
            ],
            // libFuzzer brings main(); the entry point is LLVMFuzzerTestOneInput.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)

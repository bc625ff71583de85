// swift-tools-version: 6.1
import PackageDescription

// Layers the compiler holds: a plain `import` is internal, so a module's public API cannot hand
// out the types of what it imports (OpsKit does not expose GitStore or Yams to the CLI), and a
// file sees only the members of the modules it imports itself.
let layered: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// The release build on Linux (make release, make bench) links with lld, which ships with the
// toolchain and links this binary in seconds where gold takes minutes. `--no-export-dynamic`
// undoes the static Swift runtime's `-export-dynamic`: 50k exported symbols made every symbol
// lookup and the runtime's `dladdr` at start-up walk them; about 1 ms of every command (README,
// Benchmarks). Packed relative relocations (`-z pack-relative-relocs`) are left out: they
// saved 0.3 ms and make the binary need glibc 2.36. The executable stays position-independent.
let releaseLinking: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux], configuration: .release))
]

let package = Package(
    name: "ops",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ops", targets: ["ops"]),
        // For the libFuzzer targets in fuzz/, which are a package of their own.
        .library(name: "OpsKit", targets: ["OpsKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // No default traits: they add swift-configuration and full Foundation, which ops serve does not use.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // libgit2 from the system (Debian: libgit2-dev), found through pkg-config.
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // Defers libgit2's start-up parse of the CA bundle to the first https connection.
        .target(name: "CGitStartup", dependencies: ["CGit2"]),
        .target(
            name: "GitStore",
            dependencies: ["CGit2", "CGitStartup", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: layered
        ),
        // cmark-gfm from the system (Debian: libcmark-gfm-dev and -extensions-dev): Markdown to HTML as GitHub renders it.
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        .target(
            name: "OpsKit",
            dependencies: [
                "GitStore",
                "CCmarkGFM",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // The HTTP/1 channel's settings and the connection cap (ops serve under hostile clients).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                // The outbox's sender: POSTs to Slack, Teams and webhook receivers (issue 18).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // Its connection errors, to say why no answer came in plain words.
                .product(name: "NIOPosix", package: "swift-nio"),
                // PostgreSQL tables and queries as check datasets (issue 19); NIOSSL for sslmode=require.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.embedInCode("Starter")],
            swiftSettings: layered
        ),
        .executableTarget(
            name: "ops",
            dependencies: ["OpsKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: layered,
            linkerSettings: releaseLinking
        ),
        .executableTarget(name: "ops-bench", dependencies: ["GitStore"], path: "bench/Sources"),
        .testTarget(name: "GitStoreTests", dependencies: ["GitStore"]),
        // A loopback HTTP server for the tests of the outbox's sender (OpsKitTests) and of
        // ops notify (OpsCLITests): it records what it gets and answers as Slack or Teams would.
        .target(
            name: "LoopbackHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/LoopbackHTTP"
        ),
        // A throwaway PostgreSQL server on loopback (Debian's postgresql package) for the tests of
        // PostgreSQL datasets (OpsKitTests) and of ops checks run (OpsCLITests).
        .target(name: "LoopbackPostgres", path: "Tests/LoopbackPostgres"),
        // Real SSH signing keys (ssh-keygen) for the tests of signed approvals and ops verify.
        .target(name: "SigningKeys", path: "Tests/SigningKeys"),
        .testTarget(
            name: "OpsKitTests",
            dependencies: ["OpsKit", "LoopbackHTTP", "LoopbackPostgres", "SigningKeys", .product(name: "PropertyBased", package: "swift-property-based")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "OpsCLITests", dependencies: ["ops", "LoopbackHTTP", "LoopbackPostgres", "SigningKeys"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

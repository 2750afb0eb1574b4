// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode (strict concurrency) plus
/// `any` spelled out for existentials.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Baohao",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "baohao", targets: ["baohao"]),
        .executable(name: "baohao-bench", targets: ["BaohaoBench"]),
    ],
    targets: [
        // System libraries with tiny prefixed C shims (variadic setopt/getinfo, SQLITE_TRANSIENT).
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),

        // Wrappers for C facilities Swift does not import (malloc tuning).
        .target(name: "CSystem"),
        // SQLite connection, statements, transactions, migrations.
        .target(name: "Storage", dependencies: ["CSQLite"], swiftSettings: strictSettings),
        // Normalization, tokens, retrieval index, intent decision, entities. Pure.
        .target(name: "Understanding", swiftSettings: strictSettings),
        // Domain, configuration, logging, conversation, alerts, operators, outbox.
        .target(
            name: "BaohaoCore", dependencies: ["Understanding", "Storage"],
            swiftSettings: strictSettings),
        // Bot API types and methods, HTTP over libcurl, polling and sending.
        .target(
            name: "Telegram", dependencies: ["CCurl", "BaohaoCore", "Understanding", "Storage"],
            swiftSettings: strictSettings),
        // A Bot API server double on loopback (POSIX sockets): for tests and the benchmark.
        .target(name: "BotAPIDouble", swiftSettings: strictSettings),
        // Command-line parsing, wiring and subcommands (tested); the executable stays thin.
        .target(
            name: "BaohaoApp",
            dependencies: ["BaohaoCore", "Telegram", "Understanding", "Storage"],
            swiftSettings: strictSettings),
        .executableTarget(name: "baohao", dependencies: ["BaohaoApp", "CSystem"], swiftSettings: strictSettings),
        // `make bench`: figures against the budgets of DESIGN.md.
        .executableTarget(
            name: "BaohaoBench", dependencies: ["Understanding", "BaohaoCore", "Storage", "Telegram", "BaohaoApp", "BotAPIDouble"],
            swiftSettings: strictSettings),
        // Helpers the test targets share (temporary files, the repository root).
        .target(name: "TestSupport", swiftSettings: strictSettings),

        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "UnderstandingTests", dependencies: ["Understanding", "TestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "BaohaoCoreTests", dependencies: ["BaohaoCore", "Storage", "Understanding", "TestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TelegramTests", dependencies: ["Telegram", "CCurl", "TestSupport", "BotAPIDouble", "BaohaoCore", "BaohaoApp"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "BaohaoAppTests", dependencies: ["BaohaoApp", "BaohaoCore", "Storage", "Telegram", "TestSupport"],
            swiftSettings: strictSettings),
    ]
)

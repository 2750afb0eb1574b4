// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode (strict concurrency) plus
/// `any` spelled out for existentials, imports internal unless marked `public import`,
/// and each file importing every module whose members it uses.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Baohao",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "baohao", targets: ["baohao"]),
        .executable(name: "baohao-bench", targets: ["BaohaoBench"]),
    ],
    targets: [
        // System libraries with tiny prefixed C shims (variadic setopt/getinfo, SQLITE_TRANSIENT,
        // MHD_start_daemon).
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),

        // Wrappers for C facilities Swift does not import (malloc tuning).
        .target(name: "CSystem"),
        // The leaf every Swift module may use: JSON (parser, escapes, quoting), SHA-256, time
        // (instants, civil dates, tz database), logging with redaction, the queue executor and
        // the cancel flag. Depends on nothing of the package.
        .target(name: "BaohaoSupport", swiftSettings: strictSettings),
        // SQLite connection, statements, transactions, migrations; the PostgreSQL connection
        // (libpq) and the leader lease's state machine.
        .target(name: "Storage", dependencies: ["CSQLite", "CLibPQ", "BaohaoSupport"], swiftSettings: strictSettings),
        // Normalization, tokens, retrieval index, intent decision, entities. Pure.
        .target(name: "Understanding", dependencies: ["BaohaoSupport"], swiftSettings: strictSettings),
        // Domain, configuration, conversation, alerts, operators, outbox.
        .target(
            name: "BaohaoCore", dependencies: ["Understanding", "Storage", "BaohaoSupport"],
            swiftSettings: strictSettings),
        // The health and metrics endpoint: a small HTTP server on libmicrohttpd's own thread.
        .target(name: "Monitoring", dependencies: ["CMicroHTTPD", "BaohaoSupport"], swiftSettings: strictSettings),
        // Bot API types and methods, HTTP over libcurl, polling and sending, health and metrics.
        .target(
            name: "Telegram", dependencies: ["CCurl", "BaohaoCore", "Understanding", "Storage", "Monitoring", "BaohaoSupport"],
            swiftSettings: strictSettings),
        // A Bot API server double on loopback (POSIX sockets): for tests and the benchmark.
        .target(name: "BotAPIDouble", swiftSettings: strictSettings),
        // Command-line parsing, wiring and subcommands (tested); the executable stays thin.
        .target(
            name: "BaohaoApp",
            dependencies: ["BaohaoCore", "Telegram", "Understanding", "Storage", "BaohaoSupport", "CSystem"],
            swiftSettings: strictSettings),
        .executableTarget(name: "baohao", dependencies: ["BaohaoApp", "CSystem"], swiftSettings: strictSettings),
        // `make bench`: figures against the budgets of DESIGN.md.
        .executableTarget(
            name: "BaohaoBench", dependencies: ["Understanding", "BaohaoCore", "Storage", "Telegram", "BaohaoApp", "BotAPIDouble", "BaohaoSupport", "ThrowawayPostgres"],
            swiftSettings: strictSettings),
        // Helpers the test targets share (temporary files, the repository root).
        .target(name: "TestSupport", dependencies: ["ThrowawayPostgres"], swiftSettings: strictSettings),
        // A throwaway PostgreSQL server (initdb, pg_ctl) for the tests' cluster and the bench's.
        .target(name: "ThrowawayPostgres", swiftSettings: strictSettings),

        // libFuzzer harnesses, one executable each. `make fuzz` builds them with
        // `-sanitize=fuzzer,address -DFUZZING` into .build/fuzz-pkg and runs them; any other
        // build gives each a main that replays the inputs it is given (default: Tests/Fuzz/Seeds).
        .systemLibrary(name: "CLibFuzzer", path: "Tests/Fuzz/CLibFuzzer"),
        .target(name: "FuzzDriver", dependencies: ["CLibFuzzer"], path: "Tests/Fuzz/FuzzDriver", swiftSettings: strictSettings),
        .executableTarget(
            name: "FuzzUpdates", dependencies: ["FuzzDriver", "Telegram"], path: "Tests/Fuzz/FuzzUpdates",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "FuzzNormalizer", dependencies: ["FuzzDriver", "Understanding"], path: "Tests/Fuzz/FuzzNormalizer",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "FuzzLinesCSV", dependencies: ["FuzzDriver", "BaohaoCore", "Understanding", "BaohaoSupport"], path: "Tests/Fuzz/FuzzLinesCSV",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "FuzzFAQImport", dependencies: ["FuzzDriver", "BaohaoCore", "Storage", "Understanding", "BaohaoSupport"],
            path: "Tests/Fuzz/FuzzFAQImport", swiftSettings: strictSettings),
        .executableTarget(
            name: "FuzzTelegramHTML", dependencies: ["FuzzDriver", "BaohaoCore", "BotAPIDouble"], path: "Tests/Fuzz/FuzzTelegramHTML",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "FuzzButtonPayloads", dependencies: ["FuzzDriver", "BaohaoCore", "Understanding"], path: "Tests/Fuzz/FuzzButtonPayloads",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "FuzzMessageSplitter", dependencies: ["FuzzDriver", "Telegram", "BaohaoCore", "BotAPIDouble"],
            path: "Tests/Fuzz/FuzzMessageSplitter", swiftSettings: strictSettings),

        .testTarget(
            name: "BaohaoSupportTests", dependencies: ["BaohaoSupport", "TestSupport"],
            swiftSettings: strictSettings),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "UnderstandingTests", dependencies: ["Understanding", "TestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "BaohaoCoreTests", dependencies: ["BaohaoCore", "Storage", "Understanding", "TestSupport", "BaohaoSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "TelegramTests", dependencies: ["Telegram", "CCurl", "Monitoring", "TestSupport", "BotAPIDouble", "BaohaoCore", "BaohaoApp", "BaohaoSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "BaohaoAppTests", dependencies: ["BaohaoApp", "BaohaoCore", "Storage", "Telegram", "TestSupport", "BaohaoSupport"],
            swiftSettings: strictSettings),
    ]
)

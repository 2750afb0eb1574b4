#if canImport(Glibc)
import Glibc
#endif

/// Copies a SQLite database into an empty PostgreSQL database, whole or not at all: what
/// `baohao migrate --to postgres://…` does once the checks that need no SQL have passed.
///
/// Schema-agnostic: the tables come from the source's `sqlite_schema`, each one's columns
/// from `pragma_table_info`, their order from `pragma_foreign_key_list` (parents first, since
/// PostgreSQL checks every foreign key as each row goes in: the constraints are not
/// deferrable). The target gets its schema from the migrations given (the same versions as
/// the source's, in PostgreSQL's DDL), inside the one transaction that also copies the rows,
/// moves the identity sequences past the copied ids and checks every table: a failure at any
/// point rolls all of it back and leaves the target as it was.
///
/// The source is read in one read transaction, so the copy is one consistent snapshot even
/// if another connection writes meanwhile.
public enum SQLiteToPostgres {
    /// One copied table.
    public struct Table: Sendable, Equatable {
        public let name: String
        public let rows: Int
    }

    /// What a copy did.
    public struct Report: Sendable {
        /// The copied tables, in the order they were copied (parents first).
        public let tables: [Table]
        /// The schema version both databases are at.
        public let schemaVersion: Int
        /// The identity columns whose sequence was moved past the copied ids, as `table.column`.
        public let sequencesMoved: [String]
        /// Rows copied, over every table.
        public var rows: Int { tables.reduce(0) { $0 + $1.rows } }
    }

    /// Why a copy was refused or undone. Each names the table concerned.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The target holds some of the schema's tables, or versions in `schema_version`.
        case targetNotEmpty([String])
        /// The migrations made no table of this name on PostgreSQL: its rows would be lost.
        case noCounterpart(table: String)
        /// The PostgreSQL table lacks columns the SQLite one has: their values would be lost.
        case missingColumns(table: String, columns: [String])
        /// The source's foreign keys form a cycle among these tables: no order puts parents first.
        case foreignKeyCycle([String])
        /// After migrating, the two databases are not at the same schema version.
        case versionMismatch(source: Int?, target: Int?)
        /// PostgreSQL refused the table's rows (a constraint, a value out of range).
        case copyFailed(table: String, message: String, sqlState: String?)
        /// The table's row count read back from PostgreSQL differs from the rows read from SQLite.
        case countMismatch(table: String, source: Int, target: Int)
        /// The rows read back from PostgreSQL hold other values than those read from SQLite.
        case contentMismatch(table: String, rows: Int)

        public var description: String {
            switch self {
            case .targetNotEmpty(let found):
                "the target is not empty: it already has \(found.joined(separator: ", "))"
            case .noCounterpart(let table):
                "table \(table) has no counterpart in the PostgreSQL schema: its rows would be lost"
            case .missingColumns(let table, let columns):
                "table \(table) on PostgreSQL lacks the column\(columns.count == 1 ? "" : "s") \(columns.joined(separator: ", ")) the SQLite table has: their values would be lost"
            case .foreignKeyCycle(let tables):
                "the foreign keys of \(tables.joined(separator: ", ")) form a cycle: no order copies parents first"
            case .versionMismatch(let source, let target):
                "after migrating, the source is at schema version \(source.map(String.init) ?? "none") and the target at \(target.map(String.init) ?? "none")"
            case .copyFailed(let table, let message, let sqlState):
                "copying table \(table) failed: \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")
            case .countMismatch(let table, let source, let target):
                "table \(table): \(source) rows in SQLite, \(target) in PostgreSQL"
            case .contentMismatch(let table, let rows):
                "table \(table): the \(rows) rows read back from PostgreSQL differ from SQLite's"
            }
        }
    }

    /// The table that records the applied migrations: the migrator fills it on the target.
    public static let versionTable = "schema_version"

    /// The source's tables, parents before the tables whose foreign keys point at them, then
    /// in the order they were created; `schema_version` and SQLite's own tables are left out.
    public static func tables(of source: SQLiteConnection) throws -> [String] {
        let names = try source.query(
            """
            SELECT name FROM sqlite_schema
            WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ? ORDER BY rowid
            """, versionTable
        ) { $0.string(0) }
        var parents: [String: Set<String>] = [:]
        for name in names {
            let referenced = try source.query("SELECT \"table\" FROM pragma_foreign_key_list(?)", name) { $0.string(0) }
            // A self-reference is satisfied by the row order SQLite kept; a reference to a
            // table not copied (none exists in a sound file) cannot be ordered anyway.
            parents[name] = Set(referenced.filter { $0 != name && names.contains($0) })
        }
        var ordered: [String] = [], placed: Set<String> = []
        while ordered.count < names.count {
            guard let next = names.first(where: { !placed.contains($0) && parents[$0, default: []].isSubset(of: placed) }) else {
                throw Failure.foreignKeyCycle(names.filter { !placed.contains($0) })
            }
            ordered.append(next)
            placed.insert(next)
        }
        return ordered
    }

    /// What in `target` stands in the way of a copy: those of `tables` (and `schema_version`)
    /// that exist there, and the versions `schema_version` records. Empty when the target can
    /// take the copy. Tables resolve through the session's `search_path`, as the bot's do.
    public static func obstacles(in target: PGConnection, tables: [String]) throws -> [String] {
        var found: [String] = []
        for name in tables where try exists(name, in: target) {
            found.append("table \(name)")
        }
        if try exists(versionTable, in: target) {
            let versions = try target.queryFirst("SELECT count(*) FROM \(quoted(versionTable))") { $0.int(0) } ?? 0
            if versions > 0 { found.append("\(versions) schema version\(versions == 1 ? "" : "s") recorded in \(versionTable)") }
        }
        return found
    }

    /// Copies every table of `source` into `target`, which must hold none of them: in one
    /// PostgreSQL transaction, `migrations` create the schema, the rows are copied (in
    /// batches of multi-row INSERTs), the identity sequences are moved past the largest
    /// copied ids, and each table's row count and content are read back and compared with
    /// what was read from SQLite; any failure rolls everything back. `source` must already
    /// be at the newest version of `migrations`.
    public static func copy(from source: SQLiteConnection, to target: PGConnection, migrations: [Migration]) throws -> Report {
        try source.transaction(.deferred) { () throws -> Report in
            let names = try tables(of: source)
            let sourceVersion = try Migrator.recordedVersion(source)
            return try target.transaction(.immediate) { () throws -> Report in
                // Checked again under the write lock: another process may have started meanwhile.
                let found = try obstacles(in: target, tables: names)
                guard found.isEmpty else { throw Failure.targetNotEmpty(found) }
                try Migrator.migrate(target, migrations)
                let targetVersion = try Migrator.recordedVersion(target)
                guard let sourceVersion, sourceVersion == targetVersion else {
                    throw Failure.versionMismatch(source: sourceVersion, target: targetVersion)
                }
                var copied: [(table: Table, plan: TablePlan, digest: Digest)] = []
                for name in names {
                    let plan = try TablePlan(name, source: source, target: target)
                    let (rows, digest) = try copyRows(plan, from: source, to: target)
                    copied.append((Table(name: name, rows: rows), plan, digest))
                }
                var moved: [String] = []
                for (table, plan, _) in copied where table.rows > 0 {
                    for column in plan.identityColumns {
                        // An identity hands out 1, 2, … whatever the rows hold: it must start after them.
                        let set = try target.queryFirst(
                            "SELECT setval(pg_get_serial_sequence(?, ?), max(\(quoted(column)))) FROM \(quoted(plan.name)) HAVING max(\(quoted(column))) >= 1",
                            quoted(plan.name), column) { _ in true } ?? false
                        if set { moved.append("\(plan.name).\(column)") }
                    }
                }
                for (table, plan, digest) in copied {
                    let count = try target.queryFirst("SELECT count(*) FROM \(quoted(plan.name))") { $0.int(0) } ?? -1
                    guard count == table.rows else { throw Failure.countMismatch(table: plan.name, source: table.rows, target: count) }
                    let (readBack, readDigest) = try readBack(plan, from: target)
                    guard readBack == table.rows else {
                        throw Failure.countMismatch(table: plan.name, source: table.rows, target: readBack)
                    }
                    guard readDigest == digest else { throw Failure.contentMismatch(table: plan.name, rows: table.rows) }
                }
                return Report(tables: copied.map(\.table), schemaVersion: sourceVersion, sequencesMoved: moved)
            }
        }
    }

    // MARK: - One table

    /// How one table is copied: SQLite's columns, in its order, every one of which the
    /// PostgreSQL table must have (a column only PostgreSQL has takes its default), and the
    /// primary key the rows are read back by.
    struct TablePlan {
        let name: String
        let columns: [String]
        /// Positions in `columns` of the primary key's columns, in key order (empty: no key).
        let key: [Int]
        /// The PostgreSQL table's identity columns.
        let identityColumns: [String]

        init(_ name: String, source: SQLiteConnection, target: PGConnection) throws {
            let sourceColumns = try source.query("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", name) {
                (name: $0.string(0), pk: $0.int(1))
            }
            let targetColumns = try target.query(
                """
                SELECT a.attname, a.attidentity <> '' FROM pg_attribute a
                WHERE a.attrelid = to_regclass(?::text) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
                """, quoted(name)
            ) { (name: $0.string(0), identity: $0.bool(1)) }
            guard !targetColumns.isEmpty else { throw Failure.noCounterpart(table: name) }
            let targetNames = Set(targetColumns.map(\.name))
            let missing = sourceColumns.map(\.name).filter { !targetNames.contains($0) }
            guard missing.isEmpty else { throw Failure.missingColumns(table: name, columns: missing) }
            self.name = name
            self.columns = sourceColumns.map(\.name)
            self.key = sourceColumns.enumerated().filter { $0.element.pk > 0 }.sorted { $0.element.pk < $1.element.pk }.map(\.offset)
            self.identityColumns = targetColumns.filter(\.identity).map(\.name)
        }

        var columnList: String { columns.map(quoted).joined(separator: ", ") }
    }

    /// Streams the table's rows from SQLite into PostgreSQL, `rowsPerInsert` at a time.
    /// Returns the rows copied and the digest of the values as PostgreSQL stores them.
    static func copyRows(_ plan: TablePlan, from source: SQLiteConnection, to target: PGConnection) throws -> (Int, Digest) {
        let width = plan.columns.count
        // PostgreSQL takes at most 65,535 parameters in one statement.
        let rowsPerInsert = max(1, min(500, 65_535 / width))
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        let head = "INSERT INTO \(quoted(plan.name)) (\(plan.columnList)) VALUES "
        let fullInsert = head + Array(repeating: tuple, count: rowsPerInsert).joined(separator: ", ")
        var pending: [any DatabaseValueConvertible] = []
        pending.reserveCapacity(rowsPerInsert * width)
        var pendingRows = 0, rows = 0
        var digest = Digest()
        func flush() throws(DatabaseError) {
            guard pendingRows > 0 else { return }
            let sql = pendingRows == rowsPerInsert ? fullInsert : head + Array(repeating: tuple, count: pendingRows).joined(separator: ", ")
            try target.execute(sql, arguments: pending)
            pending.removeAll(keepingCapacity: true)
            pendingRows = 0
        }
        do {
            _ = try source.query("SELECT \(plan.columnList) FROM \(quoted(plan.name))", arguments: []) { row -> Void in
                var hasher = RowHasher()
                for column in 0..<width {
                    let value = storedOnPostgres(row.value(column))
                    hasher.add(value)
                    pending.append(value)
                }
                digest.add(hasher)
                pendingRows += 1
                rows += 1
                if pendingRows == rowsPerInsert { try flush() }
            }
            try flush()
            // The inserts were pipelined: their errors belong to this table.
            try target.readPipelinedResults()
        } catch let error as DatabaseError where error.sqlState != nil {
            throw Failure.copyFailed(table: plan.name, message: error.message, sqlState: error.sqlState)
        }
        return (rows, digest)
    }

    /// Reads the table back from PostgreSQL a page at a time (by its primary key, when it
    /// has one) and digests its rows as `copyRows` did.
    static func readBack(_ plan: TablePlan, from target: PGConnection) throws -> (Int, Digest) {
        let width = plan.columns.count
        var digest = Digest(), rows = 0
        /// Digests the row; returns its primary key's values.
        func digestRow(_ row: Row) -> [DatabaseValue] {
            var hasher = RowHasher()
            var values: [DatabaseValue] = []
            values.reserveCapacity(width)
            for column in 0..<width {
                let value = row.value(column)
                hasher.add(value)
                values.append(value)
            }
            digest.add(hasher)
            rows += 1
            return plan.key.map { values[$0] }
        }
        let select = "SELECT \(plan.columnList) FROM \(quoted(plan.name))"
        guard !plan.key.isEmpty else {
            _ = try target.query(select, arguments: []) { digestRow($0) }
            return (rows, digest)
        }
        let keyList = plan.key.map { quoted(plan.columns[$0]) }.joined(separator: ", ")
        let page = 10_000
        let order = " ORDER BY \(keyList) LIMIT \(page)"
        let after = " WHERE (\(keyList)) > (" + Array(repeating: "?", count: plan.key.count).joined(separator: ", ") + ")"
        var last: [DatabaseValue]?
        while true {
            let keys = try target.query(select + (last == nil ? "" : after) + order, arguments: last ?? []) { digestRow($0) }
            guard keys.count == page, let final = keys.last else { break }
            last = final
        }
        return (rows, digest)
    }

    // MARK: - Helpers

    /// `name` as a quoted identifier.
    static func quoted(_ name: String) -> String { "\"" + name.replacing("\"", with: "\"\"") + "\"" }

    /// True when `name` resolves to a relation in the target's search path.
    static func exists(_ name: String, in target: PGConnection) throws -> Bool {
        try target.queryFirst("SELECT to_regclass(?::text) IS NOT NULL", quoted(name)) { $0.bool(0) } ?? false
    }

    /// The value PostgreSQL stores for `value`: text cannot hold U+0000 there, and the
    /// connection stores each as U+FFFD (see `PGTextParameter`).
    static func storedOnPostgres(_ value: DatabaseValue) -> DatabaseValue {
        guard case .text(var text) = value else { return value }
        let hasNUL = text.withUTF8 { bytes in bytes.baseAddress.map { memchr($0, 0, bytes.count) != nil } ?? false }
        guard hasNUL else { return value }
        return .text(String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 })))
    }

    /// A digest of a table's rows that does not depend on their order: the wrapping sums of
    /// each row's hash under two seeds. Swift's `Hasher` is seeded per process, which is
    /// enough: both sides are digested by the same process.
    struct Digest: Equatable {
        private(set) var first: UInt64 = 0
        private(set) var second: UInt64 = 0

        mutating func add(_ row: RowHasher) {
            first &+= row.first
            second &+= row.second
        }
    }

    /// Hashes one row's values, each with its storage class and its exact bytes (text is
    /// hashed as UTF-8, not as Swift's canonically equivalent characters).
    struct RowHasher {
        private var a = Hasher(), b = Hasher()

        init() { b.combine(0x5EED as UInt16) }

        mutating func add(_ value: DatabaseValue) {
            switch value {
            case .null: combine(0 as UInt8)
            case .integer(let integer): combine(1 as UInt8); combine(integer)
            case .real(let double): combine(2 as UInt8); combine(double.bitPattern)
            case .text(let text):
                combine(3 as UInt8)
                combine(text.utf8.count)
                var text = text
                text.withUTF8 { bytes in
                    a.combine(bytes: UnsafeRawBufferPointer(bytes))
                    b.combine(bytes: UnsafeRawBufferPointer(bytes))
                }
            case .blob(let bytes):
                combine(4 as UInt8)
                combine(bytes.count)
                bytes.withUnsafeBytes { raw in
                    a.combine(bytes: raw)
                    b.combine(bytes: raw)
                }
            }
        }

        private mutating func combine(_ value: some Hashable) {
            a.combine(value)
            b.combine(value)
        }

        var first: UInt64 { UInt64(bitPattern: Int64(a.finalize())) }
        var second: UInt64 { UInt64(bitPattern: Int64(b.finalize())) }
    }
}

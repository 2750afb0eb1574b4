import BaohaoCore
import Foundation
import Storage
import TestSupport
import Testing

/// `BaohaoSchema.postgresScripts` against a real server (a throwaway cluster, one new database
/// per test) and against SQLite's migrations: the same versions, the same schema, the same
/// rows refused. Without PostgreSQL installed these tests are skipped (reported as not run).
@Suite(.requiresPostgres)
struct PostgresSchemaTests {
    // MARK: - The scripts

    @Test func theScriptsApplyInOrderToAnEmptyDatabase() throws {
        #expect(
            BaohaoSchema.postgresScripts.keys.sorted() == BaohaoSchema.migrations.map(\.version).sorted(),
            "every SQLite migration needs its PostgreSQL script, and no script may lack its migration")
        let db = try Self.postgres()
        try Self.applyPostgres(db, through: Int.max)
        let tables = try db.query(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ) { $0.int(0) }
        #expect(tables == [try Self.sqliteTables(Self.sqlite()).count])
    }

    // MARK: - The same schema

    /// Each engine's schema as facts, one line each (a table; a column at its position with its
    /// type class, NOT NULL, default and whether the engine assigns it; the primary key; each
    /// UNIQUE constraint; each index with its columns, uniqueness and predicate; each foreign
    /// key with its actions; each CHECK with the columns and literals it names; any view or
    /// trigger), compared as multisets: every fact one engine has and the other lacks is listed.
    /// Migration 14's notification triggers: hints for `LISTEN`, which SQLite has no use for.
    /// Named one by one, so that any other trigger on one engine alone still counts.
    static let postgresOnlyTriggers: Set = ["trigger outbox_queued", "trigger faq_changed"]

    @Test func bothEnginesHaveTheSameSchema() throws {
        let sqlite = try Self.sqliteFacts(Self.sqlite())
        let postgres = try Self.postgresFacts(Self.migratedPostgres())
        #expect(sqlite.contains("table lines") && sqlite.count > 100, "the SQLite side was read: \(sqlite.count) facts")
        let onlySQLite = Self.subtracting(postgres, from: sqlite)
        let onlyPostgres = Self.subtracting(sqlite, from: postgres)
        #expect(
            onlySQLite.isEmpty && onlyPostgres.isEmpty,
            """
            the schemas differ.
            only in SQLite (\(onlySQLite.count)):
              \(onlySQLite.joined(separator: "\n  "))
            only in PostgreSQL (\(onlyPostgres.count)):
              \(onlyPostgres.joined(separator: "\n  "))
            """)
    }

    /// The comparison sees the differences it is meant to: a script with one of each mistake
    /// (a 32-bit integer, a text column without COLLATE "C", a lost CHECK, NOT NULL and
    /// default, a serial id, an index on other columns, another ON DELETE) is told apart.
    @Test func theComparisonReportsEachKindOfDifference() throws {
        let db = try Self.postgres()
        try Self.applyPostgres(db, through: Int.max)
        try db.executeScript(
            """
            ALTER TABLE lines ALTER COLUMN balance_minor TYPE INTEGER;
            ALTER TABLE lines ALTER COLUMN carrier TYPE TEXT COLLATE "POSIX";
            ALTER TABLE lines DROP CONSTRAINT lines_request_check;
            ALTER TABLE lines ADD CONSTRAINT lines_request_check CHECK (request IN ('cancel_pending', 'cancelled'));
            ALTER TABLE lines ALTER COLUMN note DROP NOT NULL;
            ALTER TABLE lines ALTER COLUMN note DROP DEFAULT;
            ALTER TABLE outbox ALTER COLUMN id DROP IDENTITY;
            CREATE SEQUENCE outbox_id_seq;
            ALTER TABLE outbox ALTER COLUMN id SET DEFAULT nextval('outbox_id_seq');
            DROP INDEX outbox_pending;
            CREATE INDEX outbox_pending ON outbox(priority, id) WHERE state = 'sent';
            DROP INDEX lines_by_expiry;
            CREATE UNIQUE INDEX lines_by_expiry ON lines(expires_on, id);
            ALTER TABLE ledger DROP CONSTRAINT ledger_line_id_fkey;
            ALTER TABLE ledger ADD FOREIGN KEY (line_id) REFERENCES lines(id) ON DELETE CASCADE;
            ALTER TABLE alerts DROP CONSTRAINT alerts_line_id_chat_id_kind_lead_days_expires_on_key;
            ALTER TABLE alerts ADD UNIQUE (line_id, chat_id, kind, expires_on);
            """)
        let sqlite = try Self.sqliteFacts(Self.sqlite())
        let postgres = try Self.postgresFacts(db)
        let onlyPostgres = Self.subtracting(sqlite, from: postgres)
        let expected = [
            "lines column 5 balance_minor: postgres integer NOT NULL, no default",
            "lines column 3 carrier: text collate POSIX NOT NULL, no default",
            "lines check on (request): 'cancel_pending' 'cancelled'",
            "lines column 9 note: text, no default",
            "outbox column 1 id: integer NOT NULL, default <expression>",
            "outbox index outbox_pending on (priority, id) where state = 'sent'",
            "lines index lines_by_expiry on (expires_on, id) unique",
            "ledger foreign key (line_id) references lines(id) on delete CASCADE on update NO ACTION",
            "alerts unique (line_id, chat_id, kind, expires_on)",
        ]
        #expect(onlyPostgres == expected.sorted(), "reported:\n  \(onlyPostgres.joined(separator: "\n  "))")
    }

    // MARK: - The same rows refused

    @Test func aCheckViolationIsRefusedByBoth() throws {
        try Self.expectBothRefuse(
            good: "INSERT INTO outbox (chat_id, priority, message, created_at, state) VALUES (1, 0, 'm', 't', 'sent')",
            bad: "INSERT INTO outbox (chat_id, priority, message, created_at, state) VALUES (1, 0, 'm', 't', 'lost')",
            sqliteExtendedCode: 275, sqlState: "23514")  // SQLITE_CONSTRAINT_CHECK, check_violation
    }

    @Test func aNotNullViolationIsRefusedByBoth() throws {
        try Self.expectBothRefuse(
            good: "INSERT INTO operators (user_id, added_by, added_at) VALUES (7, 'owner', 't')",
            bad: "INSERT INTO operators (user_id, added_by, added_at) VALUES (8, NULL, 't')",
            sqliteExtendedCode: 1299, sqlState: "23502")  // SQLITE_CONSTRAINT_NOTNULL, not_null_violation
    }

    @Test func aUniqueViolationIsRefusedByBoth() throws {
        try Self.expectBothRefuse(
            setup: [Self.insertLine(number: "+85290000001")],
            good: Self.insertLine(number: "+85290000002"),
            bad: Self.insertLine(number: "+85290000001"),
            sqliteExtendedCode: 2067, sqlState: "23505")  // SQLITE_CONSTRAINT_UNIQUE, unique_violation
        // The partial unique index: two orders without a charge, but not two with the same one.
        let order = { (reference: String, charge: String) in
            """
            INSERT INTO renewal_orders (reference, chat_id, number, choice, amount_minor, currency, language, created_at, telegram_charge_id)
            VALUES ('\(reference)', 1, '+85290000001', 'month', 100, 'HKD', 'en', 't', \(charge))
            """
        }
        try Self.expectBothRefuse(
            setup: [order("r1", "NULL"), order("r2", "NULL"), order("r3", "'charge-1'")],
            good: order("r4", "'charge-2'"),
            bad: order("r5", "'charge-1'"),
            sqliteExtendedCode: 2067, sqlState: "23505")
    }

    @Test func aForeignKeyViolationIsRefusedByBoth() throws {
        let ledger = { (lineID: Int) in
            """
            INSERT INTO ledger (line_id, at, actor, reason, balance_delta_minor, balance_after_minor, currency, expires_after)
            VALUES (\(lineID), 't', 'test', 'top-up', 100, 100, 'HKD', '2026-01-01')
            """
        }
        try Self.expectBothRefuse(
            setup: [Self.insertLine(number: "+85290000001")],
            good: ledger(1), bad: ledger(999),
            sqliteExtendedCode: 787, sqlState: "23503")  // SQLITE_CONSTRAINT_FOREIGNKEY, foreign_key_violation
        // And a referenced row cannot be deleted (ON DELETE NO ACTION).
        try Self.expectBothRefuse(
            setup: [Self.insertLine(number: "+85290000001"), ledger(1)],
            good: "DELETE FROM lines WHERE id = 999", bad: "DELETE FROM lines WHERE id = 1",
            sqliteExtendedCode: 787, sqlState: "23503")
    }

    /// An insert without an id gets one on both engines, and the same ones (1, 2, …); an
    /// explicit id is taken as given (a copy from SQLite keeps its ids).
    @Test func anIdIsAssignedOnInsertByBoth() throws {
        let sqlite = try Self.sqlite(), postgres = try Self.migratedPostgres()
        let statements = [
            Self.insertLine(number: "+85290000001"),
            Self.insertLine(number: "+85290000002"),
            "INSERT INTO tickets (chat_id, user_id, opened_at) VALUES (5, 6, 't')",
            "INSERT INTO tickets (chat_id, user_id, opened_at) VALUES (5, 6, 't')",
            "INSERT INTO ticket_messages (ticket_id, customer_message_id, at) VALUES (2, 10, 't')",
            "INSERT INTO outbox (chat_id, priority, message, created_at) VALUES (1, 0, 'm', 't')",
            "INSERT INTO outbox (id, chat_id, priority, message, created_at) VALUES (100, 1, 0, 'm', 't')",
        ]
        for statement in statements {
            try sqlite.executeScript(statement)
            try postgres.executeScript(statement)
        }
        for table in ["lines", "tickets", "ticket_messages", "outbox"] {
            let query = "SELECT id FROM \(table) ORDER BY id"
            let inSQLite = try sqlite.query(query) { $0.optionalInt64(0) }
            let inPostgres = try postgres.query(query) { $0.optionalInt64(0) }
            #expect(inSQLite == inPostgres, "\(table)")
            #expect(!inPostgres.isEmpty && !inPostgres.contains(nil), "\(table): \(inPostgres)")
        }
        #expect(try postgres.query("SELECT id FROM outbox ORDER BY id") { $0.int(0) } == [1, 100])
    }

    // MARK: - Defaults and data steps

    /// bot_state's `updated_at` default is the same text on both: ISO-8601 with milliseconds,
    /// in UTC even when the session's time zone is not.
    @Test func theBotStateTimestampDefaultHasTheSameShape() throws {
        let sqlite = try Self.sqlite(), postgres = try Self.migratedPostgres()
        try postgres.executeScript("SET TIME ZONE 'Pacific/Kiritimati'")  // UTC+14
        let insert = "INSERT INTO bot_state (key, value) VALUES ('k', 'v')"
        try sqlite.executeScript(insert)
        try postgres.executeScript(insert)
        let read = "SELECT updated_at FROM bot_state WHERE key = 'k'"
        let stamps = [
            ("SQLite", try sqlite.queryFirst(read) { $0.string(0) }),
            ("PostgreSQL", try postgres.queryFirst(read) { $0.string(0) }),
        ]
        let shape = try Regex(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for (engine, stamp) in stamps {
            let stamp = try #require(stamp, "\(engine): no row")
            #expect(stamp.wholeMatch(of: shape) != nil, "\(engine): \(stamp)")
            let date = try #require(iso.date(from: stamp), "\(engine): \(stamp)")
            #expect(abs(date.timeIntervalSinceNow) < 300, "\(engine): \(stamp) is not now in UTC")
        }
    }

    /// Versions 10 and 11 also change rows (a closed ticket's state, a paid order's state):
    /// applied to the same rows, both engines leave the same states.
    @Test func theDataStepsOfVersions10And11MatchSQLite() throws {
        let sqlite = try SQLiteConnection(path: temporaryDatabasePath("pg-schema-steps"))
        try Migrator.migrate(sqlite, BaohaoSchema.migrations.filter { $0.version <= 9 })
        let postgres = try Self.postgres()
        try Self.applyPostgres(postgres, through: 9)
        let rows = """
            INSERT INTO tickets (chat_id, user_id, opened_at, closed_at) VALUES (1, 1, 't', NULL), (2, 2, 't', 'u');
            INSERT INTO renewal_orders (reference, chat_id, number, choice, amount_minor, currency, language, created_at, paid_at)
            VALUES ('a', 1, 'n', 'c', 1, 'HKD', 'en', 't', NULL), ('b', 1, 'n', 'c', 1, 'HKD', 'en', 't', 'p');
            """
        try sqlite.executeScript(rows)
        try postgres.executeScript(rows)
        try Migrator.migrate(sqlite, BaohaoSchema.migrations)
        try Self.applyPostgres(postgres, from: 10, through: Int.max)
        for query in [
            "SELECT state FROM tickets ORDER BY id", "SELECT state || ' ' || mode FROM renewal_orders ORDER BY reference",
        ] {
            let inSQLite = try sqlite.query(query) { $0.string(0) }
            #expect(try postgres.query(query) { $0.string(0) } == inSQLite, "\(query)")
        }
        #expect(try postgres.query("SELECT state FROM tickets ORDER BY id") { $0.string(0) } == ["open", "closed"])
    }

    // MARK: - Databases

    private static func postgres() throws -> PGConnection {
        try PGConnection(try PostgresCluster.shared().makeDatabase())
    }

    /// A PostgreSQL database migrated as the bot migrates it (`Migrator`, the per-engine scripts).
    private static func migratedPostgres() throws -> PGConnection {
        let db = try postgres()
        try Migrator.migrate(db, BaohaoSchema.migrations)
        return db
    }

    /// Applies the scripts of versions `from...through`, in order, each in its own transaction
    /// as the migrator will; a failure names its version.
    private static func applyPostgres(_ db: PGConnection, from first: Int = 1, through last: Int) throws {
        for (version, script) in BaohaoSchema.postgresScripts.sorted(by: { $0.key < $1.key })
        where version >= first && version <= last {
            do {
                try db.transaction { try db.executeScript(script) }
            } catch {
                throw ScriptFailure(version: version, error: "\(error)")
            }
        }
    }

    private struct ScriptFailure: Error, CustomStringConvertible {
        let version: Int, error: String
        var description: String { "PostgreSQL script \(version) failed: \(error)" }
    }

    /// A new SQLite database with every migration applied.
    private static func sqlite() throws -> SQLiteConnection {
        let db = try SQLiteConnection(path: temporaryDatabasePath("pg-schema"))
        try Migrator.migrate(db, BaohaoSchema.migrations)
        return db
    }

    private static func insertLine(number: String) -> String {
        """
        INSERT INTO lines (number, carrier, plan, balance_minor, currency, expires_on, auto_renew, created_at, updated_at)
        VALUES ('\(number)', 'carrier', 'plan', 0, 'HKD', '2026-01-01', 0, 't', 't')
        """
    }

    /// On a fresh database of each engine: `setup`, then `good` (accepted), then `bad`, which
    /// must be refused for the expected reason (SQLite's extended code, PostgreSQL's SQLSTATE).
    private static func expectBothRefuse(
        setup: [String] = [], good: String, bad: String, sqliteExtendedCode: Int32, sqlState: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let sqlite = try Self.sqlite(), postgres = try Self.migratedPostgres()
        for statement in setup + [good] {
            try sqlite.executeScript(statement)
            try postgres.executeScript(statement)
        }
        let inSQLite = #expect(throws: DatabaseError.self, "SQLite accepted: \(bad)", sourceLocation: sourceLocation) {
            try sqlite.executeScript(bad)
        }
        #expect(inSQLite?.extendedCode == sqliteExtendedCode, "SQLite: \(inSQLite.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
        let inPostgres = #expect(throws: DatabaseError.self, "PostgreSQL accepted: \(bad)", sourceLocation: sourceLocation) {
            try postgres.executeScript(bad)
        }
        #expect(inPostgres?.sqlState == sqlState, "PostgreSQL: \(inPostgres.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
    }

    // MARK: - Reading SQLite's schema

    private static func sqliteTables(_ db: SQLiteConnection) throws -> [(name: String, sql: String)] {
        // schema_version belongs to the migrator, which creates it on each engine itself.
        try db.query(
            """
            SELECT name, sql FROM sqlite_schema
            WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name <> 'schema_version' ORDER BY name
            """
        ) { (name: $0.string(0), sql: $0.string(1)) }
    }

    private static func sqliteFacts(_ db: SQLiteConnection) throws -> [String] {
        var facts: [String] = []
        for (table, tableSQL) in try sqliteTables(db) {
            facts.append("table \(table)")
            let columns = try db.query(
                "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid", table
            ) {
                (name: $0.string(0), type: $0.string(1), notNull: $0.bool(2), defaultValue: $0.optionalString(3), pk: $0.int(4), hidden: $0.int(5))
            }
            let indexes = try db.query("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", table) {
                (name: $0.string(0), unique: $0.bool(1), origin: $0.string(2), partial: $0.bool(3))
            }
            let primaryKey = columns.filter { $0.pk > 0 }.sorted { $0.pk < $1.pk }.map(\.name)
            // The rowid's alias: a rowid table's single INTEGER PRIMARY KEY (a WITHOUT ROWID
            // table, or any other key, has an index of origin "pk"). Never NULL: SQLite assigns
            // it when an insert gives none. The bot relies on that for `id` only; other aliases
            // (chat_id, user_id) hold Telegram's ids and are always given.
            let rowidAlias: String? =
                primaryKey.count == 1 && !indexes.contains { $0.origin == "pk" }
                && columns.first { $0.name == primaryKey[0] }?.type.uppercased() == "INTEGER" ? primaryKey[0] : nil
            for (position, column) in columns.enumerated() {
                let typeClass =
                    switch column.type.uppercased() {
                    case "INTEGER": "integer"
                    case "TEXT": "text"
                    case "REAL": "real"
                    case "BLOB": "blob"
                    default: "sqlite \(column.type)"
                    }
                let isAlias = column.name == rowidAlias
                facts.append(
                    columnFact(
                        table: table, position: position + 1, name: column.name, typeClass: typeClass,
                        notNull: column.notNull || isAlias, defaultValue: column.defaultValue,
                        assigned: isAlias && column.name == "id" ? "assigned by default" : nil,
                        generated: column.hidden == 2 || column.hidden == 3))
            }
            if !primaryKey.isEmpty { facts.append("\(table) primary key (\(primaryKey.joined(separator: ", ")))") }
            for index in indexes where index.origin != "pk" {
                let indexColumns = try db.query("SELECT name FROM pragma_index_info(?) ORDER BY seqno", index.name) {
                    $0.optionalString(0) ?? "<expression>"
                }
                if index.origin == "u" {
                    facts.append("\(table) unique (\(indexColumns.joined(separator: ", ")))")
                    continue
                }
                var predicate: String?
                if index.partial {
                    let sql = try db.queryFirst("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?", index.name) {
                        $0.string(0)
                    } ?? ""
                    let start = sql.range(of: " WHERE ", options: [.caseInsensitive, .backwards])?.upperBound ?? sql.endIndex
                    predicate = String(sql[start...])
                }
                facts.append(
                    indexFact(table: table, name: index.name, columns: indexColumns, unique: index.unique, predicate: predicate))
            }
            let references = try db.query(
                "SELECT id, \"table\", \"from\", \"to\", on_delete, on_update FROM pragma_foreign_key_list(?) ORDER BY id, seq", table
            ) {
                (id: $0.int(0), table: $0.string(1), from: $0.string(2), to: $0.optionalString(3), onDelete: $0.string(4), onUpdate: $0.string(5))
            }
            for id in Set(references.map(\.id)).sorted() {
                let parts = references.filter { $0.id == id }
                let target = parts[0].table
                var to = parts.compactMap(\.to)
                if to.count != parts.count {  // REFERENCES t without columns: t's primary key
                    to = try db.query("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", target) { $0.string(0) }
                }
                facts.append(
                    foreignKeyFact(
                        table: table, from: parts.map(\.from), target: target, to: to, onDelete: parts[0].onDelete,
                        onUpdate: parts[0].onUpdate))
            }
            let names = Set(columns.map(\.name))
            for check in checkExpressions(tableSQL) {
                let named = Set(check.compactMap { token -> String? in
                    if case .word(let word) = token, names.contains(word) { return word }
                    return nil
                })
                facts.append(checkFact(table: table, columns: named, expression: check))
            }
        }
        let others = try db.query("SELECT type, name FROM sqlite_schema WHERE type IN ('view', 'trigger') ORDER BY name") {
            "\($0.string(0)) \($0.string(1))"
        }
        return facts + others
    }

    // MARK: - Reading PostgreSQL's schema

    private static func postgresFacts(_ db: PGConnection) throws -> [String] {
        var facts: [String] = []
        let relations = try db.query(
            """
            SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname <> 'schema_version' ORDER BY c.relname
            """
        ) { (name: $0.string(0), kind: $0.string(1)) }
        let tables = relations.filter { $0.kind == "r" || $0.kind == "p" }.map(\.name)
        facts += relations.filter { $0.kind != "r" }.map { "\($0.kind == "v" ? "view" : "relation kind \($0.kind)") \($0.name)" }
        facts += try db.query(
            """
            SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND NOT t.tgisinternal
            """
        ) { "trigger \($0.string(0))" }.filter { !postgresOnlyTriggers.contains($0) }

        let columns = try db.query(
            """
            SELECT table_name, column_name, data_type, collation_name, is_nullable, column_default, is_identity,
                   identity_generation, is_generated
            FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position
            """
        ) {
            (
                table: $0.string(0), name: $0.string(1), type: $0.string(2), collation: $0.optionalString(3),
                notNull: $0.string(4) == "NO", defaultValue: $0.optionalString(5), identity: $0.string(6) == "YES",
                generation: $0.string(7), generated: $0.string(8) == "ALWAYS"
            )
        }
        for table in tables {
            facts.append("table \(table)")
            for (position, column) in columns.filter({ $0.table == table }).enumerated() {
                let typeClass =
                    switch (column.type, column.collation) {
                    case ("bigint", _): "integer"
                    case ("text", "C"): "text"
                    case ("text", let collation): "text collate \(collation ?? "default")"
                    case ("double precision", _): "real"
                    case ("bytea", _): "blob"
                    default: "postgres \(column.type)"
                    }
                facts.append(
                    columnFact(
                        table: table, position: position + 1, name: column.name, typeClass: typeClass, notNull: column.notNull,
                        defaultValue: column.generated ? nil : column.defaultValue,
                        assigned: column.identity ? "assigned \(column.generation.lowercased())" : nil,
                        generated: column.generated))
            }
        }

        // Constraints: key columns in key order, by name.
        let columnList = { (keys: String, relation: String) in
            """
            (SELECT string_agg(a.attname, ',' ORDER BY k.o) FROM unnest(\(keys)) WITH ORDINALITY AS k(n, o)
             JOIN pg_attribute a ON a.attrelid = \(relation) AND a.attnum = k.n)
            """
        }
        let constraints = try db.query(
            """
            SELECT r.relname, con.contype::text, coalesce(\(columnList("con.conkey", "con.conrelid")), ''),
                   coalesce(f.relname, ''), coalesce(\(columnList("con.confkey", "con.confrelid")), ''),
                   con.confdeltype::text, con.confupdtype::text, pg_get_constraintdef(con.oid), con.conname
            FROM pg_constraint con
            JOIN pg_class r ON r.oid = con.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
            LEFT JOIN pg_class f ON f.oid = con.confrelid
            WHERE n.nspname = 'public'
            ORDER BY r.relname, con.conname
            """
        ) {
            (
                table: $0.string(0), type: $0.string(1), columns: $0.string(2).split(separator: ",").map(String.init),
                target: $0.string(3), to: $0.string(4).split(separator: ",").map(String.init), onDelete: $0.string(5),
                onUpdate: $0.string(6), definition: $0.string(7), name: $0.string(8)
            )
        }
        let action = { (code: String) in
            switch code {
            case "a": "NO ACTION"
            case "r": "RESTRICT"
            case "c": "CASCADE"
            case "n": "SET NULL"
            case "d": "SET DEFAULT"
            default: "action \(code)"
            }
        }
        for constraint in constraints where constraint.table != "schema_version" {
            let table = constraint.table
            switch constraint.type {
            case "p": facts.append("\(table) primary key (\(constraint.columns.joined(separator: ", ")))")
            case "u": facts.append("\(table) unique (\(constraint.columns.joined(separator: ", ")))")
            case "f":
                facts.append(
                    foreignKeyFact(
                        table: table, from: constraint.columns, target: constraint.target, to: constraint.to,
                        onDelete: action(constraint.onDelete), onUpdate: action(constraint.onUpdate)))
            case "c":
                let expression = checkExpressions(constraint.definition).first ?? []
                facts.append(checkFact(table: table, columns: Set(constraint.columns), expression: expression))
            case "n": continue  // PostgreSQL 18 records NOT NULL as constraints too: read from the columns
            default: facts.append("\(table) constraint \(constraint.name): \(constraint.definition)")
            }
        }

        // Indexes, but not those behind a PRIMARY KEY or UNIQUE constraint (compared above, as
        // SQLite's automatic indexes are).
        let indexes = try db.query(
            """
            SELECT t.relname, i.relname, ix.indisunique, coalesce(\(columnList("ix.indkey::int2[]", "ix.indrelid")), ''),
                   pg_get_expr(ix.indpred, ix.indrelid), ix.indexprs IS NOT NULL
            FROM pg_index ix
            JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public' AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.conrelid = ix.indrelid AND c.contype IN ('p', 'u', 'x'))
            ORDER BY i.relname
            """
        ) {
            (
                table: $0.string(0), name: $0.string(1), unique: $0.bool(2), columns: $0.string(3).split(separator: ",").map(String.init),
                predicate: $0.optionalString(4), expressions: $0.bool(5)
            )
        }
        for index in indexes {
            facts.append(
                indexFact(
                    table: index.table, name: index.name, columns: index.columns + (index.expressions ? ["<expression>"] : []),
                    unique: index.unique, predicate: index.predicate))
        }
        return facts
    }

    // MARK: - Facts, in the same words for both engines

    private static func columnFact(
        table: String, position: Int, name: String, typeClass: String, notNull: Bool, defaultValue: String?, assigned: String?,
        generated: Bool
    ) -> String {
        var fact = "\(table) column \(position) \(name): \(typeClass)"
        if notNull { fact += " NOT NULL" }
        fact += ", " + defaultShape(defaultValue)
        if let assigned { fact += ", \(assigned)" }
        if generated { fact += ", generated" }
        return fact
    }

    /// A literal default as written ('pending', 0, ''), PostgreSQL's cast of it removed; any
    /// other default is an expression (bot_state's timestamp: its text is compared by
    /// `theBotStateTimestampDefaultHasTheSameShape`).
    private static func defaultShape(_ raw: String?) -> String {
        guard var text = raw?.trimmingCharacters(in: .whitespaces) else { return "no default" }
        for cast in ["::text", "::bigint", "::integer", "::double precision", "::bytea"] where text.hasSuffix(cast) {
            text.removeLast(cast.count)
        }
        let tokens = Self.tokens(text)
        if tokens.count == 1, case .string = tokens[0] { return "default \(text)" }
        if tokens.count == 1, case .number = tokens[0] { return "default \(text)" }
        if tokens.count == 2, tokens[0] == .symbol("-"), case .number = tokens[1] { return "default \(text)" }
        return "default <expression>"
    }

    private static func indexFact(table: String, name: String, columns: [String], unique: Bool, predicate: String?) -> String {
        var fact = "\(table) index \(name) on (\(columns.joined(separator: ", ")))"
        if unique { fact += " unique" }
        if let predicate {
            // PostgreSQL writes `(state = 'pending'::text)` for SQLite's `state = 'pending'`.
            var text = predicate.replacingOccurrences(of: "::text", with: "").replacingOccurrences(of: "::bigint", with: "")
            text = String(text.filter { $0 != "(" && $0 != ")" })
            fact += " where " + text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        return fact
    }

    private static func foreignKeyFact(
        table: String, from: [String], target: String, to: [String], onDelete: String, onUpdate: String
    ) -> String {
        "\(table) foreign key (\(from.joined(separator: ", "))) references \(target)(\(to.joined(separator: ", ")))"
            + " on delete \(onDelete) on update \(onUpdate)"
    }

    /// A CHECK by the columns and the literals it names: `request IN ('a', 'b')` on SQLite and
    /// `request = ANY (ARRAY['a'::text, 'b'::text])` on PostgreSQL are the same fact.
    private static func checkFact(table: String, columns: Set<String>, expression: [Token]) -> String {
        let literals = expression.compactMap { token -> String? in
            switch token {
            case .string(let text): "'\(text)'"
            case .number(let text): text
            default: nil
            }
        }
        return "\(table) check on (\(columns.sorted().joined(separator: ", "))): \(literals.sorted().joined(separator: " "))"
    }

    /// Every `CHECK (…)` in `sql`, as the tokens between its parentheses.
    private static func checkExpressions(_ sql: String) -> [[Token]] {
        let tokens = Self.tokens(sql)
        var checks: [[Token]] = []
        var index = 0
        while index < tokens.count {
            guard case .word(let word) = tokens[index], word.uppercased() == "CHECK", index + 1 < tokens.count,
                tokens[index + 1] == .symbol("(")
            else {
                index += 1
                continue
            }
            var depth = 0
            var body: [Token] = []
            index += 1
            repeat {
                if tokens[index] == .symbol("(") { depth += 1 }
                if tokens[index] == .symbol(")") { depth -= 1 }
                body.append(tokens[index])
                index += 1
            } while depth > 0 && index < tokens.count
            checks.append(body)
        }
        return checks
    }

    private enum Token: Equatable {
        case word(String), string(String), number(String), symbol(Character)
    }

    /// SQL's tokens, enough for schema text: words (and "quoted" identifiers), 'strings' (with
    /// '' inside), numbers, and every other character as a symbol.
    private static func tokens(_ sql: String) -> [Token] {
        let characters = Array(sql)
        var tokens: [Token] = []
        var index = 0
        let isWord = { (c: Character) in c.isLetter || c.isNumber || c == "_" }
        while index < characters.count {
            let c = characters[index]
            if c.isWhitespace {
                index += 1
            } else if c == "'" || c == "\"" {
                var text = ""
                index += 1
                while index < characters.count {
                    if characters[index] == c {
                        if index + 1 < characters.count, characters[index + 1] == c {
                            text.append(c)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    text.append(characters[index])
                    index += 1
                }
                tokens.append(c == "'" ? .string(text) : .word(text))
            } else if c.isNumber {
                var text = ""
                while index < characters.count, characters[index].isNumber || characters[index] == "." {
                    text.append(characters[index])
                    index += 1
                }
                tokens.append(.number(text))
            } else if isWord(c) {
                var text = ""
                while index < characters.count, isWord(characters[index]) {
                    text.append(characters[index])
                    index += 1
                }
                tokens.append(.word(text))
            } else {
                tokens.append(.symbol(c))
                index += 1
            }
        }
        return tokens
    }

    /// `facts` without one occurrence of each of `other`'s: what `facts` has that `other` lacks.
    private static func subtracting(_ other: [String], from facts: [String]) -> [String] {
        var counts: [String: Int] = [:]
        for fact in other { counts[fact, default: 0] += 1 }
        var left: [String] = []
        for fact in facts {
            if let count = counts[fact], count > 0 {
                counts[fact] = count - 1
            } else {
                left.append(fact)
            }
        }
        return left.sorted()
    }
}

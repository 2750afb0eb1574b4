import BaohaoCore
import Storage

/// `baohao migrate`: creates or upgrades the database schema.
enum MigrateCommand {
    static func run(_ context: CommandContext) async throws -> Int32 {
        let config = try context.configuration()
        let connection = try config.database.connect()
        let applied = try Migrator.migrate(connection, BaohaoSchema.migrations)
        let versions = try Migrator.appliedVersions(connection)
        context.io.out("database \(config.database): schema version \(versions.last ?? 0)"
            + (applied.isEmpty ? ", already up to date" : ", applied \(applied.map(String.init).joined(separator: ", "))"))
        return ExitCode.success
    }
}

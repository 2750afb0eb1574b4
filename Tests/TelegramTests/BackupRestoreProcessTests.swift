import BotAPIDouble
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `baohao backup` and `baohao restore` as real processes beside a real `baohao run`.
@Suite(.serialized) struct BackupRestoreProcessTests {
    /// The backup is taken while the bot serves; restore refuses while it serves, naming its
    /// pid, and works once it has stopped; a bot started on the restored database serves.
    @Test func backupWhileTheBotServesRestoreOnlyAfterItStops() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: CrashRestartTests.binary), "no executable at \(CrashRestartTests.binary)")
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let (directory, environment) = try CrashRestartTests.botEnvironment(double: double, config: #"{"poll_timeout_seconds": 1}"#)
        let database = environment["BAOHAO_DB"]!
        let backup = directory + "/backup.sqlite"

        let bot = try InstanceLockTests.spawn(environment, stderr: directory + "/run.log")
        defer { kill(bot, SIGKILL) }
        double.injectMessage(chatID: 7, text: "你好")
        #expect(await double.waitAsync(timeout: 30) { double.sentMessages(to: 7).count == 1 }, "the bot never answered")

        let backedUp = try Self.command(["backup", backup], environment, directory: directory, name: "backup")
        #expect(backedUp.status == 0, "\(backedUp.err)")
        #expect(backedUp.out.hasPrefix("backed up \(database) to \(backup): "), "\(backedUp.out)")
        #expect(backedUp.out.contains("integrity check ok"))

        let refused = try Self.command(["restore", backup], environment, directory: directory, name: "restore-refused")
        #expect(refused.status == 75)
        #expect(refused.err.contains("process \(bot) is serving \(database)"), "\(refused.err)")
        #expect(!FileManager.default.fileExists(atPath: database + ".before-restore"))
        // The bot never noticed.
        double.injectMessage(chatID: 7, text: "谢谢")
        #expect(await double.waitAsync(timeout: 30) { double.sentMessages(to: 7).count == 2 })

        kill(bot, SIGTERM)
        #expect(InstanceLockTests.waitForExit(bot) == 0)
        let restored = try Self.command(["restore", backup], environment, directory: directory, name: "restore")
        #expect(restored.status == 0, "\(restored.err)")
        #expect(restored.out.contains("the previous database is kept as \(database).before-restore"), "\(restored.out)")
        #expect(FileManager.default.fileExists(atPath: database + ".before-restore"))

        let again = try InstanceLockTests.spawn(environment, stderr: directory + "/run-again.log")
        defer { kill(again, SIGKILL) }
        double.injectMessage(chatID: 8, text: "how do I renew")
        #expect(await double.waitAsync(timeout: 30) { double.sentMessages(to: 8).count == 1 }, "the bot on the restored database did not answer")
        kill(again, SIGTERM)
        #expect(InstanceLockTests.waitForExit(again) == 0)
        for log in ["run.log", "run-again.log", "backup.err", "restore-refused.err", "restore.err"] {
            InstanceLockTests.checkLogFile(directory + "/" + log, token: double.token)
        }
    }

    /// Runs `baohao ARGUMENTS` to its end; its output and errors are kept in `directory`.
    static func command(
        _ arguments: [String], _ environment: [String: String], directory: String, name: String
    ) throws -> (status: Int32, out: String, err: String) {
        let (outPath, errPath) = (directory + "/\(name).out", directory + "/\(name).err")
        let pid = try BaohaoProcess.spawn(arguments, environment: environment, stdout: outPath, stderr: errPath)
        let status = InstanceLockTests.waitForExit(pid)
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return (status, read(outPath), read(errPath))
    }
}

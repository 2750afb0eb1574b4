import BaohaoCore

/// `baohao run`: serves Telegram with a token, otherwise the console chat on a demo database.
enum RunCommand {
    static func run(_ context: CommandContext) async throws -> Int32 {
        let config = try context.configuration()
        let logger = context.logger(for: config)
        if let token = config.token {
            logger.info("run.telegram", ["api_base": .string(config.apiBaseURL), "bot_id": .string(token.botID)])
            context.io.out("Would serve Telegram as bot \(token.botID) at \(config.apiBaseURL) with database \(config.databasePath); long polling arrives with the Telegram issue.")
        } else {
            context.io.err("No BOT_TOKEN: the console chat on the demo database (baohao chat --demo).")
            return try await ChatCommand.run(context, demo: true)
        }
        return ExitCode.success
    }
}

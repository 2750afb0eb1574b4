/// Every command `baohao` knows, with its help text. Handlers live in `Commands/`.
enum CommandTree {
    static let globalOptions = [
        OptionSpec("--db", value: "PATH", "Database file (overrides BAOHAO_DB and database_path)."),
        OptionSpec("--config", value: "PATH", "Configuration file (overrides BAOHAO_CONFIG; default Config/bot.json)."),
    ]

    static let root = CommandSpec(
        "baohao", "Baohao (保号助手): the customer-service bot for number-keeping SIM lines.",
        subcommands: [
            CommandSpec(
                "run", "Start the bot: Telegram when BOT_TOKEN is set, otherwise a console chat on a demo database."),
            CommandSpec(
                "check-config", "Print the effective configuration (token redacted); exit 0 when it is valid, 78 when not."),
            CommandSpec(
                "migrate", "Create or upgrade the database schema and print the applied versions."),
        ])

    static let parser = ArgumentParser(root: root, globalOptions: globalOptions)
}

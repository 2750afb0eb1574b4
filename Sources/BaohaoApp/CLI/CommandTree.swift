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
                "classify", "Show what the bot makes of a message: normalized text, decision, top candidates with scores and matched tokens, entities.",
                arguments: [ArgumentSpec("TEXT", "the customer's message")]),
            CommandSpec(
                "eval", "Measure the understanding on a labelled JSON Lines file: accuracy, macro-F1, per-label scores, confusions, clarify rate, time.",
                discussion: "Each line of FILE is {\"text\": ..., \"intent\": LABEL}. A clarifying question counts as its top candidate.",
                arguments: [ArgumentSpec("FILE", "the labelled utterances (.jsonl)")],
                options: [OptionSpec("--json", "Print one JSON object (accuracy, macro_f1, count, clarify_rate, per_label, p50_us, p99_us).")]),
            CommandSpec(
                "migrate", "Create or upgrade the database schema and print the applied versions."),
        ])

    static let parser = ArgumentParser(root: root, globalOptions: globalOptions)
}

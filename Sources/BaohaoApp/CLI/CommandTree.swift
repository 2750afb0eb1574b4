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
                "run", "Start the bot: Telegram when BOT_TOKEN is set, otherwise a console chat on a demo database.",
                discussion: "Both run on the system clock: BAOHAO_NOW is ignored (baohao chat --demo honours it)."),
            CommandSpec(
                "chat", "Talk to the assistant in the terminal: one message per line; type a button's number to press it.",
                discussion: "Works with piped input too: printf '我的余额\\n點樣續費呀\\nhow do I cancel\\n' | baohao chat --demo\nBAOHAO_NOW=YYYY-MM-DD pretends another day (for demonstrations and tests).",
                options: [
                    OptionSpec("--demo", "Use (or create) the demo database baohao-demo.sqlite: the demo lines, one bound to you."),
                    OptionSpec("--user", value: "ID", "Your user and chat id (default 1000)."),
                    OptionSpec("--lang", value: "L", "Your language hint: zh-Hans, zh-Hant or en (each message's own language wins)."),
                ]),
            CommandSpec(
                "check-config", "Print the effective configuration (token redacted); exit 0 when it is valid, 78 when not."),
            CommandSpec(
                "classify", "Show what the bot makes of a message: normalized text, decision, top candidates with scores and matched tokens, entities.",
                arguments: [ArgumentSpec("TEXT", "the customer's message")],
                options: [OptionSpec("--carrier", value: "IDS", "The chat's carriers, comma-separated (e.g. ultra): whose answer the chat gets, and why.")]),
            CommandSpec(
                "eval", "Measure the understanding on a labelled JSON Lines file: accuracy, macro-F1, per-label scores, confusions, clarify rate, time.",
                discussion: "Each line of FILE is {\"text\": ..., \"intent\": LABEL}. A clarifying question counts as its top candidate. Lines that also carry \"bound\": [CARRIER, ...] (and optionally \"previous\", \"accept\": [ENTRY, ...], \"ask\", \"kind\") are run through the assistant with those lines bound: label accuracy, wrong-carrier and ask-which rates, accepted entries.",
                arguments: [ArgumentSpec("FILE", "the labelled utterances (.jsonl)")],
                options: [OptionSpec("--json", "Print one JSON object (accuracy, macro_f1, count, clarify_rate, per_label, p50_us, p99_us).")]),
            CommandSpec(
                "migrate", "Create or upgrade the database schema and print the applied versions; with --to URL, copy the SQLite database into PostgreSQL.",
                discussion: "With --to postgres://user@host/db, the configured SQLite database (--db, BAOHAO_DB or database_path) is copied into that PostgreSQL database, which must be empty: one transaction creates the schema at the source's version, copies every table (parents first), moves the id sequences past the copied ids and checks each table's row count and contents read back; any failure leaves the target as it was. Refused, changing nothing, when a bot serves the source (stop it first), the source is missing, not SQLite or newer than this baohao, or the target is not empty. A source at an older schema version is first migrated on SQLite (as the bot would do on starting), and says so; otherwise the SQLite file is left as it is. The bot uses PostgreSQL once database_path (or BAOHAO_DB) names the URL. The password in the URL is never printed (or give it in PGPASSWORD or ~/.pgpass).",
                options: [
                    OptionSpec("--to", value: "URL", "Copy the SQLite database into this empty PostgreSQL database (postgres://… or postgresql://…)."),
                ]),
            CommandSpec(
                "backup", "Copy the database into FILE, consistently, also while the bot runs and serves.",
                discussion: "SQLite's online backup API, a few pages at a time, so the bot's writes go on. The copy is written beside FILE under a temporary name, passes SQLite's integrity check, and only then becomes FILE: a failed backup leaves nothing under FILE. Prints the pages copied, the size and the schema version.",
                arguments: [ArgumentSpec("FILE", "the backup file to write (a new file)")],
                options: [OptionSpec("--force", "Replace FILE if it exists.")]),
            CommandSpec(
                "restore", "Replace the database with the backup FILE; the replaced database is kept as <db>.before-restore.",
                discussion: "FILE must pass SQLite's integrity check and have a schema this baohao knows (an older one is migrated when the bot next starts). Refused while a bot serves the database or another program has it open: stop the bot first. Anything wrong changes nothing.",
                arguments: [ArgumentSpec("FILE", "the backup to restore")]),
            CommandSpec(
                "alerts", "Expiry reminders: what is due, and sending it.",
                subcommands: [
                    CommandSpec(
                        "preview", "List the reminders that would go out, to whom and when, without queuing anything.",
                        options: [
                            OptionSpec("--now", value: "ISO8601", "Pretend it is this instant (2026-11-22T09:00:00Z or a date; default: the system clock)."),
                            OptionSpec("--days", value: "N", "Also the next N-1 days (default 1)."),
                        ]),
                    CommandSpec(
                        "run-once", "Queue what is due, deliver it through the outbox within the rate limits (with BOT_TOKEN), and exit.",
                        options: [
                            OptionSpec("--now", value: "ISO8601", "Pretend it is this instant (default: the system clock)."),
                            OptionSpec("--deadline", value: "SECONDS", "Stop delivering after this long (default 60)."),
                        ]),
                ]),
            CommandSpec(
                "orders", "Renewal orders: from the invoice to the renewal applied (or refused, expired, refunded).",
                subcommands: [
                    CommandSpec(
                        "list", "The newest orders first: reference, state, line (masked), option, amount, created.",
                        options: [
                            OptionSpec("--state", value: "STATE", "Only orders in this state (created, invoiced, prechecked, paid, applied, expired, refused, refunded)."),
                            OptionSpec("--limit", value: "N", "At most N orders (default 50)."),
                        ]),
                    CommandSpec("show", "One order: its state, amount, every time it changed state, its charge ids.", arguments: [ArgumentSpec("REF", "the order reference")]),
                ]),
            CommandSpec(
                "payments", "Payments made in the chat.",
                subcommands: [
                    CommandSpec(
                        "refund", "Give a payment back: Stars through Telegram (refundStarPayment, needs BOT_TOKEN); a provider's payment is recorded as refunded, to be refunded at the provider.",
                        discussion: "The order becomes refunded, the line's ledger gets a row with both charge ids, and the customer is told. The line's expiry is left as it is.",
                        arguments: [ArgumentSpec("CHARGE_ID", "the telegram_payment_charge_id (orders show REF prints it)")],
                        options: [OptionSpec("--reason", value: "TEXT", "Why (required; kept in the ledger and the order).")]),
                ]),
            CommandSpec(
                "outbox", "The delivery queue.",
                subcommands: [
                    CommandSpec("status", "Pending, sent and dead-lettered counts, the oldest waiting item's age, inactive chats, and the latest dead letters."),
                    CommandSpec(
                        "retry", "Queue dead letters again: one by its id, or all of them (--all, optionally only those that died since a time).",
                        discussion: "A running bot sends them within a second or two, within the rate limits.",
                        arguments: [ArgumentSpec("ID", optional: true, "a dead letter's id (as outbox status shows it, without the #)")],
                        options: [
                            OptionSpec("--all", "Every dead letter."),
                            OptionSpec("--since", value: "ISO8601", "With --all: only those that died at or after this instant (2026-12-04T09:00:00Z, or a date: from its start, UTC)."),
                        ]),
                ]),
            CommandSpec(
                "faq", "The FAQ the bot answers from, with every version: list, show, history, rollback, export, import, variant.",
                discussion: "Changes are validated, replayed against the known questions (the regression gate), saved as new versions and audited; a running bot picks them up within a few seconds.",
                subcommands: [
                    CommandSpec("list", "List the current entries: id, topic, question.", options: [OptionSpec("--topic", value: "TOPIC", "Only this topic.")]),
                    CommandSpec("show", "Print one entry in the faq.json format with its version.", arguments: [ArgumentSpec("ID", "the entry's id")]),
                    CommandSpec("history", "Every version of an entry: when, who, and what changed.", arguments: [ArgumentSpec("ID", "the entry's id")]),
                    CommandSpec(
                        "rollback", "Make an earlier version's content current again (as a new version).",
                        arguments: [ArgumentSpec("ID", "the entry's id"), ArgumentSpec("VERSION", "the version to restore")],
                        options: [OptionSpec("--accept-regressions", "Save even if known questions would be answered differently.")]),
                    CommandSpec("export", "Write the current entries to a file in the Intents/faq.json format.", arguments: [ArgumentSpec("FILE", "the JSON file to write")]),
                    CommandSpec(
                        "import", "Add or update entries from a file in the Intents/faq.json format: all of it or nothing.",
                        discussion: "The whole file is validated first and every problem is listed with its entry and field. Entries the file does not mention are kept.",
                        arguments: [ArgumentSpec("FILE", "the JSON file")],
                        options: [
                            OptionSpec("--dry-run", "Check and show the changes without saving anything."),
                            OptionSpec("--accept-regressions", "Save even if known questions would be answered differently."),
                        ]),
                    CommandSpec(
                        "variant", "Add, change or remove an entry's answer for a carrier or region (its variant).",
                        discussion: "SCOPE is carrier ids and/or regions (3hk, HK, \"csl cmhk\"). Languages not given keep their text; a new variant needs every language (or is refused by validation).",
                        arguments: [ArgumentSpec("ID", "the entry's id"), ArgumentSpec("SCOPE", "the carriers or regions the answer is for")],
                        options: [
                            OptionSpec("--zh-Hans", value: "TEXT", "The answer in simplified Chinese (Telegram HTML)."),
                            OptionSpec("--zh-Hant", value: "TEXT", "The answer in traditional Chinese."),
                            OptionSpec("--en", value: "TEXT", "The answer in English."),
                            OptionSpec("--id", value: "VARIANT", "The new variant's id (default: derived from the entry and scope)."),
                            OptionSpec("--remove", "Remove the variant for this scope."),
                            OptionSpec("--accept-regressions", "Save even if known questions would be answered differently."),
                        ]),
                ]),
            CommandSpec(
                "lines", "Operators' tools for lines: import, export, list, show, binding codes, top-ups, cancellations.",
                discussion: "Times use the system clock; BAOHAO_NOW=YYYY-MM-DD pretends another day (for demonstrations and tests).",
                subcommands: [
                    CommandSpec(
                        "import", "Create or update lines (by number) from a CSV file; nothing is imported when any row is invalid.",
                        discussion: "Header: number,carrier,plan,balance,currency,expires_on,auto_renew,note. Balance is a decimal such as 12.50.",
                        arguments: [ArgumentSpec("FILE", "the CSV file")],
                        options: [OptionSpec("--skip-invalid", "Import the valid rows and list the invalid ones.")]),
                    CommandSpec("export", "Write every line to a CSV file in the import format.", arguments: [ArgumentSpec("FILE", "the CSV file to write")]),
                    CommandSpec(
                        "list", "List lines with their status now, soonest expiry first.",
                        options: [
                            OptionSpec("--status", value: "S", "Only lines with this status (active, expiring_soon, grace, suspended, recycled, cancelled, porting_out)."),
                            OptionSpec("--expiring-within", value: "DAYS", "Only lines expiring within DAYS days (or already expired and not recycled)."),
                        ]),
                    CommandSpec("show", "Show one line with its bound chats and its ledger.", arguments: [ArgumentSpec("NUMBER", "the number, e.g. +85291234567")]),
                    CommandSpec(
                        "issue-code", "Issue a one-time code (24 hours) that binds a chat to the line; prints /bind CODE and the t.me link.",
                        arguments: [ArgumentSpec("NUMBER", "the number")]),
                    CommandSpec(
                        "topup", "Renew for a plan option or top up an amount, once per reference.",
                        arguments: [ArgumentSpec("NUMBER", "the number")],
                        options: [
                            OptionSpec("--cycle", value: "ID", "A renewal option of the line's plan, such as 1m or 3m."),
                            OptionSpec("--amount", value: "AMOUNT", "A top-up amount in the line's currency, such as 50 or 12.50."),
                            OptionSpec("--ref", value: "REF", "The operation reference (required); a retry with it changes nothing."),
                        ]),
                    CommandSpec(
                        "cancel", "Record a cancellation request, or confirm a pending one with --confirm.",
                        arguments: [ArgumentSpec("NUMBER", "the number")],
                        options: [
                            OptionSpec("--confirm", "Confirm the pending cancellation: the line becomes cancelled."),
                            OptionSpec("--ref", value: "REF", "The operation reference (default: one per line and step)."),
                        ]),
                    CommandSpec(
                        "renewal-failed", "Record that an automatic renewal charge failed; the bound chats are alerted at once.",
                        arguments: [ArgumentSpec("NUMBER", "the number")],
                        options: [
                            OptionSpec("--reason", value: "TEXT", "What the payment provider said (required)."),
                            OptionSpec("--ref", value: "REF", "The operation reference; a retry with it changes nothing."),
                        ]),
                    CommandSpec(
                        "port-out", "Record a port-out request, or how it ended with --done or --failed.",
                        arguments: [ArgumentSpec("NUMBER", "the number")],
                        options: [
                            OptionSpec("--done", "The port completed: the line is cancelled (ported out)."),
                            OptionSpec("--failed", "The port failed: the line returns to its status."),
                            OptionSpec("--ref", value: "REF", "The operation reference (default: one per line and step)."),
                        ]),
                ]),
        ])

    static let parser = ArgumentParser(root: root, globalOptions: globalOptions)
}

// The Telegram adapter: Bot API types and methods, HTTP over libcurl (CCurl), long polling
// and the rate-limited sender. It is filled by the Telegram issue; until then the target
// exists so that the package's dependency direction (core ← Telegram ← app) is fixed.

extension SQLiteConnection {
    /// What SQLite's `PRAGMA integrity_check` finds wrong with the main database, at most
    /// `limit` problems; empty when it answers "ok". A file that is not a database throws.
    public func integrityProblems(limit: Int = 10) throws -> [String] {
        let rows = try prepare("PRAGMA integrity_check(\(max(1, limit)))").query { $0.string(0) }
        return rows == ["ok"] ? [] : rows
    }

    /// The main database's size: its page count and page size in bytes.
    public func pageCountAndSize() throws -> (pages: Int, pageSize: Int) {
        let pages = try prepare("PRAGMA page_count").queryFirst { $0.int(0) } ?? 0
        let size = try prepare("PRAGMA page_size").queryFirst { $0.int(0) } ?? 0
        return (pages, size)
    }
}

/// The statements that open and close transactions on one engine. `nestedTransaction`
/// decides which to run, the same way for both engines: the outermost call is a
/// transaction, every call inside it a savepoint.
protocol TransactionStatements: AnyObject {
    /// How many `nestedTransaction` calls are running on this connection.
    var transactionDepth: Int { get set }
    /// Opens a top-level transaction of `kind`.
    func beginTransaction(_ kind: TransactionKind) throws(DatabaseError)
    /// Commits the top-level transaction. Throws when it was not committed; the transaction
    /// may then still be open (`rollbackTransaction` follows).
    func commitTransaction() throws(DatabaseError)
    /// Rolls the top-level transaction back if one is open; never throws (used while
    /// another error is already on its way).
    func rollbackTransaction()
    /// Runs `SAVEPOINT name`, `RELEASE SAVEPOINT name` (the same words on both engines).
    func savepointStatement(_ sql: String) throws(DatabaseError)
    /// Runs `ROLLBACK TO SAVEPOINT name; RELEASE SAVEPOINT name`, ignoring failure.
    func rollbackToSavepoint(_ name: String)
}

extension TransactionStatements {
    /// Runs `body` in a transaction, or in a savepoint when one is already open: committed
    /// (released) when it returns, rolled back when it throws, and the error rethrown.
    func nestedTransaction<T>(_ kind: TransactionKind, _ body: () throws -> T) throws -> T {
        let depth = transactionDepth
        let savepoint = "baohao_sp\(depth)"
        if depth == 0 {
            do {
                try beginTransaction(kind)
            } catch {
                // A BEGIN that opened the transaction and then failed (PostgreSQL's write
                // lock timing out) must not leave it open, aborted, for the next caller.
                rollbackTransaction()
                throw error
            }
        } else {
            try savepointStatement("SAVEPOINT \(savepoint)")
        }
        transactionDepth += 1
        let result: T
        do {
            result = try body()
        } catch {
            transactionDepth -= 1
            if depth == 0 { rollbackTransaction() } else { rollbackToSavepoint(savepoint) }
            throw error
        }
        transactionDepth -= 1
        do {
            if depth == 0 {
                try commitTransaction()
            } else {
                try savepointStatement("RELEASE SAVEPOINT \(savepoint)")
            }
        } catch {
            if depth == 0 { rollbackTransaction() } else { rollbackToSavepoint(savepoint) }
            throw error
        }
        return result
    }
}

// SQLite binds that need SQLITE_TRANSIENT, a cast macro Swift cannot import.
// Every wrapper is prefixed `csqlite_` and only forwards its arguments.
#ifndef BAOHAO_CSQLITE_SHIM_H
#define BAOHAO_CSQLITE_SHIM_H

#include <sqlite3.h>

static inline int csqlite_bind_text(sqlite3_stmt *s, int i, const char *t, int n) {
    return sqlite3_bind_text(s, i, t, n, SQLITE_TRANSIENT);
}
static inline int csqlite_bind_blob(sqlite3_stmt *s, int i, const void *b, int n) {
    return sqlite3_bind_blob(s, i, b, n, SQLITE_TRANSIENT);
}

#endif

// libpq for Swift. PG_DIAG_* are character-literal macros Swift does not import, so the two
// error fields Baohao reads have wrappers. Every wrapper is prefixed `cpq_` and only forwards.
#ifndef BAOHAO_CLIBPQ_SHIM_H
#define BAOHAO_CLIBPQ_SHIM_H

#include <libpq-fe.h>

/// The five-character SQLSTATE of a failed result ("23505"), or NULL.
static inline const char *cpq_result_sqlstate(const PGresult *r) {
    return PQresultErrorField(r, PG_DIAG_SQLSTATE);
}
/// The primary, one-line, human-readable message of a failed result, or NULL.
static inline const char *cpq_result_primary_message(const PGresult *r) {
    return PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
}

#endif

// Typed wrappers for libmicrohttpd's variadic functions, which Swift cannot import.
// Every wrapper is prefixed `baohao_mhd_` and does nothing but forward its arguments.
#ifndef BAOHAO_CMICROHTTPD_SHIM_H
#define BAOHAO_CMICROHTTPD_SHIM_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

// MHD_start_daemon listening on `address` (a sockaddr_in or, with MHD_USE_IPv6 in `flags`,
// a sockaddr_in6), at most `connection_limit` connections, each closed after
// `timeout_seconds` idle.
static inline struct MHD_Daemon *baohao_mhd_start(
    unsigned int flags, const struct sockaddr *address, MHD_AccessHandlerCallback handler, void *context,
    unsigned int connection_limit, unsigned int timeout_seconds) {
    return MHD_start_daemon(
        flags, 0, NULL, NULL, handler, context,
        MHD_OPTION_SOCK_ADDR, address,
        MHD_OPTION_CONNECTION_LIMIT, connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
        MHD_OPTION_END);
}

// The port the daemon listens on (the one the kernel chose for port 0); 0 when unknown.
static inline uint16_t baohao_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

#endif

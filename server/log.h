/*
 * log.h: mpc-server's log: one line per event on stderr, stamped with the
 * UTC time, shared by the loop, the connections and the snapshot's process
 * management (and handed to journal_open for its own lines).
 */
#ifndef SS_LOG_H
#define SS_LOG_H

void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

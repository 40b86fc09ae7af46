// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// How a process ends when the orderly close cannot (spec §4.6, §5, §6.2): the watchdog, a
// second terminating signal, a crash. Each claims the one forced exit, reports it and runs the
// emergency cleanup, with async-signal-safe calls only.

#include <QByteArray>
#include <QtGlobal>

#include <atomic>

namespace Mortar::Internal {

class HookRegistryPrivate;
class TracePrivate;

/*! What the forced-exit paths read of an App: set before it is published, then only read,
    without locks. */
struct FaultContext
{
    TracePrivate *trace = nullptr;              // not owned
    HookRegistryPrivate *hooks = nullptr;       // not owned
    const std::atomic<bool> *closing = nullptr; // not owned; the App is in its close
    QByteArray label;
};

/*! One forced end, as its report tells it. */
struct ForcedEnd
{
    enum class Reason {
        Watchdog,     //!< the close budget passed; \c process.killed, cause \c watchdog
        SecondSignal, //!< a terminating signal while closing; \c process.killed, cause \c signal
        Crash,        //!< SIGSEGV and kin; \c process.crashed (the signal is then re-raised)
    };
    Reason reason;
    int signalNumber = 0; //!< the second or the crash signal; 0 for the watchdog
    int exitCode = 0;     //!< the code the process ends with (not for a crash)
    qint64 budgetMs = 0;  //!< the watchdog's budget (AppOptions::closeTimeout)
};

/*! Claims the process's one forced exit: false when another thread is already ending the
    process (then that thread finishes the job). Async-signal-safe. */
bool claimForcedExit() noexcept;

/*!
    The report of a forced end, in this order: one line on stderr, the trace file's pending
    buffer and a final \c process.killed / \c process.crashed event, then
    EmergencyCleanup::run(). Names the handler that is running and for how long. Async-signal-
    safe; the watchdog's report may wait briefly for the trace buffer's lock.
*/
void reportForcedEnd(const FaultContext *context, const ForcedEnd &end) noexcept;

/*!
    The final record of a forced end, field by field, for the sinks that do not take the trace
    file's JSON line: the same fields, the same \c seq and \c t. Strings are UTF-8 (names cut as
    the JSON line cuts them); a null string is an absent field.
*/
struct FinalRecord
{
    qint64 seq = 0; //!< the trace's next seq: the record follows every event recorded
    qint64 t = 0;   //!< ns since the trace's origin
    const char *kind = nullptr;
    const char *cause = nullptr;
    int signalNumber = 0;         //!< 0: none
    const char *signal = nullptr; //!< the signal's name, if known
    bool hasCode = false;
    qint64 code = 0;
    bool hasBudget = false;
    qint64 budgetMs = 0;
    const char *hook = nullptr; //!< the handler that was running, if one was
    size_t hookSize = 0;
    const char *handler = nullptr;
    size_t handlerSize = 0;
    qint64 runningNs = 0;
    const char *owner = nullptr; //!< the running handler's owner, if it has one
    size_t ownerSize = 0;
    bool deferred = false;
};

/*!
    Where else a forced end's final record goes (spec §10.1: every connected inspector). Both
    are called from reportForcedEnd(), in a signal handler or the watchdog's thread: async-
    signal-safe, and bounded in time.

    \c prepare comes first, before the trace file's last line (which stops the trace for good:
    a thread that records after it blocks): the sink gets what was recorded before \a nextSeq
    out, waiting for that briefly if \a waitAllowed (the watchdog's report may wait; a crash or
    a second signal may run in the very thread it would wait for). \c write then gets the
    record, with the trace file's \c seq.
*/
struct FinalRecordSink
{
    void (*prepare)(qint64 nextSeq, bool waitAllowed) noexcept;
    void (*write)(const FinalRecord &record) noexcept;
};

/*!
    Adds \a sink (at most a handful; one added twice is kept once). Sinks are never removed: a
    forced end may run while whoever added one is being destroyed, so a sink and its state
    outlive everything (static storage). The layers above faults (inspection) register here,
    so faults need not know them. Thread-safe.
*/
bool addFinalRecordSink(const FinalRecordSink *sink) noexcept;

} // namespace Mortar::Internal

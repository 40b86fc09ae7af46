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

} // namespace Mortar::Internal

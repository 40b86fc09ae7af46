// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The report every forced end writes (spec §4.6, §5, §6.2): a line on stderr, the trace file's
// last line, the emergency cleanup. Async-signal-safe throughout.
#include "forcedexit_p.h"

#include "asyncsafe_p.h"
#include "hookregistry_p.h"
#include "trace_p.h"

#include <mortar/emergencycleanup.h>

#include <atomic>
#include <cerrno>

#include <unistd.h>

namespace Mortar::Internal {

namespace {

std::atomic<bool> g_forcedExitClaimed{false};

/*! Names the handler that runs (or whose asynchronous work is awaited), as text or JSON fields. */
void appendRunning(SafeLine &line, const FaultContext *context, bool json) noexcept
{
    HookRegistryPrivate *const hooks = context ? context->hooks : nullptr;
    const HandlerEntry *const entry =
            hooks ? hooks->m_runningEntry.load(std::memory_order_relaxed) : nullptr;
    const int phase = hooks ? hooks->m_runningPhase.load(std::memory_order_relaxed)
                            : HookRegistryPrivate::NotRunning;
    if (!entry || phase == HookRegistryPrivate::NotRunning) {
        if (!json)
            line.add("no handler was running");
        return;
    }
    // Copies share the strings (an atomic reference count): nothing is allocated.
    const QString hook = entry->info.hook();
    const QString name = entry->info.name();
    const qint64 runningNs = context->trace ? monotonicNs() - context->trace->originNs()
                    - hooks->m_runningSinceNs.load(std::memory_order_relaxed)
                                            : 0;
    // Names are cut to these many bytes, so the final line always fits its buffer whole —
    // cut elsewhere, it would not be JSON any more. A line is at most SafeLine::Capacity.
    constexpr size_t HookBytes = 160;
    constexpr size_t NameBytes = 480;
    if (json) {
        line.add(",\"hook\":\"").add(hook, true, HookBytes);
        line.add("\",\"handler\":\"").add(name, true, NameBytes);
        line.add("\",\"runningNs\":").add(runningNs);
        if (phase == HookRegistryPrivate::WaitingForDeferrals)
            line.add(",\"deferred\":true");
        return;
    }
    switch (phase) {
    case HookRegistryPrivate::WaitingForDeferrals:
        line.add("hook '").add(hook, false, HookBytes).add("' had waited ");
        line.add(runningNs / 1'000'000).add(" ms for the asynchronous work of handler '");
        line.add(name, false, NameBytes).add("'");
        break;
    case HookRegistryPrivate::CallingUntimed:
        line.add("handler '").add(name, false, NameBytes).add("' of hook '");
        line.add(hook, false, HookBytes)
                .add("' was running (its hook began ")
                .add(runningNs / 1'000'000);
        line.add(" ms before; handlers are not timed while tracing is off)");
        break;
    default:
        line.add("handler '").add(name, false, NameBytes).add("' of hook '");
        line.add(hook, false, HookBytes)
                .add("' had been running for ")
                .add(runningNs / 1'000'000)
                .add(" ms");
    }
}

} // namespace

bool claimForcedExit() noexcept
{
    return !g_forcedExitClaimed.exchange(true);
}

void reportForcedEnd(const FaultContext *context, const ForcedEnd &end) noexcept
{
    const int savedErrno = errno;
    const int signalNumber = end.signalNumber;
    const int exitCode = end.exitCode;
    const char *const name = signalName(signalNumber);
    const bool crashed = end.reason == ForcedEnd::Reason::Crash;
    const bool fromWatchdog = end.reason == ForcedEnd::Reason::Watchdog;
    const char *const kind = crashed ? "process.crashed" : "process.killed";
    const char *const cause = fromWatchdog ? "watchdog" : crashed ? "crash" : "signal";

    // One line on stderr, for whoever reads the log.
    SafeLine text;
    text.add("mortar: ");
    if (context && !context->label.isEmpty())
        text.add(context->label.constData()).add(": ");
    if (fromWatchdog) {
        text.add("the close did not finish within ").add(end.budgetMs).add(" ms (closeTimeout): ");
    } else if (crashed) {
        text.add("crashed with ");
    } else {
        text.add("a second terminating signal during the close, ");
    }
    if (signalNumber) {
        if (name)
            text.add(name);
        else
            text.add("signal ").add(qint64(signalNumber));
        text.add(": ");
    }
    appendRunning(text, context, false);
    if (crashed)
        text.add("; removing the emergency-cleanup paths, then dying of the signal");
    else
        text.add("; ending the process with exit code ").add(qint64(exitCode));
    text.finish("\n");
    text.writeTo(STDERR_FILENO);

    // The trace file: what was still buffered, then the final line.
    if (context && context->trace) {
        SafeLine fields;
        fields.add("\"kind\":\"").add(kind).add("\",\"cause\":\"").add(cause).add("\"");
        if (signalNumber) {
            fields.add(",\"signalNumber\":").add(qint64(signalNumber));
            if (name)
                fields.add(",\"signal\":\"").add(name).add("\"");
        }
        if (!crashed)
            fields.add(",\"code\":").add(qint64(exitCode));
        appendRunning(fields, context, true);
        context->trace->writeFinalEvent(fields, fromWatchdog);
    }

    EmergencyCleanup::run();
    errno = savedErrno;
}

} // namespace Mortar::Internal

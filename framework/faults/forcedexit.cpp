// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The report every forced end writes (spec §4.6, §5, §6.2): a line on stderr, the trace file's
// last line, the emergency cleanup. Async-signal-safe throughout.
#include "forcedexit_p.h"

#include "asyncsafe_p.h"
#include "blackboxfile_p.h"
#include "hookregistry_p.h"
#include "trace_p.h"

#include <mortar/emergencycleanup.h>

#include <atomic>
#include <cerrno>

#include <unistd.h>

namespace Mortar::Internal {

namespace {

std::atomic<bool> g_forcedExitClaimed{false};

constexpr int MaxSinks = 4;
std::atomic<const FinalRecordSink *> g_sinks[MaxSinks] = {};

// Names are cut to these many bytes, so the final line always fits its buffer whole — cut
// elsewhere, it would not be JSON any more. A line is at most SafeLine::Capacity.
constexpr size_t HookBytes = 160;
constexpr size_t NameBytes = 480;
constexpr size_t OwnerBytes = 96;

/*! The handler that runs (or whose asynchronous work is awaited) as the forced end finds it:
    read once, so that every report of it says the same. */
struct Running
{
    int phase = HookRegistryPrivate::NotRunning;
    // Copies share the strings (an atomic reference count): nothing is allocated.
    QString hook;
    QString name;
    QString owner;
    qint64 runningNs = 0;

    explicit Running(const FaultContext *context) noexcept
    {
        HookRegistryPrivate *const hooks = context ? context->hooks : nullptr;
        const HandlerEntry *const entry =
                hooks ? hooks->m_runningEntry.load(std::memory_order_relaxed) : nullptr;
        if (!entry)
            return;
        phase = hooks->m_runningPhase.load(std::memory_order_relaxed);
        hook = entry->labels->hook;
        name = entry->labels->name;
        owner = entry->labels->owner;
        runningNs = context->trace ? monotonicNs() - context->trace->originNs()
                        - hooks->m_runningSinceNs.load(std::memory_order_relaxed)
                                   : 0;
    }
    bool isRunning() const noexcept { return phase != HookRegistryPrivate::NotRunning; }
};

/*! Where appendRunning() put the names in a JSON line: [begin, end) of each, escaped. */
struct NameRanges
{
    size_t hookBegin = 0;
    size_t hookEnd = 0;
    size_t handlerBegin = 0;
    size_t handlerEnd = 0;
    size_t ownerBegin = 0; // both 0: no owner
    size_t ownerEnd = 0;
};

/*! Names the handler that runs, as text or JSON fields. */
void appendRunning(SafeLine &line, const Running &running, bool json,
                   NameRanges *ranges = nullptr) noexcept
{
    if (!running.isRunning()) {
        if (!json)
            line.add("no handler was running");
        return;
    }
    const QString &hook = running.hook;
    const QString &name = running.name;
    const qint64 runningNs = running.runningNs;
    if (json) {
        NameRanges at;
        line.add(",\"hook\":\"");
        at.hookBegin = line.size();
        line.add(hook, true, HookBytes);
        at.hookEnd = line.size();
        line.add("\",\"handler\":\"");
        at.handlerBegin = line.size();
        line.add(name, true, NameBytes);
        at.handlerEnd = line.size();
        line.add("\",\"runningNs\":").add(runningNs);
        if (!running.owner.isEmpty()) { // the black box names the plugin from it (spec §15)
            line.add(",\"owner\":\"");
            at.ownerBegin = line.size();
            line.add(running.owner, true, OwnerBytes);
            at.ownerEnd = line.size();
            line.add("\"");
        }
        if (ranges)
            *ranges = at;
        if (running.phase == HookRegistryPrivate::WaitingForDeferrals)
            line.add(",\"deferred\":true");
        return;
    }
    switch (running.phase) {
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

/*! The JSON string \a fields holds at [begin, end), unescaped into \a out: the very text the
    trace file's line has, cut where it cuts. SafeLine escapes only quotes, backslashes and
    control characters (as \u00XX). */
void unescapeInto(SafeLine &out, const SafeLine &fields, size_t begin, size_t end) noexcept
{
    const char *const data = fields.data();
    const auto hexValue = [](char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
    };
    for (size_t i = begin; i < end && i < fields.size(); ++i) {
        char c = data[i];
        if (c == '\\' && i + 1 < end) {
            c = data[++i];
            if (c == 'u' && i + 4 < end) {
                c = char(hexValue(data[i + 3]) * 16 + hexValue(data[i + 4]));
                i += 4;
            }
        }
        const char piece[2] = {c, '\0'};
        if (c == '\0')
            continue; // not in a name SafeLine wrote; and add() would stop at it
        out.add(piece);
    }
}

} // namespace

bool addFinalRecordSink(const FinalRecordSink *sink) noexcept
{
    for (std::atomic<const FinalRecordSink *> &slot : g_sinks) {
        const FinalRecordSink *expected = nullptr;
        if (slot.compare_exchange_strong(expected, sink) || expected == sink)
            return true;
    }
    return false;
}

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
    const Running running(context);

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
    appendRunning(text, running, false);
    if (crashed)
        text.add("; removing the emergency-cleanup paths, then dying of the signal");
    else
        text.add("; ending the process with exit code ").add(qint64(exitCode));
    text.finish("\n");
    text.writeTo(STDERR_FILENO);

    // The other sinks first get out what was recorded before: the file's last line ends the
    // trace, and what they do not have by then they never get.
    if (context && context->trace) {
        const qint64 nextSeq = context->trace->nextSeq();
        for (const std::atomic<const FinalRecordSink *> &slot : g_sinks) {
            if (const FinalRecordSink *sink = slot.load(std::memory_order_acquire))
                sink->prepare(nextSeq, fromWatchdog);
        }
    }

    // The trace file and the black box (spec §15): what was still buffered, then the final line.
    BlackBoxFile *const blackBox = BlackBoxFile::current();
    SafeLine fields;
    NameRanges names;
    qint64 fileSeq = -1;
    if ((context && context->trace) || blackBox) {
        fields.add("\"kind\":\"").add(kind).add("\",\"cause\":\"").add(cause).add("\"");
        if (signalNumber) {
            fields.add(",\"signalNumber\":").add(qint64(signalNumber));
            if (name)
                fields.add(",\"signal\":\"").add(name).add("\"");
        }
        if (!crashed)
            fields.add(",\"code\":").add(qint64(exitCode));
        if (fromWatchdog)
            fields.add(",\"budgetMs\":").add(end.budgetMs);
        appendRunning(fields, running, true, &names);
        if (context && context->trace)
            fileSeq = context->trace->writeFinalEvent(fields, fromWatchdog);
        if (blackBox)
            blackBox->writeFinal(fields, fromWatchdog);
    }

    // The same record to every other sink: the connected inspectors (spec §10.1).
    if (context && context->trace) {
        FinalRecord record;
        // As the file's line has it (without a file: what it would have had).
        record.seq = fileSeq >= 0 ? fileSeq : context->trace->nextSeq();
        record.t = monotonicNs() - context->trace->originNs();
        record.kind = kind;
        record.cause = cause;
        record.signalNumber = signalNumber;
        record.signal = signalNumber ? name : nullptr;
        record.hasCode = !crashed;
        record.code = exitCode;
        record.hasBudget = fromWatchdog;
        record.budgetMs = end.budgetMs;
        // The names in UTF-8, exactly as the JSON line has them.
        SafeLine hook;
        SafeLine handler;
        SafeLine owner;
        if (running.isRunning()) {
            if (names.ownerEnd > names.ownerBegin) {
                unescapeInto(owner, fields, names.ownerBegin, names.ownerEnd);
                record.owner = owner.data();
                record.ownerSize = owner.size();
            }
            unescapeInto(hook, fields, names.hookBegin, names.hookEnd);
            unescapeInto(handler, fields, names.handlerBegin, names.handlerEnd);
            record.hook = hook.data();
            record.hookSize = hook.size();
            record.handler = handler.data();
            record.handlerSize = handler.size();
            record.runningNs = running.runningNs;
            record.deferred = running.phase == HookRegistryPrivate::WaitingForDeferrals;
        }
        for (const std::atomic<const FinalRecordSink *> &slot : g_sinks) {
            if (const FinalRecordSink *sink = slot.load(std::memory_order_acquire))
                sink->write(record);
        }
    }

    EmergencyCleanup::run();
    errno = savedErrno;
}

} // namespace Mortar::Internal

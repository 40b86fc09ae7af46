// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A close rehearsed under faults, in a process that goes on (spec §14): the mechanics behind
// Mortar::Test::Rehearsal.
#include "rehearsal_p.h"

#include <mortar/app.h>
#include <mortar/emergencycleanup.h>

#include "app_p.h"
#include "asyncsafe_p.h"
#include "exitcodes_p.h"
#include "hookregistry_p.h"
#include "loggingcategories_p.h"
#include "watchdog_p.h"

#include <QJsonArray>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

struct RehearsalEngine::State
{
    App &app;
    std::vector<RehearsedFault> faults;
    std::optional<std::chrono::milliseconds> budget;
    int signalNumber = 0;
    int secondSignal = 0;
    std::chrono::milliseconds secondAfter{};
    qint64 firstSeq = 0;
    bool ran = false;

    // Shared with the watchdog's thread and the second signal's.
    mutable std::mutex mutex;
    std::condition_variable wake; // a rehearsed forced end happened, or the close ended
    std::optional<RehearsedKill> kill;
    std::vector<Deferral> held; // asynchronous work that never settles (NeverSettle)
    bool closeEnded = false;

    explicit State(App &a) : app(a) { }

    bool killed() const
    {
        std::lock_guard locker(mutex);
        return kill.has_value();
    }
    const RehearsedFault *faultFor(const HandlerInfo &info) const
    {
        for (const RehearsedFault &fault : faults) {
            if (fault.matches(info))
                return &fault;
        }
        return nullptr;
    }
    void intercept(const HandlerInfo &info, HookContext &context,
                   const std::function<void(HookContext &)> &invoke);
    void forcedEnd(const ForcedEnd &end);
};

void RehearsalEngine::State::intercept(const HandlerInfo &info, HookContext &context,
                                       const std::function<void(HookContext &)> &invoke)
{
    // The rehearsed process has ended: nothing after that would have run.
    if (killed())
        throw HandlerNotRun{notRunReason()};
    const RehearsedFault *const fault = faultFor(info);
    if (!fault) {
        invoke(context);
        return;
    }
    switch (fault->kind) {
    case RehearsedFault::Kind::Throw:
        throw std::runtime_error("rehearsed fault: the handler threw (Rehearsal::throwIn)");
    case RehearsedFault::Kind::Hang: {
        // Hangs as a stuck handler would, in its thread, until its time is up or the rehearsed
        // watchdog (or second signal) would have ended the process.
        std::unique_lock locker(mutex);
        const auto ended = [this] { return kill.has_value(); };
        if (Watchdog::isUnbounded(fault->duration)) // "forever": until the forced end
            wake.wait(locker, ended);
        if (ended()
            || wake.wait_until(locker, std::chrono::steady_clock::now() + fault->duration, ended))
            throw HandlerNotRun{u"hung until the rehearsed %1 ended the process"_s.arg(kill->by)};
        locker.unlock();
        invoke(context);
        return;
    }
    case RehearsedFault::Kind::NeverSettle: {
        invoke(context);
        Deferral never = context.defer();
        std::lock_guard locker(mutex);
        held.push_back(std::move(never));
        return;
    }
    case RehearsedFault::Kind::FailDeferral:
        invoke(context);
        context.defer().fail(u"rehearsed fault: its asynchronous work failed "
                             "(Rehearsal::failDeferral)"_s);
        return;
    }
}

void RehearsalEngine::State::forcedEnd(const ForcedEnd &end)
{
    std::vector<Deferral> unsettled;
    {
        std::lock_guard locker(mutex);
        if (kill || closeEnded)
            return; // the first forced end is the one; after the close there is no process
        RehearsedKill k;
        k.by = end.reason == ForcedEnd::Reason::Watchdog ? u"watchdog"_s : u"signal"_s;
        k.exitCode = end.exitCode;
        k.signalNumber = end.signalNumber;
        // What the forced-exit report names (forcedexit.cpp), read the same way.
        const HookRegistryPrivate *const hooks = HookRegistryPrivate::get(app.hooks());
        const HandlerEntry *const entry = hooks->m_runningEntry.load(std::memory_order_relaxed);
        if (entry
            && hooks->m_runningPhase.load(std::memory_order_relaxed)
                    != HookRegistryPrivate::NotRunning) {
            k.hook = entry->labels->hook;
            k.handler = entry->labels->name;
        }
        k.wouldRemove = EmergencyCleanup::instance().paths();
        kill = k;
        unsettled.swap(held);
    }
    const RehearsedKill &k = *kill; // set once, never changed again

    TraceEvent event;
    event.kind = u"process.killed"_s;
    event.hook = k.hook;
    event.handler = k.handler;
    event.code = k.exitCode;
    event.extra.insert(u"cause"_s, k.by);
    event.extra.insert(u"rehearsal"_s, true);
    if (k.signalNumber) {
        event.extra.insert(u"signalNumber"_s, k.signalNumber);
        if (const char *name = signalName(k.signalNumber))
            event.extra.insert(u"signal"_s, QString::fromLatin1(name));
    }
    if (end.reason == ForcedEnd::Reason::Watchdog)
        event.extra.insert(u"budgetMs"_s, end.budgetMs);
    event.extra.insert(u"wouldRemove"_s, QJsonArray::fromStringList(k.wouldRemove));
    app.trace().record(std::move(event));
    qCWarning(lcApp).noquote() << u"rehearsal: the %1 would have ended the process here with exit "
                                  "code %2%3; the emergency cleanup would have removed %4 path(s)"_s
                                          .arg(k.by)
                                          .arg(k.exitCode)
                                          .arg(k.handler.isEmpty()
                                                       ? QString()
                                                       : u", in handler '%1' of hook '%2'"_s.arg(
                                                               k.handler, k.hook))
                                          .arg(k.wouldRemove.size());

    // Unwind: what waits for work that will never come stops waiting.
    for (Deferral &deferral : unsettled)
        deferral.fail(u"never settled; the rehearsed %1 ended the process"_s.arg(k.by));
    wake.notify_all();
}

RehearsalEngine::RehearsalEngine(App &app) : d(std::make_unique<State>(app)) { }

RehearsalEngine::~RehearsalEngine() = default;

void RehearsalEngine::addFault(RehearsedFault fault)
{
    d->faults.push_back(std::move(fault));
}

void RehearsalEngine::setWatchdog(std::chrono::milliseconds budget)
{
    d->budget = budget;
}

void RehearsalEngine::setSignal(int signalNumber)
{
    d->signalNumber = signalNumber;
}

void RehearsalEngine::setSecondSignal(int signalNumber, std::chrono::milliseconds after)
{
    d->secondSignal = signalNumber;
    d->secondAfter = after;
}

void RehearsalEngine::run()
{
    if (d->ran)
        return;
    d->ran = true;
    App &app = d->app;
    if (app.state() == App::State::Created)
        app.setup(); // a failed setup closes the App itself: the report shows that close

    AppPrivate *const appPrivate = AppPrivate::get(app);
    HookRegistryPrivate *const hooks = HookRegistryPrivate::get(app.hooks());
    // The next seq: every event so far has one, dropped ones included (no hook runs now, so
    // none waits in a batch).
    d->firstSeq = app.trace().size() + app.trace().droppedCount();

    const AppPrivate::Rehearsing rehearsing{
            .closeTimeout = d->budget.value_or(appPrivate->options.closeTimeout),
            .forcedEnd = [state = d.get()](const ForcedEnd &end) { state->forcedEnd(end); }};
    appPrivate->rehearsing = &rehearsing;
    hooks->m_interceptor = [state = d.get()](const HandlerInfo &info, HookContext &context,
                                             const std::function<void(HookContext &)> &invoke) {
        state->intercept(info, context, invoke);
    };

    std::thread secondSignal;
    if (d->secondSignal) {
        secondSignal = std::thread([state = d.get(), signalNumber = d->secondSignal,
                                    after = d->secondAfter] {
            {
                std::unique_lock locker(state->mutex);
                if (state->wake.wait_for(locker, after, [state] { return state->closeEnded; }))
                    return; // the close ended first: a real process would be gone
            }
            state->forcedEnd({.reason = ForcedEnd::Reason::SecondSignal,
                              .signalNumber = signalNumber,
                              .exitCode = signalExitCode(signalNumber)});
        });
    }

    if (d->signalNumber)
        appPrivate->onUnixSignal(d->signalNumber);
    else
        app.close();

    {
        std::lock_guard locker(d->mutex);
        d->closeEnded = true;
    }
    d->wake.notify_all();
    if (secondSignal.joinable())
        secondSignal.join();
    hooks->m_interceptor = nullptr;
    appPrivate->rehearsing = nullptr; // the watchdog stopped with the close
}

std::optional<RehearsedKill> RehearsalEngine::kill() const
{
    std::lock_guard locker(d->mutex);
    return d->kill;
}

qint64 RehearsalEngine::firstSeq() const
{
    return d->firstSeq;
}

QString RehearsalEngine::notRunReason()
{
    return u"not run: the rehearsed process had ended"_s;
}

} // namespace Mortar::Internal

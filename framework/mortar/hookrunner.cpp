// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Runs one hook: its handlers in order, each isolated, then waits for their asynchronous work.
#include "hookregistry_p.h"
#include "logging_p.h"
#include "trace_p.h"

#include <QCoreApplication>
#include <QSemaphore>
#include <QThread>
#include <QTimer>

#include <exception>

using namespace Qt::StringLiterals;
using Status = Mortar::HandlerResult::Status;
using Clock = std::chrono::steady_clock;

namespace Mortar::Internal {

namespace {

struct Outcome
{
    Status status = Status::Ok;
    QString error;
};

/*! Calls the handler; nothing it throws gets past here. */
Outcome invokeIsolated(const std::function<void(HookContext &)> &invoke, HookContext &context)
{
    try {
        invoke(context);
        return {};
    } catch (const std::exception &e) {
        return {Status::Failed, QString::fromLocal8Bit(e.what())};
    } catch (...) {
        return {Status::Failed, u"threw an exception not derived from std::exception"_s};
    }
}

/*! A handler whose context lives in another thread runs there; the hook waits for it at most
    \a timeout. If it gives up, the call still holds everything the handler may touch. */
struct CrossThreadCall
{
    QSemaphore finished;
    std::atomic<bool> abandoned{false};
    HandlerSlot slot;
    Outcome outcome;
};

Outcome invokeInThread(QObject *context, const std::function<void(HookContext &)> &invoke,
                       const std::shared_ptr<RunState> &run, HandlerSlot &slot,
                       std::chrono::milliseconds timeout)
{
    auto call = std::make_shared<CrossThreadCall>();
    call->slot.handlerName = slot.handlerName;
    QMetaObject::invokeMethod(
            context,
            [call, run, invoke] {
                if (call->abandoned.load())
                    return;
                HookContext hookContext = HookRunner::makeContext(run.get(), &call->slot);
                call->outcome = invokeIsolated(invoke, hookContext);
                call->finished.release();
            },
            Qt::QueuedConnection);
    if (!call->finished.tryAcquire(1, int(timeout.count()))) {
        call->abandoned.store(true);
        return {Status::TimedOut,
                u"did not finish in its context's thread within %1 ms"_s.arg(timeout.count())};
    }
    slot.value = call->slot.value;
    slot.deferrals = call->slot.deferrals;
    return call->outcome;
}

/*! A handler whose deferrals the hook still waits for. */
struct PendingHandler
{
    qsizetype resultIndex;
    const HandlerEntry *entry;
    std::vector<std::shared_ptr<DeferralState>> deferrals;
    Clock::time_point startedAt;
    Clock::time_point deadline;
    std::chrono::milliseconds timeout;
};

void recordDeferralEnd(TracePrivate *trace, const HandlerEntry &entry, const HandlerResult &result)
{
    TraceEvent event;
    event.kind = u"deferral.end"_s;
    event.hook = entry.info.hook();
    event.handler = entry.info.name();
    event.weight = entry.info.weight();
    event.owner = entry.info.owner();
    event.status = HandlerResult::statusName(result.status);
    event.error = result.error;
    event.durationNs = result.durationNs;
    trace->record(std::move(event));
}

/*! Runs a nested event loop until every pending handler is settled or past its deadline. */
void waitForDeferrals(std::vector<PendingHandler> &pending, QList<HandlerResult> &results,
                      RunState &run, bool traced)
{
    {
        QMutexLocker locker(&run.waker->mutex);
        run.waker->dispatcher = QAbstractEventDispatcher::instance();
    }
    QTimer deadlineTimer;
    deadlineTimer.setSingleShot(true);
    deadlineTimer.setTimerType(Qt::PreciseTimer);
    while (!pending.empty()) {
        const auto now = Clock::now();
        auto nearest = Clock::time_point::max();
        for (auto it = pending.begin(); it != pending.end();) {
            HandlerResult &result = results[it->resultIndex];
            const bool settled = std::all_of(it->deferrals.begin(), it->deferrals.end(),
                                             [](const auto &d) { return d->isSettled(); });
            if (settled) {
                auto settledAt = it->startedAt;
                for (const auto &deferral : it->deferrals) {
                    settledAt = std::max(settledAt, deferral->settledAt);
                    if (deferral->outcome() == DeferralState::Failed
                        && result.status == Status::Ok) {
                        result.status = Status::Failed;
                        result.error = deferral->error;
                    }
                }
                if (traced)
                    result.durationNs = (settledAt - it->startedAt) / std::chrono::nanoseconds(1);
            } else if (now >= it->deadline) {
                result.status = Status::TimedOut;
                result.error = u"did not finish within %1 ms"_s.arg(it->timeout.count());
                if (traced)
                    result.durationNs = (now - it->startedAt) / std::chrono::nanoseconds(1);
            } else {
                nearest = std::min(nearest, it->deadline);
                ++it;
                continue;
            }
            if (traced)
                recordDeferralEnd(run.trace, *it->entry, result);
            it = pending.erase(it);
        }
        if (pending.empty())
            break;
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(nearest - Clock::now());
        deadlineTimer.start(std::max<std::chrono::milliseconds>(wait, std::chrono::milliseconds(0)));
        // Returns when an event was processed, a deferral woke us, or the deadline timer fired.
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    QMutexLocker locker(&run.waker->mutex);
    run.waker->dispatcher = nullptr;
}

void recordHookEvent(TracePrivate *trace, const QString &kind, const QString &hook,
                     const HookRun *run, qint64 durationNs)
{
    TraceEvent event;
    event.kind = kind;
    event.hook = hook;
    if (run) {
        event.status = run->ok() ? u"ok"_s : u"failed"_s;
        event.durationNs = durationNs;
        event.extra.insert(u"handlers"_s, run->results.size());
    }
    trace->record(std::move(event));
}

} // namespace

HookContext HookRunner::makeContext(RunState *run, HandlerSlot *slot)
{
    return HookContext(run, slot);
}

HookRun HookRunner::run(HookRegistryPrivate &registry, const QString &hook,
                        const QVariantList &arguments)
{
    HookRun out;
    out.hook = hook;
    TracePrivate *const trace = registry.m_trace;

    auto run = std::make_shared<RunState>();
    run->app = registry.m_app;
    run->trace = trace;
    run->hook = hook;
    run->arguments = arguments;

    // Run a snapshot: handlers added meanwhile wait for the next run; removed ones are skipped
    // (and kept alive until no hook runs).
    std::vector<HandlerEntry *> entries;
    {
        QMutexLocker locker(&registry.m_mutex);
        const auto it = registry.m_hooks.find(hook);
        if (it == registry.m_hooks.end()) {
            locker.unlock();
            out.errorString = u"Unable to run hook '%1': it is not defined"_s.arg(hook);
            qCWarning(lcHooks).noquote() << out.errorString;
            TraceEvent event;
            event.kind = u"hook.undefined"_s;
            event.hook = hook;
            event.error = out.errorString;
            trace->record(std::move(event));
            return out;
        }
        entries.reserve(it->second.size());
        for (const auto &entry : it->second)
            entries.push_back(entry.get());
        run->closeDeadline = registry.m_closeDeadline;
        ++registry.m_runningHooks;
    }

    const bool traced = trace->isEnabled();
    const qint64 hookStart = traced ? trace->now() : 0;
    if (traced)
        recordHookEvent(trace, u"hook.begin"_s, hook, nullptr, 0);

    const auto defaultTimeout = std::chrono::milliseconds(registry.m_defaultTimeoutMs.load());
    std::vector<PendingHandler> pending;
    out.results.reserve(qsizetype(entries.size()));
    HandlerSlot slot;
    QThread *const thisThread = QThread::currentThread();
    qint64 t = hookStart;
    for (HandlerEntry *entry : entries) {
        HandlerResult &result = out.results.emplace_back();
        result.handler = entry->info;
        QObject *const context = entry->hasContext ? entry->context.data() : nullptr;
        if (entry->removed.load(std::memory_order_relaxed) || (entry->hasContext && !context)) {
            result.status = Status::Skipped;
            result.error = u"removed while the hook ran"_s;
            if (traced)
                trace->recordHandlerEnd(entry->traceRef, t, result.status, result.error, 0, false);
            continue;
        }

        result.startNs = t;
        if (traced)
            trace->recordHandlerBegin(entry->traceRef, t);
        const auto timeout = entry->timeout.count() > 0 ? entry->timeout : defaultTimeout;
        slot.value = QVariant();
        slot.deferrals.clear();
        Outcome outcome;
        if (context && context->thread() != thisThread) {
            slot.handlerName = entry->info.name();
            outcome = invokeInThread(context, entry->invoke, run, slot, timeout);
        } else {
            HookContext hookContext(run.get(), &slot);
            outcome = invokeIsolated(entry->invoke, hookContext);
        }
        const qint64 end = traced ? trace->now() : 0;
        result.status = outcome.status;
        result.error = std::move(outcome.error);
        result.durationNs = end - t;
        if (!slot.value.isNull())
            result.value = std::move(slot.value);

        const bool deferred = !slot.deferrals.empty() && result.status == Status::Ok;
        if (deferred) {
            const auto startedAt = Clock::now() - std::chrono::nanoseconds(result.durationNs);
            pending.push_back({out.results.size() - 1, entry, std::move(slot.deferrals), startedAt,
                               startedAt + timeout, timeout});
        }
        if (traced)
            trace->recordHandlerEnd(entry->traceRef, end, result.status, result.error,
                                    result.durationNs, deferred);
        t = end;
    }

    waitForDeferrals(pending, out.results, *run, traced);
    out.defaultPrevented = run->defaultPrevented.load();

    if (traced) {
        recordHookEvent(trace, u"hook.end"_s, hook, &out, trace->now() - hookStart);
        trace->flush();
    }

    QMutexLocker locker(&registry.m_mutex);
    if (--registry.m_runningHooks == 0)
        registry.m_removedWhileRunning.clear();
    return out;
}

} // namespace Mortar::Internal

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Runs one hook: its handlers in order, each isolated, then waits for their asynchronous work.
#include "hookregistry_p.h"
#include "loggingcategories_p.h"
#include "trace_p.h"

#include <QCoreApplication>
#include <QSemaphore>
#include <QThread>
#include <QTimer>

#include <exception>
#include <optional>

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
    call->slot.entry = slot.entry;
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
bool waitForDeferrals(std::vector<PendingHandler> &pending, QList<HandlerResult> &results,
                      RunState &run, bool traced)
{
    bool failed = false;
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
            if (result.status != Status::Ok) {
                failed = true;
                qCWarning(lcHooks).noquote() << u"Handler '%1' of hook '%2' failed: %3"_s.arg(
                        result.handler.name(), run.hook, result.error);
            }
            if (traced)
                recordDeferralEnd(run.trace, *it->entry, result);
            it = pending.erase(it);
        }
        if (pending.empty())
            break;
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(nearest - Clock::now());
        deadlineTimer.start(
                std::max<std::chrono::milliseconds>(wait, std::chrono::milliseconds(0)));
        // Returns when an event was processed, a deferral woke us, or the deadline timer fired.
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    QMutexLocker locker(&run.waker->mutex);
    run.waker->dispatcher = nullptr;
    return failed;
}

void recordHookEvent(TracePrivate *trace, const QString &kind, const QString &hook,
                     const HookRun *run, qint64 t, qint64 durationNs, bool failed = false)
{
    TraceEvent event;
    event.kind = kind;
    event.hook = hook;
    event.t = t;
    if (run) {
        event.status = failed ? u"failed"_s : u"ok"_s;
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
    std::shared_ptr<const RunPlan> plan;
    quint64 removalsAtStart = 0;
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
        plan = registry.planOf(it->second);
        run->closeDeadline = registry.m_closeDeadline;
        removalsAtStart = registry.m_removals.load(std::memory_order_relaxed);
        ++registry.m_runningHooks;
    }

    const bool traced = trace->isEnabled();
    const qint64 hookStart = trace->now();
    // Published for the watchdog (see HookRegistryPrivate::m_runningEntry); a nested run puts
    // back what the outer one published when it ends.
    const HandlerEntry *const outerEntry = registry.m_runningEntry.load(std::memory_order_relaxed);
    const qint64 outerSince = registry.m_runningSinceNs.load(std::memory_order_relaxed);
    const int outerPhase = registry.m_runningPhase.load(std::memory_order_relaxed);
    registry.m_runningSinceNs.store(hookStart, std::memory_order_relaxed);
    registry.m_runningPhase.store(traced ? HookRegistryPrivate::Calling
                                         : HookRegistryPrivate::CallingUntimed,
                                  std::memory_order_relaxed);
    if (traced)
        recordHookEvent(trace, u"hook.begin"_s, hook, nullptr, hookStart, 0);
    // Handler events go straight to the trace while someone watches live; otherwise in a batch.
    std::optional<HandlerEventBatch> batch;
    if (traced && !trace->isStreaming())
        batch.emplace(trace);
    const auto recordBegin = [&](quint32 ref, qint64 t) {
        batch ? batch->begin(ref, t) : trace->recordHandlerBegin(ref, t);
    };
    const auto recordEnd = [&](quint32 ref, qint64 t, Status status, const QString &error,
                               qint64 durationNs, bool deferred) {
        batch ? batch->end(ref, t, toTraceStatus(status), error, durationNs, deferred)
              : trace->recordHandlerEnd(ref, t, toTraceStatus(status), error, durationNs, deferred);
    };

    // Every handler that just returns leaves its prebuilt result as it is; the list is copied
    // (once) only when a result must change — always when traced, for the timings.
    out.results = plan->okResults;
    HandlerResult *results = traced ? out.results.data() : nullptr;
    const auto resultAt = [&](size_t index) -> HandlerResult & {
        if (!results)
            results = out.results.data(); // detaches
        return results[index];
    };

    const auto defaultTimeout = std::chrono::milliseconds(registry.m_defaultTimeoutMs.load());
    std::vector<PendingHandler> pending;
    HandlerSlot slot;
    HookContext hookContext(run.get(), &slot);
    QThread *const thisThread = QThread::currentThread();
    bool failed = false;
    qint64 t = hookStart;
    for (size_t index = 0; index < plan->steps.size(); ++index) {
        const RunPlan::Step &step = plan->steps[index];
        QObject *const context = step.hasContext ? step.entry->context.data() : nullptr;
        const bool removed = registry.m_removals.load(std::memory_order_relaxed) != removalsAtStart
                && step.entry->removed.load(std::memory_order_relaxed);
        if (removed || (step.hasContext && !context)) {
            HandlerResult &result = resultAt(index);
            result.status = Status::Skipped;
            result.error = u"removed while the hook ran"_s;
            if (traced)
                recordEnd(step.traceRef, t, result.status, result.error, 0, false);
            continue;
        }

        registry.m_runningEntry.store(step.entry, std::memory_order_relaxed);
        if (traced) {
            registry.m_runningSinceNs.store(t, std::memory_order_relaxed);
            recordBegin(step.traceRef, t);
        }
        const auto timeout = step.timeout.count() > 0 ? step.timeout : defaultTimeout;
        slot.entry = step.entry;
        Outcome outcome;
        if (context && context->thread() != thisThread)
            outcome = invokeInThread(context, step.invoke, run, slot, timeout);
        else
            outcome = invokeIsolated(step.invoke, hookContext);
        const qint64 end = traced ? trace->now() : 0;

        const bool deferred = !slot.deferrals.empty() && outcome.status == Status::Ok;
        if (traced || outcome.status != Status::Ok || slot.value.isValid() || deferred) {
            HandlerResult &result = resultAt(index);
            result.status = outcome.status;
            result.error = outcome.error;
            result.startNs = t;
            result.durationNs = end - t;
            if (slot.value.isValid())
                result.value = std::exchange(slot.value, QVariant());
            if (result.status != Status::Ok) {
                failed = true;
                qCWarning(lcHooks).noquote() << u"Handler '%1' of hook '%2' failed: %3"_s.arg(
                        result.handler.name(), hook, result.error);
            }
        }
        if (deferred) {
            const auto startedAt = Clock::now() - std::chrono::nanoseconds(end - t);
            pending.push_back({qsizetype(index), step.entry, std::move(slot.deferrals), startedAt,
                               startedAt + timeout, timeout});
            slot.deferrals.clear();
        }
        if (traced)
            recordEnd(step.traceRef, end, outcome.status, outcome.error, end - t, deferred);
        t = end;
    }
    if (batch)
        batch->flush(); // before the deferrals' events

    if (!pending.empty()) {
        resultAt(0);
        registry.m_runningEntry.store(pending.front().entry, std::memory_order_relaxed);
        registry.m_runningSinceNs.store(traced ? out.results[pending.front().resultIndex].startNs
                                               : hookStart,
                                        std::memory_order_relaxed);
        registry.m_runningPhase.store(HookRegistryPrivate::WaitingForDeferrals,
                                      std::memory_order_relaxed);
        failed |= waitForDeferrals(pending, out.results, *run, traced);
    }
    out.defaultPrevented = run->defaultPrevented.load();
    registry.m_runningEntry.store(outerEntry, std::memory_order_relaxed);
    registry.m_runningSinceNs.store(outerSince, std::memory_order_relaxed);
    registry.m_runningPhase.store(outerPhase, std::memory_order_relaxed);

    if (traced) {
        batch.reset();
        const qint64 hookEnd = trace->now();
        recordHookEvent(trace, u"hook.end"_s, hook, &out, hookEnd, hookEnd - hookStart, failed);
        trace->flush();
    }

    QMutexLocker locker(&registry.m_mutex);
    if (--registry.m_runningHooks == 0)
        registry.m_removedWhileRunning.clear();
    return out;
}

} // namespace Mortar::Internal

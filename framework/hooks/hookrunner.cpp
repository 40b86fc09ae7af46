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
    } catch (const HandlerNotRun &notRun) {
        return {Status::Skipped, notRun.why};
    } catch (const std::exception &e) {
        return {Status::Failed, QString::fromLocal8Bit(e.what())};
    } catch (...) {
        return {Status::Failed, u"threw an exception not derived from std::exception"_s};
    }
}

/*! The same for a plan's step: the handler's one indirect call. */
Outcome invokeIsolated(const RunPlan::Step &step, HookContext &context)
{
    try {
        // The step's own copy of the callable, as a std::function copy was before: a mutable
        // lambda's state lives as long as the plan.
        step.call.call(const_cast<unsigned char *>(step.call.storage), context);
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
    enum : int { Queued, Started, Abandoned };
    QSemaphore finished;
    std::atomic<int> phase{Queued};
    std::atomic<int> threadNumber{0}; // the trace's number of the context's thread
    HandlerSlot slot;
    Outcome outcome;
};

/*! Runs the handler in \a context's thread. Its \c handler.begin is recorded there, so the
    trace names the thread it ran in; \a *threadNumber is that thread's number, or 0 if the
    handler never started (then nothing was recorded). */
Outcome invokeInThread(QObject *context, const std::function<void(HookContext &)> &invoke,
                       const std::shared_ptr<RunState> &run, HandlerSlot &slot,
                       std::chrono::milliseconds timeout, quint32 traceRef, bool traced,
                       int *threadNumber)
{
    auto call = std::make_shared<CrossThreadCall>();
    call->slot.entry = slot.entry;
    call->slot.startedAt = slot.startedAt;
    call->slot.timeout = slot.timeout;
    QMetaObject::invokeMethod(
            context,
            [call, run, invoke, traceRef, traced] {
                call->threadNumber.store(TracePrivate::currentThreadNumber());
                int expected = CrossThreadCall::Queued;
                if (!call->phase.compare_exchange_strong(expected, CrossThreadCall::Started))
                    return; // the hook gave up before it started
                if (traced)
                    run->trace->recordHandlerBegin(traceRef, run->trace->now());
                HookContext hookContext = HookRunner::makeContext(run.get(), &call->slot);
                call->outcome = invokeIsolated(invoke, hookContext);
                call->finished.release();
            },
            Qt::QueuedConnection);
    if (!call->finished.tryAcquire(1, int(timeout.count()))) {
        int expected = CrossThreadCall::Queued;
        const bool neverStarted =
                call->phase.compare_exchange_strong(expected, CrossThreadCall::Abandoned);
        *threadNumber = neverStarted ? 0 : call->threadNumber.load();
        return {Status::TimedOut,
                u"did not finish in its context's thread within %1 ms"_s.arg(timeout.count())};
    }
    *threadNumber = call->threadNumber.load();
    slot.value = call->slot.value;
    slot.wait = call->slot.wait;
    return call->outcome;
}

/*! A handler of the current weight level whose asynchronous work the level waits for. */
struct PendingHandler
{
    qsizetype notableIndex; // in HookRunData::notable
    const HandlerEntry *entry;
    std::shared_ptr<HandlerWait> wait;
};

/*!
    The barrier between weight levels (spec §4.5): runs a nested event loop until every handler of
    \a level settled or passed its deadline, publishing what it waits for (App::pendingHandlers).
    The outcomes were recorded when they happened (HandlerWait); this copies them into the
    run's data. Returns true if one failed or timed out.
*/
bool waitForLevel(HookRegistryPrivate &registry, const std::vector<PendingHandler> &level,
                  HookRunData &data, RunState &run, bool traced, qint64 hookStart)
{
    {
        QMutexLocker locker(&run.waker->mutex);
        run.waker->dispatcher = QAbstractEventDispatcher::instance();
    }
    QTimer deadlineTimer;
    deadlineTimer.setSingleShot(true);
    deadlineTimer.setTimerType(Qt::PreciseTimer);
    const PendingHandler *published = nullptr;
    for (;;) {
        const auto now = Clock::now();
        auto nearest = Clock::time_point::max();
        QList<HookRegistryPrivate::PendingWait> waiting;
        const PendingHandler *first = nullptr;
        for (const PendingHandler &pending : level) {
            HandlerWait &wait = *pending.wait;
            if (now >= wait.deadline)
                wait.claim(HandlerWait::TimedOut); // unless it settled just now
            if (!wait.isOpen())
                continue;
            waiting.append({wait.info.name(), QDeadlineTimer(wait.deadline)});
            if (!first)
                first = &pending;
            if (wait.state.load(std::memory_order_relaxed) == HandlerWait::Waiting)
                nearest = std::min(nearest, wait.deadline);
        }
        // Every round: a hook run meanwhile (from a timer, say) may have published its own.
        registry.setPending(std::move(waiting));
        if (!first)
            break;
        if (first != published) { // the watchdog names the handler the close waits for
            published = first;
            registry.m_runningEntry.store(first->entry, std::memory_order_relaxed);
            registry.m_runningSinceNs.store(traced ? data.notable[first->notableIndex].startNs
                                                   : hookStart,
                                            std::memory_order_relaxed);
        }
        if (nearest != Clock::time_point::max()) {
            const auto timeLeft =
                    std::chrono::ceil<std::chrono::milliseconds>(nearest - Clock::now());
            deadlineTimer.start(
                    std::max<std::chrono::milliseconds>(timeLeft, std::chrono::milliseconds(0)));
        }
        // Returns when an event was processed, a deferral woke us, or the deadline timer fired.
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    }
    {
        QMutexLocker locker(&run.waker->mutex);
        run.waker->dispatcher = nullptr;
    }

    bool failed = false;
    for (const PendingHandler &pending : level) {
        const HandlerWait &wait = *pending.wait;
        HookRunData::Notable &result = data.notable[pending.notableIndex];
        result.status = wait.status;
        if (wait.status != Status::Ok)
            result.error = wait.error;
        if (traced)
            result.durationNs = wait.durationNs;
        if (result.status != Status::Ok) {
            failed = true;
            qCWarning(lcHooks).noquote() << u"Handler '%1' of hook '%2' failed: %3"_s.arg(
                    data.plan->info(size_t(result.index)).name(), run.hook, result.error);
        }
    }
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
        event.extra.insert(u"handlers"_s, run->handlerCount());
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
    auto *const data = new HookRunData;
    HookRun out(data);
    data->hook = hook;
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
            data->errorString = u"Unable to run hook '%1': it is not defined"_s.arg(hook);
            qCWarning(lcHooks).noquote() << data->errorString;
            TraceEvent event;
            event.kind = u"hook.undefined"_s;
            event.hook = hook;
            event.error = data->errorString;
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
                               qint64 durationNs, bool deferred, quint16 thread) {
        if (!batch) {
            trace->recordHandlerEnd(ref, t, toTraceStatus(status), error, durationNs, deferred,
                                    thread);
        } else if (status == Status::Ok && !deferred && thread == 0) [[likely]] {
            batch->endOk(ref, t, durationNs); // with its begin: one record, written in place
        } else {
            batch->end(ref, t, toTraceStatus(status), error, durationNs, deferred, thread);
        }
    };

    // A handler that just returns leaves nothing but its timing (traced); the run keeps only
    // what differs (HookRunData), and HookRun::results() builds the rest when asked.
    data->plan = plan;
    if (traced)
        data->ends.reserve(plan->steps.size());
    const auto notableAt = [data](size_t index) -> HookRunData::Notable & {
        if (data->notable.empty() || size_t(data->notable.back().index) != index)
            data->notable.emplace_back().index = qsizetype(index);
        return data->notable.back();
    };

    const auto defaultTimeout = std::chrono::milliseconds(registry.m_defaultTimeoutMs.load());
    const qint64 originNs = trace->originNs();
    // The current weight level's handlers with asynchronous work: the next level starts after
    // they settled (spec §4.5).
    std::vector<PendingHandler> level;
    int levelWeight = 0;
    HandlerSlot slot;
    HookContext hookContext(run.get(), &slot);
    QThread *const thisThread = QThread::currentThread();
    bool failed = false;
    qint64 t = hookStart;
    const auto settleLevel = [&] {
        if (batch)
            batch->flush(); // the level's events before those of its deferrals
        registry.m_runningPhase.store(HookRegistryPrivate::WaitingForDeferrals,
                                      std::memory_order_relaxed);
        failed |= waitForLevel(registry, level, *data, *run, traced, hookStart);
        level.clear();
        registry.m_runningPhase.store(traced ? HookRegistryPrivate::Calling
                                             : HookRegistryPrivate::CallingUntimed,
                                      std::memory_order_relaxed);
        if (traced)
            t = trace->now();
    };
    for (size_t index = 0; index < plan->steps.size(); ++index) {
        const RunPlan::Step &step = plan->steps[index];
        if (!level.empty() && step.entry->weight != levelWeight)
            settleLevel();
        QObject *const context = step.hasContext ? step.entry->context.data() : nullptr;
        const bool removed = registry.m_removals.load(std::memory_order_relaxed) != removalsAtStart
                && step.entry->removed.load(std::memory_order_relaxed);
        if (removed || (step.hasContext && !context)) {
            HookRunData::Notable &result = notableAt(index);
            result.status = Status::Skipped;
            result.error = u"removed while the hook ran"_s;
            if (traced) {
                result.startNs = t;
                data->addTiming(index, t, t);
                recordEnd(step.traceRef, t, result.status, result.error, 0, false, 0);
            }
            continue;
        }

        registry.m_runningEntry.store(step.entry, std::memory_order_relaxed);
        const bool crossThread = context && context->thread() != thisThread;
        if (traced) {
            registry.m_runningSinceNs.store(t, std::memory_order_relaxed);
            if (crossThread) {
                if (batch)
                    batch->flush(); // its handler.begin is recorded in the context's thread
            } else {
                recordBegin(step.traceRef, t);
            }
        }
        const auto timeout = step.timeout.count() > 0 ? step.timeout : defaultTimeout;
        slot.entry = step.entry;
        slot.timeout = timeout;
        // Untraced runs take no time per handler: defer() takes it when it is needed.
        slot.startedAt = traced ? Clock::time_point(std::chrono::nanoseconds(originNs + t))
                                : Clock::time_point();
        // A rehearsal (spec §14) stands between the loop and the handler (copies: a handler in
        // another thread may outlive this run); otherwise the step's one indirect call.
        std::function<void(HookContext &)> intercepted;
        if (registry.m_interceptor) [[unlikely]] {
            intercepted = [interceptor = registry.m_interceptor, info = plan->info(index),
                           inner = step.entry->invoke](HookContext &c) {
                interceptor(info, c, inner);
            };
        }
        Outcome outcome;
        int threadNumber = 0;
        if (crossThread) {
            outcome = invokeInThread(context, intercepted ? intercepted : step.entry->invoke, run,
                                     slot, timeout, step.traceRef, traced, &threadNumber);
            if (traced && threadNumber == 0)
                recordBegin(step.traceRef, t); // it never started: the wait is all there was
        } else {
            outcome = intercepted ? invokeIsolated(intercepted, hookContext)
                                  : invokeIsolated(step, hookContext);
        }
        qint64 end = traced ? trace->now() : 0;

        std::shared_ptr<HandlerWait> wait = std::exchange(slot.wait, nullptr);
        slot.deferrals.clear();
        const bool deferred = wait && outcome.status == Status::Ok;
        if (wait && !deferred)
            wait->claim(HandlerWait::Dropped); // it threw: its deferrals do not count
        if (traced)
            data->addTiming(index, t, end);
        if (outcome.status != Status::Ok || slot.value.isValid() || deferred) {
            HookRunData::Notable &result = notableAt(index);
            result.status = outcome.status;
            result.error = outcome.error;
            if (traced) {
                result.startNs = t;
                result.durationNs = end - t;
            }
            if (slot.value.isValid())
                result.value = std::exchange(slot.value, QVariant());
        }
        // Skipped (a rehearsal's process had ended) is not a failure of the handler.
        const bool handlerFailed =
                outcome.status != Status::Ok && outcome.status != Status::Skipped;
        failed |= handlerFailed;
        if (traced) {
            if (batch && outcome.status == Status::Ok && !deferred && threadNumber == 0)
                batch->endOk(step.traceRef, end, end - t); // the common case, inline
            else
                recordEnd(step.traceRef, end, outcome.status, outcome.error, end - t, deferred,
                          quint16(threadNumber));
        }
        // After its handler.end: the warning is a log event in the trace too, and comes later.
        if (handlerFailed) {
            qCWarning(lcHooks).noquote() << u"Handler '%1' of hook '%2' failed: %3"_s.arg(
                    plan->info(index).name(), hook, outcome.error);
            if (traced)
                end = trace->now(); // the next handler begins after the warning
        }
        if (deferred) {
            // Its deferral.end may be recorded by another thread from now on: after this
            // handler.end, whatever this thread still batches.
            if (batch)
                batch->flush();
            if (level.empty())
                levelWeight = step.entry->weight;
            level.push_back({qsizetype(data->notable.size()) - 1, step.entry, wait});
            wait->release(); // the call returned; the last deferral to settle records the end
        }
        t = end;
    }
    if (!level.empty())
        settleLevel();
    if (batch)
        batch->flush();

    data->failed = failed;
    data->defaultPrevented = run->defaultPrevented.load();
    if (data->defaultPrevented) {
        QMutexLocker locker(&run->preventedByMutex);
        data->preventedBy = run->preventedBy;
    }
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
    --registry.m_runningHooks;
    return out;
}

} // namespace Mortar::Internal

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include "signalreceivers_p.h"
#include "trace_p.h"

#include <mortar/hookregistry.h>

#include <QAbstractEventDispatcher>
#include <QDeadlineTimer>
#include <QHash>
#include <QMutex>
#include <QPointer>
#include <QSharedData>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace Mortar::Internal {

class TracePrivate;

/*! A registration as HandlerInfo tells it. Its hook, name, weight, owner and source are its
    labels, shared with the trace and with every handler registered alike (labelsFor()). */
class HandlerInfoData : public QSharedData
{
public:
    TraceHandler labels; // never null
    HandlerId id;
    std::chrono::milliseconds timeout{};
    bool hasContext = false;
    int receiverCount = -1;
};

/*! Wakes the thread that waits for a hook's deferrals; outlives that wait, since a deferral may
    be settled long after its hook gave up on it. */
struct Waker
{
    void wake()
    {
        QMutexLocker locker(&mutex);
        if (dispatcher)
            dispatcher->wakeUp();
    }
    QMutex mutex;
    QAbstractEventDispatcher *dispatcher = nullptr; // not owned; null once the wait is over
};

struct HandlerWait;

struct DeferralState
{
    enum : int { Pending, Settling, Completed, Failed };

    /*! Only the first call counts; thread-safe. */
    void settle(int outcome, const QString &why);
    int outcome() const { return status.load(std::memory_order_acquire); }
    bool isSettled() const { return outcome() >= Completed; }

    std::atomic<int> status{Pending};
    QString error;                                   // written before status becomes Failed
    std::chrono::steady_clock::time_point settledAt; // written before status is settled
    std::shared_ptr<Waker> waker;
    std::shared_ptr<HandlerWait> wait; // its handler's; null for a deferral made outside a run
};

/*!
    One handler's asynchronous work, shared by its deferrals: whoever settles the last one records
    the handler's outcome (\c deferral.end) then and there, in its own thread (spec §4.5), so a
    nested event loop elsewhere, or a forced exit, cannot make finished work look unfinished. The
    level waiting for it only watches \c state; at its deadline it claims the outcome as timed out.
*/
struct HandlerWait
{
    enum : int {
        Waiting,   // deferrals still open, or the handler's call still running
        Recording, // being settled: outcome and trace event are being written
        Settled,   // every deferral settled; status, error, durationNs hold the outcome
        TimedOut,  // its level stopped waiting at the deadline
        Dropped,   // the handler threw: its deferrals do not count
    };
    using Clock = std::chrono::steady_clock;

    /*! A deferral settled (\a failed with \a why) or the handler's call returned; the last
        one records the outcome. */
    void release(bool failed = false, const QString &why = {});
    /*! Claims the outcome for \a state (TimedOut or Dropped) if nobody settled it yet. */
    bool claim(int newState);
    bool isOpen() const
    {
        const int s = state.load(std::memory_order_acquire);
        return s == Waiting || s == Recording;
    }
    void recordEnd();

    std::atomic<int> state{Waiting};
    std::atomic<int> open{1}; // open deferrals, plus one while the handler's call runs
    QMutex mutex;             // guards failed/error while deferrals settle
    bool failed = false;
    QString error;
    HandlerResult::Status status = HandlerResult::Status::Ok; // written before state changes
    qint64 durationNs = 0;

    HandlerInfo info; // a copy: the registration may go away while a deferral is still open
    TracePrivate *trace = nullptr; // not owned; used only while its level waits
    bool traced = false;
    Clock::time_point startedAt;
    Clock::time_point deadline;
    std::chrono::milliseconds timeout{};
    std::shared_ptr<Waker> waker;
};

struct HandlerEntry;

/*! What one handler's call produced. */
struct HandlerSlot
{
    QVariant value;
    std::vector<std::shared_ptr<DeferralState>> deferrals;
    const HandlerEntry *entry = nullptr; // not owned; names the handler in deferral events
    std::shared_ptr<HandlerWait> wait;   // made by the first defer()
    std::chrono::steady_clock::time_point startedAt; // when the handler's call started
    std::chrono::milliseconds timeout{};             // for its asynchronous work
};

/*! Shared by every handler of one hook run; kept alive by a handler still running in another
    thread after the hook stopped waiting for it. */
struct RunState
{
    App *app = nullptr;            // not owned
    TracePrivate *trace = nullptr; // not owned
    QString hook;
    QVariantList arguments;
    QDeadlineTimer closeDeadline{QDeadlineTimer::Forever};
    std::atomic<bool> defaultPrevented{false};
    QMutex preventedByMutex;
    QString preventedBy; // the first handler that prevented the default; preventedByMutex
    std::shared_ptr<Waker> waker = std::make_shared<Waker>();
};

/*! One registration. */
struct HandlerEntry
{
    HandlerEntry() = default;
    HandlerEntry(const HandlerEntry &) = delete;
    HandlerEntry &operator=(const HandlerEntry &) = delete;
    ~HandlerEntry()
    {
        if (HandlerInfoData *data = m_info.load(std::memory_order_acquire);
            data && !data->ref.deref())
            delete data;
    }
    /*! Its HandlerInfo, made when first asked for — by handlers(), a HookRun's results(), a
        handlerAdded receiver — and kept: most handlers never are, and add() then makes one
        object, not two (SPEC §11). Thread-safe. */
    HandlerInfo info() const;

    TraceHandler labels; // hook, name, weight, owner, source: never null
    HandlerId id;        // set before the entry is reachable
    std::function<void(HookContext &)> invoke;
    InlineCall inlineCall; // the callable's bytes, when it fits (Handler::m_inline)
    QPointer<QObject> context;
    bool hasContext = false;
    bool hasReceiverCount = false; // the App's signal handlers: see m_receiverCounts
    std::atomic<bool> removed{false};
    int weight = 0;
    quint32 traceRef = 0;
    size_t slot = 0; // its index in its weight level's entries (HookData)
    std::chrono::milliseconds timeout{};

private:
    mutable std::atomic<HandlerInfoData *> m_info{nullptr}; // holds a reference
};

/*!
    Registrations removed while a plan made before still names them: kept until no plan can
    reach them. Each plan holds the graveyard that was current when it was made, and each
    graveyard the next (newer) one, so a plan keeps alive exactly the entries removed after it
    was made — the ones it may still name — and a HookRun outliving its registrations (or the
    App) still reads their infos. A removal nobody's plan can see frees the entry at once.
*/
struct Graveyard
{
    ~Graveyard()
    {
        // Iteratively: a long chain (a HookRun kept across many add/run rounds) must not
        // recurse once per link.
        std::shared_ptr<Graveyard> next = std::move(newer);
        while (next && next.use_count() == 1) {
            std::shared_ptr<Graveyard> after = std::move(next->newer);
            next = std::move(after);
        }
    }
    std::vector<std::unique_ptr<HandlerEntry>> entries;
    std::shared_ptr<Graveyard> newer;
};

/*! A hook's handlers laid out for running: one small step per handler, side by side (one
    cache-friendly pass: small callables are copied in as bytes, since reaching each through
    its registration costs a cache miss per handler), pointing at its registration, which the plan
    keeps alive (Graveyard), so making a plan copies no info (no refcount per handler).
    Rebuilt after add() or remove(). */
struct RunPlan
{
    struct Step
    {
        // The callable, copied in: the entry's InlineCall, or one that calls entry->invoke.
        InlineCall call;
        HandlerEntry *entry; // not owned; kept alive while a plan has it (keeps)
        quint32 traceRef;
        bool hasContext;
        std::chrono::milliseconds timeout;
    };
    std::vector<Step> steps;
    std::shared_ptr<Graveyard> keeps;
    HandlerInfo info(size_t step) const { return steps[step].entry->info(); }
};

/*!
    What a HookRun keeps: the plan it ran (names the handlers), and per handler only what is not
    a plain return — a status other than Ok, a value, the outcome of asynchronous work — plus the
    timings when traced. results() is built from these on demand.
*/
class HookRunData : public QSharedData
{
public:
    struct Notable
    {
        qsizetype index = 0; // in the plan
        HandlerResult::Status status = HandlerResult::Status::Ok;
        QString error;
        qint64 startNs = 0;
        qint64 durationNs = 0;
        QVariant value;
    };
    HandlerResult resultOf(const Notable &notable) const;
    /*! Handler \a index's timing, traced. A handler starts where the one before it ended (one
        clock reading per handler), so only the ends are kept, and the starts that are not one
        (after a weight level waited): half the memory a run writes per handler. */
    void addTiming(size_t index, qint64 startNs, qint64 endNs)
    {
        if (startNs != (ends.empty() ? -1 : ends.back()))
            starts.push_back({index, startNs});
        ends.push_back(endNs);
    }

    QString hook;
    QString errorString;
    QString preventedBy;
    bool defaultPrevented = false;
    bool failed = false; // a handler failed or timed out
    std::shared_ptr<const RunPlan> plan;
    std::vector<qint64> ends; // per handler, when it returned: traced only, else empty
    std::vector<std::pair<size_t, qint64>> starts; // a start that is not the previous end
    std::vector<Notable> notable;                  // in run order
};

/*!
    A hook's handlers, ordered at insertion: one level per weight (weights are few, and a level
    is what the runner waits on as a barrier), each in registration order. add() appends to its
    level and remove() clears a slot, both O(1) amortized (plus O(log levels)); a level is
    compacted once half of it is cleared, so removing many handlers at once stays linear.
*/
struct WeightLevel
{
    std::vector<std::unique_ptr<HandlerEntry>> entries; // registration order; null: removed
    size_t removed = 0;                                 // null slots in entries
};

struct HookData
{
    HookData() = default;
    HookData(const HookData &) = delete;
    HookData &operator=(const HookData &) = delete;
    ~HookData()
    {
        // Plans that outlive the registry (a HookRun kept after the App) still name these.
        plan.reset();
        if (graveyard && graveyard.use_count() > 1) {
            for (auto &[weight, level] : levels) {
                for (auto &entry : level.entries) {
                    if (entry)
                        graveyard->entries.push_back(std::move(entry));
                }
            }
        }
    }

    std::map<int, WeightLevel> levels;    // by ascending weight
    size_t count = 0;                     // handlers, removed ones not counted
    std::shared_ptr<const RunPlan> plan;  // null until the next run needs it
    std::shared_ptr<Graveyard> graveyard; // the current one (see Graveyard); m_mutex

    /*! Calls \a f with every handler, in run order. */
    template <typename F>
    void forEach(F &&f) const
    {
        for (const auto &[weight, level] : levels) {
            for (const auto &entry : level.entries) {
                if (entry)
                    f(*entry);
            }
        }
    }
};

/*! A handler's status as the trace records it (the same four values, in the same order). */
constexpr TraceStatus toTraceStatus(HandlerResult::Status status)
{
    return static_cast<TraceStatus>(status);
}
static_assert(toTraceStatus(HandlerResult::Status::Ok) == TraceStatus::Ok
              && toTraceStatus(HandlerResult::Status::Failed) == TraceStatus::Failed
              && toTraceStatus(HandlerResult::Status::TimedOut) == TraceStatus::TimedOut
              && toTraceStatus(HandlerResult::Status::Skipped) == TraceStatus::Skipped);

/*! An event of \a kind about the handler \a info: its hook, name, weight and owner filled in. */
inline TraceEvent handlerEvent(const QString &kind, const HandlerInfo &info)
{
    TraceEvent event;
    event.kind = kind;
    event.hook = info.hook();
    event.handler = info.name();
    event.weight = info.weight();
    event.owner = info.owner();
    return event;
}

/*!
    The registrations by id. Ids are handed out in order, so a table indexed by id in pages of
    4096 finds one with two loads (a QHash of a million entries was a third of add()'s cost, and
    its rehashing made add() slower the more handlers there were). A page whose ids were all
    handed out and whose entries are all gone is freed: the table holds the live entries' pages.
*/
class EntryTable
{
public:
    HandlerEntry *value(quint64 id) const
    {
        const size_t index = size_t(id - 1);
        const size_t page = index >> PageBits;
        if (id == 0 || page >= m_pages.size() || !m_pages[page])
            return nullptr;
        return m_pages[page]->slots[index & PageMask];
    }
    void insert(quint64 id, HandlerEntry *entry)
    {
        const size_t index = size_t(id - 1);
        const size_t page = index >> PageBits;
        if (page >= m_pages.size())
            m_pages.resize(page + 1);
        if (!m_pages[page])
            m_pages[page] = std::make_unique<Page>();
        m_pages[page]->slots[index & PageMask] = entry;
        ++m_pages[page]->live;
    }
    HandlerEntry *take(quint64 id)
    {
        HandlerEntry *const entry = value(id);
        if (!entry)
            return nullptr;
        const size_t index = size_t(id - 1);
        const size_t page = index >> PageBits;
        m_pages[page]->slots[index & PageMask] = nullptr;
        if (--m_pages[page]->live == 0 && page + 1 < m_pages.size())
            m_pages[page].reset(); // no id of it is handed out again
        return entry;
    }

private:
    static constexpr size_t PageBits = 12;
    static constexpr size_t PageMask = (size_t(1) << PageBits) - 1;
    struct Page
    {
        HandlerEntry *slots[size_t(1) << PageBits] = {};
        size_t live = 0;
    };
    std::vector<std::unique_ptr<Page>> m_pages;
};

class HookRegistryPrivate;

/*!
    Stands between the run loop and every handler it calls, for Mortar::Test's rehearsal (spec
    §14): it calls \a invoke itself, later, or not at all, and may throw as a handler would.
    Unset (the normal case) the run loop calls handlers directly.
*/
using HandlerInterceptor = std::function<void(const HandlerInfo &info, HookContext &context,
                                              const std::function<void(HookContext &)> &invoke)>;

/*! Thrown by a HandlerInterceptor for a handler it did not let run (or cut short): the run
    records the handler as skipped, for \a why. */
struct HandlerNotRun
{
    QString why;
};

class HookRunner
{
public:
    static HookRun run(HookRegistryPrivate &registry, const QString &hook,
                       const QVariantList &arguments);
    static HookContext makeContext(RunState *run, HandlerSlot *slot);
};

class HookRegistryPrivate
{
public:
    /*! The App's registry (HookRegistry's constructor is private). */
    static std::unique_ptr<HookRegistry> create(App *app, Trace *trace)
    {
        return std::unique_ptr<HookRegistry>(new HookRegistry(app, trace));
    }
    static HookRegistryPrivate *get(HookRegistry &registry) { return registry.d.get(); }

    /*! What the App sets up once, before any handler runs: who owns handlers added outside any
        OwnerScope, the default asynchronous timeout, and whom to tell when pendingHandlers
        changes. */
    void configure(const QString &defaultOwner, std::chrono::milliseconds defaultTimeout,
                   std::function<void(const QStringList &)> pendingChanged)
    {
        m_defaultOwner = defaultOwner;
        m_defaultTimeoutMs = defaultTimeout.count();
        m_pendingChanged = std::move(pendingChanged);
    }
    /*! Gives handler \a id a receiver count (the App's signal handlers: QObject::receivers()). */
    void setReceiverCount(HandlerId id, std::function<int()> count)
    {
        QMutexLocker locker(&m_mutex);
        if (HandlerEntry *entry = m_byId.value(id.value())) {
            entry->hasReceiverCount = true;
            m_receiverCounts.insert(entry, std::move(count));
        }
    }
    /*! When the close's budget ends: HookContext::deadline() and the handlers' timeouts. */
    void setCloseDeadline(QDeadlineTimer deadline)
    {
        QMutexLocker locker(&m_mutex);
        m_closeDeadline = deadline;
    }

    HookRegistryPrivate(HookRegistry *registry, App *app, TracePrivate *trace)
        : q(registry),
          m_app(app),
          m_trace(trace)
    {
    }

    HandlerId addEntry(const QString &hook, std::unique_ptr<HandlerEntry> entry,
                       const QObject *context, const QString &name, const HandlerOptions &options,
                       const QString &source);
    /*! HookRegistry::remove(), recording \a reason with the \c handler.removed event. */
    bool removeEntry(HandlerId id, const QString &reason);
    void recordRefusal(const QString &hook, const QString &name, const QString &source,
                       const QString &why);
    const QString &currentOwner() const;
    /*! The registry's entry for \a hook and its name as defined, or nulls if it is not. */
    std::pair<HookData *, const QString *> findHook(const QString &hook);
    /*! The plan of \a hook, built if needed. m_mutex held. */
    std::shared_ptr<const RunPlan> planOf(HookData &hook);

    HookRegistry *const q;
    App *const m_app;            // not owned
    TracePrivate *const m_trace; // not owned

    mutable QMutex m_mutex;
    std::unordered_map<QString, HookData> m_hooks;
    QStringList m_names;
    EntryTable m_byId;
    // The receiver counts of the App's few signal handlers (not a field of every entry).
    QHash<const HandlerEntry *, std::function<int()>> m_receiverCounts;
    int m_runningHooks = 0;
    std::atomic<quint64> m_nextId{1}; // written under m_mutex
    // Tells this registry from any before it at the same address (findHook()'s cache).
    const quint64 m_generation = nextGeneration();
    static quint64 nextGeneration()
    {
        static std::atomic<quint64> last{0};
        return last.fetch_add(1, std::memory_order_relaxed) + 1;
    }
    std::atomic<quint64> m_removals{0}; // a run checks entries for removal only if this moved
    SignalReceivers m_handlerAdded{QMetaMethod::fromSignal(&HookRegistry::handlerAdded)};

    QString m_defaultOwner;
    std::atomic<qint64> m_defaultTimeoutMs{5000};
    HandlerInterceptor m_interceptor; // set only while no hook runs (a rehearsal's close)

    // The handler being called now, or whose asynchronous work a hook waits for: the watchdog
    // and the forced-exit paths name it. Published by the run loop with relaxed stores — one
    // pointer per handler, and its start when traced (the time is taken anyway) — so running
    // stays as fast as before; readers accept a value a moment old. When hooks run in several
    // threads at once, the last one to publish wins.
    enum RunningPhase : int { NotRunning, Calling, CallingUntimed, WaitingForDeferrals };
    std::atomic<const HandlerEntry *> m_runningEntry{nullptr};
    std::atomic<qint64> m_runningSinceNs{0}; // trace clock; CallingUntimed: the hook's start
    std::atomic<int> m_runningPhase{NotRunning};
    QDeadlineTimer m_closeDeadline{QDeadlineTimer::Forever}; // m_mutex

    // What the running hook's current weight level waits for (App::pendingHandlers, spec §4.8).
    struct PendingWait
    {
        QString name;
        QDeadlineTimer deadline;
    };
    /*! Publishes \a pending and tells m_pendingChanged if the names changed. In the thread that
        runs the hook. */
    void setPending(QList<PendingWait> pending);
    QList<PendingWait> pending() const;
    QStringList pendingHandlers() const;
    QDeadlineTimer pendingDeadline(const QString &handler) const;
    mutable QMutex m_pendingMutex;
    QList<PendingWait> m_pending;                              // m_pendingMutex
    std::function<void(const QStringList &)> m_pendingChanged; // set once by the App
};

/*! A readable name for a callable: its symbol, its context's class, or where it was registered. */
QString describeCallable(const CallableIdentity &identity, const QObject *context,
                         const QString &source);

} // namespace Mortar::Internal

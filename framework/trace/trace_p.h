// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include "signalreceivers_p.h"

#include <mortar/trace.h>

#include <QByteArray>
#include <QFile>
#include <QHash>
#include <QMetaMethod>
#include <QMutex>
#include <QSharedData>
#include <QThread>

class QTimer;

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#if defined(__x86_64__)
#  include <x86intrin.h>
#endif

namespace Mortar::Internal {

class SafeLine;

/*!
    The trace's clock: CLOCK_MONOTONIC (steady_clock) in ns, read through the CPU's time-stamp
    counter where the kernel itself keeps time with it (an invariant TSC, clocksource "tsc").
    A traced handler costs one clock reading (spec §11), and steady_clock::now() costs 20 ns in
    a VM (the vDSO orders the read and checks its clock); rdtsc costs 8. Each thread converts
    the counter from an anchor — a (tsc, steady ns) pair it takes at most a millisecond before —
    at a rate measured process-wide against the steady clock, so the error is a few ns at
    most; a thread's readings never go back (each is at least its previous one), so events keep
    the order of their \c t within a thread. Elsewhere, or until the rate is known (the first
    20 ms of the process), it is steady_clock::now().
*/
struct TraceClock
{
    struct ThreadState
    {
        quint64 anchorTsc;
        qint64 anchorNs;
        quint64 limitTicks; // 0: read the steady clock (no anchor yet, or no usable TSC)
        quint64 mult;       // ns per tick, 32.32 fixed point
        qint64 last;        // the last reading of this thread
    };
    static qint64 nowNs()
    {
#if defined(__x86_64__)
        ThreadState &state = t_state;
        const quint64 ticks = __rdtsc() - state.anchorTsc;
        if (ticks < state.limitTicks) {
            qint64 ns = state.anchorNs + qint64((ticks * state.mult) >> 32);
            if (ns < state.last)
                ns = state.last;
            state.last = ns;
            return ns;
        }
#endif
        return slowNowNs();
    }
    /*! Reads the steady clock, and anchors the thread's TSC readings to it when possible. */
    static qint64 slowNowNs();

    // Trivially initialized, initial-exec: a plain %fs-relative load in the hot path, no
    // __tls_get_addr call (the framework library is loaded with the program).
    static thread_local ThreadState t_state __attribute__((tls_model("initial-exec")));
};

/*! A handler's outcome as the trace keeps it; the hooks' HandlerResult::Status maps onto it
    one to one (hookregistry_p.h), so the trace needs nothing of the hooks layer above it. */
enum class TraceStatus : quint8 { Ok, Failed, TimedOut, Skipped };

/*! \c ok, \c failed, \c timedOut or \c skipped: the names in trace files and the protocol. */
QString traceStatusName(TraceStatus status);

/*! What the trace knows of a handler: what its events carry. Shared, not copied: every
    handler registered with the same hook, name, weight, owner and source refers to one (a
    registration costs one reference, not four string copies), and so does the trace. */
class TraceHandlerData : public QSharedData
{
public:
    QString hook;
    QString name;
    int weight = 0;
    QString owner;
    QString source;
    // Its number in the trace that numbered it last (TracePrivate::handlerNumberLocked()): that
    // trace's generation in the high half, the number in the low half.
    mutable std::atomic<quint64> traceNumber{0};
};
using TraceHandler = QExplicitlySharedDataPointer<const TraceHandlerData>;

/*!
    One event as kept in memory: a small POD-like record (48 bytes, no allocation) for handler
    events — the bulk of a trace — which refer to their handler by number instead of copying its
    name, hook, owner and source, and whose kind and status are enums (names only on the wire and
    in files). Only what is rare hangs off \c detail: the whole event of any other kind, or the
    error of a handler that failed.
*/
struct TraceRecord
{
    // HandlerRun: a handler's begin and end in one record (seq and seq + 1, at t and at
    // t + durationNs), what a hook run's batch writes when nothing came between them.
    enum class Kind : quint8 { HandlerBegin, HandlerEnd, HandlerAdded, HandlerRun, Full };

    qint64 seq = 0;
    qint64 t = 0;
    qint64 durationNs = 0;
    quint32 handler = 0;
    quint16 thread = 0;
    Kind kind = Kind::Full;
    TraceStatus status = TraceStatus::Ok;
    bool deferred = false; // handler.end of a handler whose asynchronous work is still pending
    // How trimming treats it, decided once when recorded (trimming compared kind names before).
    enum class Trim : quint8 { Normal, Log, Kept };
    Trim trim = Trim::Normal;
    // Kind::Full: the event itself. A handler event: null, or an event holding only its error.
    std::unique_ptr<TraceEvent> detail;

    QString error() const { return kind != Kind::Full && detail ? detail->error : QString(); }
    /*! How many events the record holds: 2 for a HandlerRun, else 1. */
    int eventCount() const { return kind == Kind::HandlerRun ? 2 : 1; }
    /*! The \c seq of its last event. */
    qint64 lastSeq() const { return seq + eventCount() - 1; }
    /*! What the record costs in memory, its detail included (an estimate of the strings). */
    qint64 bytes() const;

    /*! A HandlerRun's two events as records of their own, as if recorded one after the other
        (the end without its error: the run's error()). */
    std::pair<TraceRecord, TraceRecord> split() const
    {
        std::pair<TraceRecord, TraceRecord> halves{handlerBegin(handler, t, thread),
                                                   handlerBegin(handler, t + durationNs, thread)};
        halves.first.seq = seq;
        TraceRecord &end = halves.second;
        end.kind = Kind::HandlerEnd;
        end.seq = seq + 1;
        end.status = status;
        end.durationNs = durationNs;
        end.deferred = deferred;
        return halves;
    }
    static TraceRecord handlerBegin(quint32 handler, qint64 t, quint16 thread = 0)
    {
        TraceRecord record;
        record.kind = Kind::HandlerBegin;
        record.t = t;
        record.handler = handler;
        record.thread = thread;
        return record;
    }
    /*! \a thread: the number of the thread the handler ran in, when that is not the recording
        one (a handler with a context object in another thread); 0 for the recording thread. */
    static TraceRecord handlerEnd(quint32 handler, qint64 t, TraceStatus status,
                                  const QString &error, qint64 durationNs, bool deferred,
                                  quint16 thread = 0)
    {
        TraceRecord record = handlerBegin(handler, t, thread);
        record.kind = Kind::HandlerEnd;
        record.status = status;
        if (!error.isEmpty()) {
            record.detail = std::make_unique<TraceEvent>();
            record.detail->error = error;
        }
        record.durationNs = durationNs;
        record.deferred = deferred;
        return record;
    }
};

static_assert(sizeof(TraceRecord) <= 48, "a handler event costs at most 48 bytes (spec §11)");

/*!
    Memory for the trace's records, in chunks: a chunk of 2 MiB is 2 MiB-aligned and asks for
    transparent huge pages (madvise), so filling it costs one page fault rather than 512 (a
    traced run of 100 000 handlers writes 4.8 MB of records; faults were a third of its cost).
*/
/*! Bytes for records; at least 2 MiB: aligned to 2 MiB, with huge pages asked for. */
void *allocateRecordMemory(size_t bytes);
constexpr size_t HugePageBytes = size_t(2) << 20;

template <typename T>
struct RecordAllocator
{
    using value_type = T;
    RecordAllocator() = default;
    template <typename U>
    RecordAllocator(const RecordAllocator<U> &) noexcept
    {
    }
    T *allocate(size_t n) { return static_cast<T *>(allocateRecordMemory(n * sizeof(T))); }
    void deallocate(T *p, size_t) noexcept { std::free(p); }
    template <typename U>
    bool operator==(const RecordAllocator<U> &) const noexcept
    {
        return true;
    }
};

/*! Records side by side; the trace keeps a list of them, a hook run's batch fills one. */
struct RecordChunk : std::vector<TraceRecord, RecordAllocator<TraceRecord>>
{
    // A hook run's batch: handler events only, which fullEvents() need not look at.
    bool handlerOnly = false;
};
/*! A chunk that fills a huge page (the largest the trace makes). */
constexpr size_t HugeChunkRecords = HugePageBytes / sizeof(TraceRecord);

class TracePrivate;

/*! Appends \a value as a JSON string (quoted, escaped) to \a out. */
void appendJsonString(QByteArray &out, const QString &value);

/*!
    Handler events of one hook run, collected without a lock per event and moved into the trace
    under one lock: when the run ends, when the batch is full, and before the same thread records
    anything else (a log line from a handler, a nested hook), so \c seq keeps program order.
    A handler's begin waits in the batch until its end, and both become one record written in
    place (TraceRecord::Kind::HandlerRun) unless something was recorded in between.
    Used only while nobody watches live (no eventRecorded receiver, no trace file): those get
    every event as it happens.
*/
class HandlerEventBatch
{
public:
    HandlerEventBatch(TracePrivate *trace);
    ~HandlerEventBatch();
    HandlerEventBatch(const HandlerEventBatch &) = delete;
    HandlerEventBatch &operator=(const HandlerEventBatch &) = delete;

    void begin(quint32 handler, qint64 t)
    {
        if (m_hasOpen)
            push(TraceRecord::handlerBegin(m_openHandler, m_openT, m_thread));
        m_hasOpen = true;
        m_openHandler = handler;
        m_openT = t;
    }
    /*! The common end: the handler returned, nothing was recorded since its begin. */
    void endOk(quint32 handler, qint64 t, qint64 durationNs)
    {
        if (m_hasOpen && m_openHandler == handler) [[likely]] {
            m_hasOpen = false;
            TraceRecord &record = m_records.emplace_back();
            record.kind = TraceRecord::Kind::HandlerRun;
            record.t = m_openT;
            record.durationNs = t - m_openT;
            record.handler = handler;
            record.thread = m_thread;
            if (m_records.size() == m_records.capacity())
                flush();
            return;
        }
        end(handler, t, TraceStatus::Ok, QString(), durationNs, false);
    }
    void end(quint32 handler, qint64 t, TraceStatus status, const QString &error, qint64 durationNs,
             bool deferred, quint16 thread = 0);
    void flush();

private:
    friend class TracePrivate;
    void push(TraceRecord &&record)
    {
        if (record.thread == 0)
            record.thread = m_thread;
        m_records.push_back(std::move(record));
        if (m_records.size() == m_records.capacity())
            flush();
    }
    // A run starts with a small chunk (most hooks have few handlers); each full one is handed
    // to the trace whole, and the next is twice as big, up to a huge page.
    static constexpr size_t FirstCapacity = 64;
    TracePrivate *const m_trace;      // not owned
    HandlerEventBatch *const m_outer; // the batch of an enclosing run in this thread, if any
    const quint16 m_thread;
    bool m_hasOpen = false; // a handler.begin waits for its end (m_openHandler, m_openT)
    quint32 m_openHandler = 0;
    qint64 m_openT = 0;
    RecordChunk m_records;
};

/*! Held while m_fileBuffer changes (m_mutex held too). Contended only by a forced exit, which
    never lets go: then the writer waits until the process is gone. */
class FileBufferLock
{
public:
    explicit FileBufferLock(std::atomic<bool> &lock) : m_lock(lock)
    {
        while (m_lock.exchange(true, std::memory_order_acquire))
            QThread::yieldCurrentThread();
    }
    ~FileBufferLock() { m_lock.store(false, std::memory_order_release); }
    FileBufferLock(const FileBufferLock &) = delete;
    FileBufferLock &operator=(const FileBufferLock &) = delete;

private:
    std::atomic<bool> &m_lock;
};

class TracePrivate
{
public:
    TracePrivate(Trace *q, const QString &label);

    /*! The App's trace (Trace's constructor is private: the App makes the one it has). */
    static std::unique_ptr<Trace> create(const QString &label)
    {
        return std::unique_ptr<Trace>(new Trace(label));
    }
    /*! The private part of \a trace, for the framework's own layers (as qtbase's d_func()). */
    static TracePrivate *get(Trace &trace) { return trace.d.get(); }

    /*! A small number for the calling thread, stable for its life. */
    static int currentThreadNumber();
    qint64 now() const { return TraceClock::nowNs() - m_originNs; }
    bool isEnabled() const { return m_enabled.load(std::memory_order_relaxed); }
    /*! When the App was created, on the CLOCK_MONOTONIC clock in ns: \c t is now minus this. */
    qint64 originNs() const { return m_originNs; }

    /*! Gives a handler a number the trace refers to it by, and records its \c handler.added
        (unless \a recordAdded is false or the trace is off), under one lock. Thread-safe.
        Handlers with the same labels (one TraceHandlerData) share a number: their events are
        the same but for seq, t and thread. */
    quint32 internHandler(const TraceHandler &handler, bool recordAdded = false);
    void recordHandlerBegin(quint32 handler, qint64 t);
    /*! \c handler.added of an interned handler: its fields are the handler's, as those of
        \c handler.begin, so it costs a compact record rather than a full event. */
    void recordHandlerAdded(quint32 handler);
    void recordHandlerEnd(quint32 handler, qint64 t, TraceStatus status, const QString &error,
                          qint64 durationNs, bool deferred, quint16 thread = 0);
    /*! Records \a event; \c seq and \c thread are filled in, and \c t unless set. */
    void record(TraceEvent &&event);
    void flush();
    /*!
        For the forced-exit paths (watchdog, second signal, crash handler): writes, with write(2),
        what the file buffer holds and then one event line made of \a fields (e.g.
        \c{"kind":"process.killed",…}) with \c seq, \c t and \c thread 0 in front.
        Async-signal-safe. The buffer is written only if its lock is free — at once, or within
        about 200 ms if \a waitForBuffer (the watchdog's thread may wait; a signal handler may
        have interrupted the holder, so it must not). Keeps the buffer locked: the process ends.
        Returns the line's \c seq (what a forced end tells inspectors too), -1 without a file.
    */
    qint64 writeFinalEvent(const SafeLine &fields, bool waitForBuffer) noexcept;
    /*! Someone consumes events as they happen: handler events can't be batched. */
    bool isStreaming() const
    {
        return hasLiveReceivers() || m_fileOpen.load(std::memory_order_relaxed)
                || (m_lineSinkOn.load(std::memory_order_relaxed)
                    && m_lineSinkHandlers.load(std::memory_order_relaxed))
                || m_readers.load(std::memory_order_relaxed) > 0;
    }

    /*!
        Gets every event but \c log as its trace-file line when it is recorded, made from the
        record as the file sink makes its lines — no TraceEvent, no signal (a live eventRecorded
        receiver made each handler event cost a microsecond): the black box. Called in the
        recording thread, after the trace's lock is let go, with the lines of what that thread
        just recorded (usually one event), the \c seq of the last, and the kind of a
        non-handler event among them (null for handler events only). Lines of different
        threads may reach it in another order than their \c seq. Empty to stop; returns once
        no call is under way. Thread-safe.
    */
    using LineSink =
            std::function<void(const QByteArray &lines, qint64 lastSeq, const QString *kind)>;
    /*! Without \a handlerEvents, the sink gets no \c handler.begin, \c handler.added or
        successful \c handler.end (failures still come): then handler events stay batched.
        \a withBacklog: the sink first gets the lines of what was recorded so far, as it would
        have had them. */
    void setLineSink(LineSink sink, bool handlerEvents = true, bool withBacklog = false);

    /*!
        A reader that pulls events with eventsAfter() (the inspection server's thread) starts or
        stops reading along. While one does, handler events go into the trace at once, not in a
        batch at the end of their hook's run: a handler that never returns is seen to begin.
    */
    void addReader() { m_readers.fetch_add(1, std::memory_order_relaxed); }
    void removeReader() { m_readers.fetch_sub(1, std::memory_order_relaxed); }
    /*!
        Up to \a limit events with a \c seq above \a after, in order. Events dropped to stay
        within capacity leave gaps in \c seq. Thread-safe; the copies are made by the caller's
        thread, under the trace's lock for the time of the copy only.
    */
    QList<TraceEvent> eventsAfter(qint64 after, qsizetype limit) const;
    /*! The events of \a kind (not a handler event's kind) with a \c seq above \a after, in
        order; without expanding every handler event of the trace on the way. Thread-safe. */
    QList<TraceEvent> fullEvents(const QString &kind, qint64 after) const;
    /*! The \c seq the next event will get (a hint without the lock: it only grows). */
    qint64 nextSeq() const { return m_nextSeq.load(std::memory_order_relaxed); }

    Trace *const q;
    const QString m_label;
    /*! Someone is connected to eventRecorded. */
    bool hasLiveReceivers() const
    {
        return m_eventRecorded.mayHaveReceivers() && q->isSignalConnected(m_eventRecorded.signal());
    }
    SignalReceivers m_eventRecorded{QMetaMethod::fromSignal(&Trace::eventRecorded)};

private:
    friend class Mortar::Trace;
    friend class HandlerEventBatch;
    void append(TraceRecord &&record);
    void appendLocked(TraceRecord &&record); // m_mutex held
    /*! Takes a batch's chunk as it is, its records numbered in place; m_mutex held. */
    void adoptLocked(RecordChunk &&chunk);
    /*! What every record gets when it enters the trace: its seq, the file, the counts. */
    void admitLocked(TraceRecord &record);              // m_mutex held
    TraceEvent expand(const TraceRecord &record) const; // m_mutex held; not a HandlerRun
    /*! The same without the lock: \a handler is the record's (null for a Full one), \a wholeFrom
        its registrationFrom (its begins from that seq on carry its owner and source). */
    static TraceEvent expand(const TraceRecord &record, const TraceHandlerData *handler,
                             qint64 wholeFrom);
    /*! Appends the events of \a record with a \c seq above \a after; m_mutex held. */
    void expandInto(const TraceRecord &record, QList<TraceEvent> &out, qint64 after = -1) const;
    void trimToCapacity();                             // m_mutex held
    void writeToFileBuffer(const TraceRecord &record); // m_mutex held
    void writeToLineSink(const TraceRecord &record);   // m_mutex held
    struct SinkLines
    {
        QByteArray *lines = nullptr; // the recording thread's
        qint64 lastSeq = 0;
        QString kind;
    };
    /*! What the line sink gets of what was just recorded; m_mutex held. */
    void takeSinkLinesLocked(SinkLines &out);
    /*! Hands them over; without the lock. */
    void deliverSinkLines(SinkLines &lines);
    /*! The lines of \a record's events (a HandlerRun has two), appended to \a out.
        \a selfContained: for a stream without the handler.added lines (the black box's),
        a handler.begin carries its owner and source too. */
    void writeRecordLines(QByteArray &out, const TraceRecord &record,
                          bool selfContained = false); // m_mutex held
    /*! One handler event's line; \a error: its error (a HandlerEnd's), or empty. */
    void writeHandlerLine(QByteArray &out, const TraceRecord &record, const QString &error,
                          bool selfContained); // m_mutex held
    /*! Writes the file buffer out and empties it; m_mutex and the buffer lock held. */
    void writeFileBuffer();
    /*! The file sink's bounds during the run (spec §9): the buffer is written whenever it
        holds this much, or when this long passed since it was last written (checked as events
        are recorded, and by a timer in the Trace's thread when none are). */
    static constexpr qsizetype FileBufferLimit = 256 * 1024;
    static constexpr qint64 FileFlushIntervalNs = 1'000'000'000;

    const qint64 m_originNs = TraceClock::nowNs();
    std::atomic<bool> m_enabled{true};
    mutable QMutex m_mutex;
    // The records in order, chunk after chunk (none empty): a batch's full chunk is adopted
    // whole, single records go to the last one.
    std::deque<RecordChunk> m_records;
    qsizetype m_eventCount = 0; // events in m_records (a HandlerRun holds two)
    template <typename F>
    void forEachRecord(F &&f) const // m_mutex held
    {
        for (const RecordChunk &chunk : m_records) {
            for (const TraceRecord &record : chunk)
                f(record);
        }
    }
    static constexpr quint32 NoNumber = std::numeric_limits<quint32>::max();
    /*! A handler as the trace numbers it: each labels once. */
    struct NumberedHandler
    {
        TraceHandler labels;
        /*! A handler's begin names it by hook, name and weight, and readers find its owner and
            source on the latest handler.added with those (docs/trace-format.md) — unless
            handlers alike in those three but not in owner or source were registered: from then
            on (the seq the second one's number was given at), the begins of all of them carry
            their owner and source, so none is told as another's. Max: never. */
        qint64 registrationFrom = std::numeric_limits<qint64>::max();
        // The numbers alike in hook, name and weight are chained from the first of their kind
        // (m_firstNamesakes): the next one, or NoNumber. A kind is mixed — owners or sources
        // differ — once its first's registrationFrom is set.
        quint32 nextNamesake = NoNumber;
    };
    std::vector<NumberedHandler> m_handlers; // by number; m_mutex
    /*! The number of \a handler, given one if it has none; m_mutex held. */
    quint32 handlerNumberLocked(const TraceHandler &handler);
    // Tells this trace from any other in labels' traceNumber (never reused, unlike addresses).
    const quint32 m_generation = nextGeneration();
    static quint32 nextGeneration();
    // By a hash of hook, name and weight: two kinds with one hash (one in 2^64) would be
    // taken for one, and the second's namesakes not chained — begins that lack owner and
    // source, as before this was done. QHash's spans keep a million handlers' lookups cheap.
    QHash<size_t, quint32> m_firstNamesakes;
    /*! Marks \a number and those named alike but registered otherwise; m_mutex held. */
    void noteNamesakesLocked(quint32 number);
    // Per handler, its fields as they appear in a trace-file line, made on first use: most of a
    // handler event's line, written without going through a TraceEvent.
    struct HandlerJson
    {
        QByteArray begin; // ,"hook":…,"handler":…,"weight":…,"owner":…,"source":… (added)
        QByteArray end;   // ,"hook":…,"handler":… (begin and end; the begin adds its weight)
    };
    std::vector<HandlerJson> m_handlerJson;
    const HandlerJson &handlerJson(quint32 handler); // m_mutex held
    // The fields made once per distinct handler description: handlers registered from one
    // place share their strings (name, source, hook, owner), found here by the strings' data
    // pointers, which the trace keeps alive; the lines then share one QByteArray.
    struct HandlerJsonKey
    {
        const void *hook, *name, *owner, *source;
        int weight;
        bool operator==(const HandlerJsonKey &) const = default;
    };
    struct HandlerJsonKeyHash
    {
        size_t operator()(const HandlerJsonKey &k) const
        {
            size_t h = std::hash<const void *>()(k.name);
            for (const void *p : {k.hook, k.owner, k.source})
                h = h * 0x9e3779b97f4a7c15u ^ std::hash<const void *>()(p);
            return h ^ size_t(k.weight);
        }
    };
    std::unordered_map<HandlerJsonKey, HandlerJson, HandlerJsonKeyHash> m_handlerJsonShared;
    qsizetype m_capacity = 1'000'000;
    qsizetype m_trimAt = 1'000'000; // size at which the next trim runs (amortizes the scan)
    // Bounded in bytes too (spec §9): whatever the app logs, at most this much by default.
    qint64 m_byteCapacity = qint64(64) << 20;
    qint64 m_bytes = 0;                      // what m_records costs, by TraceRecord::bytes()
    qsizetype m_logCount = 0;                // records of m_records that are log events
    qint64 m_trimBytesAt = qint64(64) << 20; // m_bytes at which the next trim runs
    // Atomic so the forced-exit paths may read it without the mutex; written under the mutex
    // with relaxed loads and stores (plain moves), which keeps recording as fast as before.
    std::atomic<qint64> m_nextSeq{0};
    qint64 m_dropped = 0;

    std::atomic<int> m_readers{0};
    std::atomic<bool> m_fileOpen{false};
    std::atomic<int> m_fileFd{-1}; // m_file's descriptor, for writeFinalEvent()
    // Guards m_fileBuffer against writeFinalEvent(), which cannot take m_mutex: writers (who
    // hold m_mutex) spin on it, a forced exit only try-locks it. See FileBufferLock.
    std::atomic<bool> m_fileBufferLock{false};
    LineSink m_lineSink; // m_mutex; called outside it while m_sinkCalls > 0
    std::atomic<bool> m_lineSinkOn{false};
    std::atomic<bool> m_lineSinkHandlers{true}; // the sink wants every handler event
    QByteArray m_sinkBuffer;                    // m_mutex: lines not yet taken by their thread
    qint64 m_sinkLastSeq = 0;                   // m_mutex
    QString m_sinkKind;                         // m_mutex
    std::atomic<int> m_sinkCalls{0};
    QFile m_file;       // opened on a descriptor: its fileName() is empty, m_filePath is it
    QString m_filePath; // m_mutex
    QByteArray m_fileBuffer;
    qint64 m_fileWrittenAt = 0;    // t of the last write of the buffer; m_mutex
    bool m_fileErrorShown = false; // one warning per run for a failing file (a full disk)
    QTimer *m_fileTimer = nullptr; // child of q; flushes a quiet trace's buffer every second
};

} // namespace Mortar::Internal

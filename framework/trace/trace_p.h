// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/trace.h>

#include <QByteArray>
#include <QFile>
#include <QMetaMethod>
#include <QMutex>
#include <QThread>

class QTimer;

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <vector>

namespace Mortar::Internal {

class SafeLine;

/*! A handler's outcome as the trace keeps it; the hooks' HandlerResult::Status maps onto it
    one to one (hookregistry_p.h), so the trace needs nothing of the hooks layer above it. */
enum class TraceStatus : quint8 { Ok, Failed, TimedOut, Skipped };

/*! \c ok, \c failed, \c timedOut or \c skipped: the names in trace files and the protocol. */
QString traceStatusName(TraceStatus status);

/*! What the trace knows of a handler: what its events carry. */
struct TraceHandler
{
    QString hook;
    QString name;
    int weight = 0;
    QString owner;
    QString source;
};

/*!
    One event as kept in memory: a small POD-like record (48 bytes, no allocation) for handler
    events — the bulk of a trace — which refer to their handler by number instead of copying its
    name, hook, owner and source, and whose kind and status are enums (names only on the wire and
    in files). Only what is rare hangs off \c detail: the whole event of any other kind, or the
    error of a handler that failed.
*/
struct TraceRecord
{
    enum class Kind : quint8 { HandlerBegin, HandlerEnd, HandlerAdded, Full };

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
    /*! What the record costs in memory, its detail included (an estimate of the strings). */
    qint64 bytes() const;

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

class TracePrivate;

/*! Appends \a value as a JSON string (quoted, escaped) to \a out. */
void appendJsonString(QByteArray &out, const QString &value);

/*!
    Handler events of one hook run, collected without a lock per event and moved into the trace
    under one lock: when the run ends, when the batch is full, and before the same thread records
    anything else (a log line from a handler, a nested hook), so \c seq keeps program order.
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

    void begin(quint32 handler, qint64 t) { add(TraceRecord::handlerBegin(handler, t)); }
    void end(quint32 handler, qint64 t, TraceStatus status, const QString &error, qint64 durationNs,
             bool deferred, quint16 thread = 0)
    {
        add(TraceRecord::handlerEnd(handler, t, status, error, durationNs, deferred, thread));
    }
    void flush();

private:
    friend class TracePrivate;
    void add(TraceRecord &&record)
    {
        if (record.thread == 0)
            record.thread = m_thread;
        m_records.push_back(std::move(record));
        if (m_records.size() >= Capacity)
            flush();
    }
    static constexpr size_t Capacity = 8192;
    TracePrivate *const m_trace;      // not owned
    HandlerEventBatch *const m_outer; // the batch of an enclosing run in this thread, if any
    const quint16 m_thread;
    std::vector<TraceRecord> m_records;
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
    qint64 now() const
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now()
                                                                    - m_origin)
                .count();
    }
    bool isEnabled() const { return m_enabled.load(std::memory_order_relaxed); }
    /*! When the App was created, on the CLOCK_MONOTONIC clock in ns: \c t is now minus this. */
    qint64 originNs() const { return m_originNs; }

    /*! Gives a handler a number the trace refers to it by. Thread-safe. */
    quint32 internHandler(TraceHandler handler);
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
                || m_readers.load(std::memory_order_relaxed) > 0;
    }

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
    /*! The \c seq the next event will get (a hint without the lock: it only grows). */
    qint64 nextSeq() const { return m_nextSeq.load(std::memory_order_relaxed); }

    Trace *const q;
    const QString m_label;
    /*! Someone is connected to eventRecorded. Qt's lock-free check: counting connections in
        connectNotify()/disconnectNotify() would need QObject::receivers(), which takes the
        signal-slot lock Qt may already hold there (a deadlock, seen when a receiver died). */
    bool hasLiveReceivers() const { return q->isSignalConnected(m_eventRecordedSignal); }
    const QMetaMethod m_eventRecordedSignal = QMetaMethod::fromSignal(&Trace::eventRecorded);

private:
    friend class Mortar::Trace;
    friend class HandlerEventBatch;
    void append(TraceRecord &&record);
    void appendLocked(TraceRecord &&record);            // m_mutex held
    TraceEvent expand(const TraceRecord &record) const; // m_mutex held
    void trimToCapacity();                              // m_mutex held
    void writeToFileBuffer(const TraceRecord &record);  // m_mutex held
    /*! Writes the file buffer out and empties it; m_mutex and the buffer lock held. */
    void writeFileBuffer();
    /*! The file sink's bounds during the run (spec §9): the buffer is written whenever it
        holds this much, or when this long passed since it was last written (checked as events
        are recorded, and by a timer in the Trace's thread when none are). */
    static constexpr qsizetype FileBufferLimit = 256 * 1024;
    static constexpr qint64 FileFlushIntervalNs = 1'000'000'000;

    const std::chrono::steady_clock::time_point m_origin = std::chrono::steady_clock::now();
    const qint64 m_originNs = m_origin.time_since_epoch() / std::chrono::nanoseconds(1);
    std::atomic<bool> m_enabled{true};
    mutable QMutex m_mutex;
    std::deque<TraceRecord> m_records;
    std::vector<TraceHandler> m_handlers;
    // Per handler, its fields as they appear in a trace-file line, made on first use: most of a
    // handler event's line, written without going through a TraceEvent.
    struct HandlerJson
    {
        QByteArray begin; // ,"hook":…,"handler":…,"weight":…,"owner":…,"source":…
        QByteArray end;   // ,"hook":…,"handler":…,"weight":…
    };
    std::vector<HandlerJson> m_handlerJson;
    const HandlerJson &handlerJson(quint32 handler); // m_mutex held
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
    QFile m_file;       // opened on a descriptor: its fileName() is empty, m_filePath is it
    QString m_filePath; // m_mutex
    QByteArray m_fileBuffer;
    qint64 m_fileWrittenAt = 0;    // t of the last write of the buffer; m_mutex
    bool m_fileErrorShown = false; // one warning per run for a failing file (a full disk)
    QTimer *m_fileTimer = nullptr; // child of q; flushes a quiet trace's buffer every second
};

} // namespace Mortar::Internal

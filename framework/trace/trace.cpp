// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/trace.h>

#include "asyncsafe_p.h"
#include "loggingcategories_p.h"
#include "trace_p.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QMetaMethod>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <charconv>
#include <iterator>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

namespace {
thread_local HandlerEventBatch *t_batch = nullptr; // the innermost batch of this thread

} // namespace

HandlerEventBatch::HandlerEventBatch(TracePrivate *trace)
    : m_trace(trace),
      m_outer(t_batch),
      m_thread(quint16(TracePrivate::currentThreadNumber()))
{
    if (m_outer)
        m_outer->flush();
    m_records.reserve(Capacity);
    t_batch = this;
}

HandlerEventBatch::~HandlerEventBatch()
{
    flush();
    t_batch = m_outer;
}

void HandlerEventBatch::flush()
{
    if (m_records.empty())
        return;
    {
        QMutexLocker locker(&m_trace->m_mutex);
        for (TraceRecord &record : m_records)
            m_trace->appendLocked(std::move(record));
    }
    m_records.clear();
}

TracePrivate::TracePrivate(Trace *trace, const QString &label) : q(trace), m_label(label) { }

int TracePrivate::currentThreadNumber()
{
    static std::atomic<int> lastNumber{0};
    thread_local const int number = ++lastNumber;
    return number;
}

QString traceStatusName(TraceStatus status)
{
    switch (status) {
    case TraceStatus::Ok: return u"ok"_s;
    case TraceStatus::Failed: return u"failed"_s;
    case TraceStatus::TimedOut: return u"timedOut"_s;
    case TraceStatus::Skipped: return u"skipped"_s;
    }
    return {};
}

quint32 TracePrivate::internHandler(TraceHandler handler)
{
    QMutexLocker locker(&m_mutex);
    m_handlers.push_back(std::move(handler));
    return quint32(m_handlers.size() - 1);
}

void TracePrivate::recordHandlerBegin(quint32 handler, qint64 t)
{
    append(TraceRecord::handlerBegin(handler, t));
}

void TracePrivate::recordHandlerAdded(quint32 handler)
{
    TraceRecord record = TraceRecord::handlerBegin(handler, now());
    record.kind = TraceRecord::Kind::HandlerAdded;
    append(std::move(record));
}

void TracePrivate::recordHandlerEnd(quint32 handler, qint64 t, TraceStatus status,
                                    const QString &error, qint64 durationNs, bool deferred,
                                    quint16 thread)
{
    append(TraceRecord::handlerEnd(handler, t, status, error, durationNs, deferred, thread));
}

namespace {
// Events the inspector needs to tell the story of a run, even of a very long one.
bool isKeptWhenTrimming(const TraceRecord &record)
{
    if (record.kind != TraceRecord::Kind::Full)
        return false;
    const QString &kind = record.detail->kind;
    return kind == u"state"_s || kind.startsWith(u"close."_s) || kind.startsWith(u"process."_s)
            || kind == u"exception"_s || kind == u"setup.failed"_s || kind == u"app.created"_s;
}

bool isLog(const TraceRecord &record)
{
    return record.kind == TraceRecord::Kind::Full && record.detail->kind == u"log"_s;
}
} // namespace

void TracePrivate::record(TraceEvent &&event)
{
    TraceRecord record;
    record.kind = TraceRecord::Kind::Full;
    record.t = event.t > 0 ? event.t : now();
    record.detail = std::make_unique<TraceEvent>(std::move(event));
    record.trim = isLog(record)          ? TraceRecord::Trim::Log
            : isKeptWhenTrimming(record) ? TraceRecord::Trim::Kept
                                         : TraceRecord::Trim::Normal;
    append(std::move(record));
}

void TracePrivate::append(TraceRecord &&record)
{
    if (!isEnabled())
        return;
    // Whatever this thread recorded before comes first.
    for (HandlerEventBatch *batch = t_batch; batch; batch = batch->m_outer) {
        if (batch->m_trace == this)
            batch->flush();
    }
    if (record.thread == 0) // else recorded for the thread it happened in
        record.thread = quint16(currentThreadNumber());
    if (!hasLiveReceivers()) {
        QMutexLocker locker(&m_mutex);
        appendLocked(std::move(record));
        return;
    }
    TraceEvent liveEvent;
    {
        QMutexLocker locker(&m_mutex);
        record.seq = m_nextSeq.load(std::memory_order_relaxed);
        liveEvent = expand(record);
        appendLocked(std::move(record));
    }
    Q_EMIT q->eventRecorded(liveEvent);
}

void TracePrivate::appendLocked(TraceRecord &&record)
{
    record.seq = m_nextSeq.load(std::memory_order_relaxed);
    m_nextSeq.store(record.seq + 1, std::memory_order_relaxed);
    if (m_fileOpen.load(std::memory_order_relaxed)) {
        const FileBufferLock bufferLock(m_fileBufferLock);
        writeToFileBuffer(record);
        // Written during the run too, so a SIGKILL or an OOM kill loses at most about a
        // second of it, and the buffer stays small.
        if (m_fileBuffer.size() >= FileBufferLimit
            || record.t - m_fileWrittenAt >= FileFlushIntervalNs)
            writeFileBuffer();
    }
    m_bytes += record.bytes();
    if (record.trim == TraceRecord::Trim::Log)
        ++m_logCount;
    m_records.push_back(std::move(record));
    if (qsizetype(m_records.size()) > m_trimAt || m_bytes > m_trimBytesAt)
        trimToCapacity();
}

TraceEvent TracePrivate::expand(const TraceRecord &record) const
{
    TraceEvent event;
    if (record.kind == TraceRecord::Kind::Full) {
        event = *record.detail;
    } else {
        const TraceHandler &info = m_handlers[record.handler];
        const bool added = record.kind == TraceRecord::Kind::HandlerAdded;
        const bool begin = record.kind == TraceRecord::Kind::HandlerBegin || added;
        event.kind = added ? u"handler.added"_s : begin ? u"handler.begin"_s : u"handler.end"_s;
        event.hook = info.hook;
        event.handler = info.name;
        event.weight = info.weight;
        if (begin) { // handler.end leaves them to its handler.begin: a sixth of the file
            event.owner = info.owner;
            event.source = info.source;
        } else {
            event.status = traceStatusName(record.status);
            event.error = record.error();
            event.durationNs = record.durationNs;
            if (record.deferred)
                event.extra.insert(u"deferred"_s, true);
        }
    }
    event.seq = record.seq;
    event.t = record.t;
    event.thread = record.thread;
    return event;
}

qint64 TraceRecord::bytes() const
{
    qint64 bytes = sizeof(TraceRecord);
    if (detail) {
        const TraceEvent &e = *detail;
        // The strings' characters and headers; QJsonObject's fields roughly as much again.
        bytes += qint64(sizeof(TraceEvent));
        for (const QString *s :
             {&e.kind, &e.hook, &e.handler, &e.owner, &e.source, &e.status, &e.error, &e.message}) {
            if (!s->isEmpty())
                bytes += 2 * s->size() + 32;
        }
        bytes += 64 * e.extra.size();
    }
    return bytes;
}

void TracePrivate::trimToCapacity()
{
    // Down to 90% of the capacity at once, so trimming is rare: first the oldest log events,
    // then the oldest other events but the few that outline the run (state, close, process).
    // The same in bytes, so a chatty log cannot make the trace grow past its byte bound.
    // Each pass finds how far from the front it must drop, and compacts only that front part:
    // dropping the oldest tenth moves a tenth, not the whole trace (add() of 1 000 000
    // handlers spent a third of its time here).
    const qsizetype target = m_capacity - m_capacity / 10;
    qsizetype excess = qsizetype(m_records.size()) - target;
    qint64 excessBytes = m_bytes - (m_byteCapacity - m_byteCapacity / 10);
    using Trim = TraceRecord::Trim;
    const auto pass = [&](auto drop) {
        if (excess <= 0 && excessBytes <= 0)
            return;
        auto end = m_records.begin();
        for (; end != m_records.end() && (excess > 0 || excessBytes > 0); ++end) {
            if (drop(*end)) {
                const qint64 bytes = end->bytes();
                --excess;
                excessBytes -= bytes;
                m_bytes -= bytes;
                if (end->trim == Trim::Log)
                    --m_logCount;
            }
        }
        const auto dropped = std::remove_if(m_records.begin(), end, drop);
        m_dropped += std::distance(dropped, end);
        m_records.erase(dropped, end);
    };
    if (m_logCount > 0) // else a scan of the whole trace for nothing
        pass([](const TraceRecord &r) { return r.trim == Trim::Log; });
    pass([](const TraceRecord &r) { return r.trim != Trim::Kept; });
    // If only kept events remain, let the trace grow a tenth before looking again.
    m_trimAt = std::max(m_capacity, qsizetype(m_records.size()) + m_capacity / 10);
    m_trimBytesAt = std::max(m_byteCapacity, m_bytes + m_byteCapacity / 10);
}

} // namespace Internal

Trace::Trace(const QString &label) : d(std::make_unique<Internal::TracePrivate>(this, label)) { }

Trace::~Trace()
{
    d->flush();
}

bool Trace::isEnabled() const
{
    return d->isEnabled();
}

void Trace::setEnabled(bool enabled)
{
    d->m_enabled.store(enabled, std::memory_order_relaxed);
}

qsizetype Trace::capacity() const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_capacity;
}

void Trace::setCapacity(qsizetype capacity)
{
    QMutexLocker locker(&d->m_mutex);
    d->m_capacity = std::max<qsizetype>(capacity, 1);
    d->m_trimAt = d->m_capacity;
    if (qsizetype(d->m_records.size()) > d->m_capacity)
        d->trimToCapacity();
}

qint64 Trace::byteCapacity() const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_byteCapacity;
}

void Trace::setByteCapacity(qint64 bytes)
{
    QMutexLocker locker(&d->m_mutex);
    d->m_byteCapacity = std::max<qint64>(bytes, 1);
    d->m_trimBytesAt = d->m_byteCapacity;
    if (d->m_bytes > d->m_byteCapacity)
        d->trimToCapacity();
}

qint64 Trace::sizeInBytes() const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_bytes;
}

QList<TraceEvent> Trace::events() const
{
    QMutexLocker locker(&d->m_mutex);
    QList<TraceEvent> events;
    events.reserve(qsizetype(d->m_records.size()));
    for (const auto &record : d->m_records)
        events.append(d->expand(record));
    return events;
}

namespace Internal {
QList<TraceEvent> TracePrivate::eventsAfter(qint64 after, qsizetype limit) const
{
    QList<TraceEvent> events;
    QMutexLocker locker(&m_mutex);
    auto it = std::upper_bound(
            m_records.begin(), m_records.end(), after,
            [](qint64 seq, const TraceRecord &record) { return seq < record.seq; });
    const qsizetype available = qsizetype(std::distance(it, m_records.end()));
    events.reserve(std::min(available, limit));
    for (; it != m_records.end() && events.size() < limit; ++it)
        events.append(expand(*it));
    return events;
}
} // namespace Internal

qsizetype Trace::size() const
{
    QMutexLocker locker(&d->m_mutex);
    return qsizetype(d->m_records.size());
}

qint64 Trace::droppedCount() const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_dropped;
}

void Trace::record(TraceEvent event)
{
    event.t = 0;
    d->record(std::move(event));
}

qint64 Trace::now() const
{
    return d->now();
}

} // namespace Mortar

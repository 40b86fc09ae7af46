// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/trace.h>

#include "logging_p.h"
#include "trace_p.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QMetaMethod>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

TracePrivate::TracePrivate(Trace *trace, const QString &label) : q(trace), m_label(label) { }

int TracePrivate::currentThreadNumber()
{
    static std::atomic<int> lastNumber{0};
    thread_local const int number = ++lastNumber;
    return number;
}

quint32 TracePrivate::internHandler(const HandlerInfo &info)
{
    QMutexLocker locker(&m_mutex);
    m_handlers.push_back(info);
    return quint32(m_handlers.size() - 1);
}

void TracePrivate::recordHandlerBegin(quint32 handler, qint64 t)
{
    TraceRecord record;
    record.kind = TraceRecord::Kind::HandlerBegin;
    record.t = t;
    record.handler = handler;
    append(std::move(record));
}

void TracePrivate::recordHandlerEnd(quint32 handler, qint64 t, HandlerResult::Status status,
                                    const QString &error, qint64 durationNs, bool deferred)
{
    TraceRecord record;
    record.kind = TraceRecord::Kind::HandlerEnd;
    record.t = t;
    record.handler = handler;
    record.status = status;
    record.error = error;
    record.durationNs = durationNs;
    record.deferred = deferred;
    append(std::move(record));
}

void TracePrivate::record(TraceEvent &&event)
{
    TraceRecord record;
    record.kind = TraceRecord::Kind::Full;
    record.t = event.t > 0 ? event.t : now();
    record.full = std::make_unique<TraceEvent>(std::move(event));
    append(std::move(record));
}

void TracePrivate::append(TraceRecord &&record)
{
    if (!isEnabled())
        return;
    record.thread = quint16(currentThreadNumber());
    const bool live = m_receivers.load(std::memory_order_relaxed) > 0;
    TraceEvent liveEvent;
    {
        QMutexLocker locker(&m_mutex);
        record.seq = m_nextSeq++;
        if (m_file.isOpen())
            writeToFileBuffer(record);
        if (live)
            liveEvent = expand(record);
        m_records.push_back(std::move(record));
        if (qsizetype(m_records.size()) > m_capacity)
            dropOldLogEvents();
    }
    if (live)
        Q_EMIT q->eventRecorded(liveEvent);
}

TraceEvent TracePrivate::expand(const TraceRecord &record) const
{
    TraceEvent event;
    if (record.kind == TraceRecord::Kind::Full) {
        event = *record.full;
    } else {
        const HandlerInfo &info = m_handlers[record.handler];
        const bool begin = record.kind == TraceRecord::Kind::HandlerBegin;
        event.kind = begin ? u"handler.begin"_s : u"handler.end"_s;
        event.hook = info.hook();
        event.handler = info.name();
        event.weight = info.weight();
        event.owner = info.owner();
        event.source = info.source();
        if (!begin) {
            event.status = HandlerResult::statusName(record.status);
            event.error = record.error;
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

void TracePrivate::dropOldLogEvents()
{
    // Drop a tenth of the capacity at once, so the scan runs rarely. Lifecycle events stay.
    const qsizetype target = m_capacity - m_capacity / 10;
    qsizetype excess = qsizetype(m_records.size()) - target;
    const auto isOldLog = [&excess](const TraceRecord &record) {
        if (excess <= 0 || record.kind != TraceRecord::Kind::Full || record.full->kind != u"log"_s)
            return false;
        --excess;
        return true;
    };
    const auto firstDropped = std::remove_if(m_records.begin(), m_records.end(), isOldLog);
    m_dropped += std::distance(firstDropped, m_records.end());
    m_records.erase(firstDropped, m_records.end());
}

void TracePrivate::writeToFileBuffer(const TraceRecord &record)
{
    m_fileBuffer += expand(record).toJsonLine();
}

void TracePrivate::flush()
{
    QMutexLocker locker(&m_mutex);
    if (!m_file.isOpen() || m_fileBuffer.isEmpty())
        return;
    if (m_file.write(m_fileBuffer) != m_fileBuffer.size())
        qCWarning(lcTrace, "Unable to write the trace file %s: %s", qPrintable(m_file.fileName()),
                  qPrintable(m_file.errorString()));
    m_fileBuffer.clear();
}

} // namespace Internal

Trace::Trace(const QString &label)
    : d(std::make_unique<Internal::TracePrivate>(this, label))
{
}

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
    if (qsizetype(d->m_records.size()) > d->m_capacity)
        d->dropOldLogEvents();
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

Result Trace::openFile(const QString &path)
{
    QMutexLocker locker(&d->m_mutex);
    if (d->m_file.isOpen())
        return Result::failure(u"the trace is already written to %1"_s.arg(d->m_file.fileName()));
    d->m_file.setFileName(path);
    if (!d->m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered)) {
        return Result::failure(u"Unable to open the trace file %1: %2"_s.arg(
                path, d->m_file.errorString()));
    }
    TraceEvent header;
    header.extra = QJsonObject{
        {u"format"_s, u"mortar-trace"_s},
        {u"version"_s, 1},
        {u"label"_s, d->m_label},
        {u"pid"_s, QCoreApplication::applicationPid()},
        {u"startedAt"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
    };
    // The header is not an event: write just its fields.
    QByteArray line = QJsonDocument(header.extra).toJson(QJsonDocument::Compact) + '\n';
    d->m_fileBuffer = line;
    // Everything recorded so far goes to the file too: the file tells the whole run.
    for (const auto &record : d->m_records)
        d->writeToFileBuffer(record);
    locker.unlock();
    d->flush();
    return Result::success();
}

QString Trace::fileName() const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_file.isOpen() ? d->m_file.fileName() : QString();
}

void Trace::flush()
{
    d->flush();
}

void Trace::connectNotify(const QMetaMethod &signal)
{
    if (signal == QMetaMethod::fromSignal(&Trace::eventRecorded))
        d->m_receivers.fetch_add(1, std::memory_order_relaxed);
}

void Trace::disconnectNotify(const QMetaMethod &signal)
{
    // An invalid method means "all signals" (QObject::disconnect with no signal).
    if (!signal.isValid() || signal == QMetaMethod::fromSignal(&Trace::eventRecorded))
        d->m_receivers.store(receivers(SIGNAL(eventRecorded(Mortar::TraceEvent))),
                             std::memory_order_relaxed);
}

} // namespace Mortar

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The trace's file sink (spec §9): JSON Lines written from the compact records, flushed at every
// hook end, past a size bound, every second, and — with write(2) alone — before a forced exit.
#include <mortar/trace.h>

#include "asyncsafe_p.h"
#include "loggingcategories_p.h"
#include "trace_p.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QThread>
#include <QTimer>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

const TracePrivate::HandlerJson &TracePrivate::handlerJson(quint32 handler)
{
    if (m_handlerJson.size() <= handler)
        m_handlerJson.resize(m_handlers.size());
    HandlerJson &json = m_handlerJson[handler];
    if (!json.begin.isEmpty())
        return json;
    const TraceHandlerData &info = *m_handlers[handler].labels;
    const HandlerJsonKey key{info.hook.constData(), info.name.constData(), info.owner.constData(),
                             info.source.constData(), info.weight};
    auto [shared, inserted] = m_handlerJsonShared.try_emplace(key);
    if (!inserted) {
        json = shared->second;
        return json;
    }
    {
        // A handler's registration facts are written once, on its handler.added (the whole
        // of json.begin); its handler.begin and handler.end name it by json.end, the begin
        // with its weight (writeHandlerLine() adds it), and readers find the rest
        // (TraceHandlerResolver, docs/trace-format.md).
        json.end += ",\"hook\":";
        appendJsonString(json.end, info.hook);
        json.end += ",\"handler\":";
        appendJsonString(json.end, info.name);
        json.begin = json.end + ",\"weight\":" + QByteArray::number(info.weight);
        json.begin += ",\"owner\":";
        appendJsonString(json.begin, info.owner);
        json.begin += ",\"source\":";
        appendJsonString(json.begin, info.source);
    }
    shared->second = json;
    return json;
}

void TracePrivate::writeToFileBuffer(const TraceRecord &record)
{
    writeRecordLines(m_fileBuffer, record);
}

void TracePrivate::setLineSink(LineSink sink, bool handlerEvents, bool withBacklog)
{
    {
        QMutexLocker locker(&m_mutex);
        m_lineSinkOn.store(false, std::memory_order_relaxed); // no new lines taken from here
    }
    // Lines taken before are handed over outside the lock: wait until that is done.
    while (m_sinkCalls.load(std::memory_order_acquire) > 0)
        QThread::yieldCurrentThread();
    SinkLines backlog;
    {
        QMutexLocker locker(&m_mutex);
        m_lineSink = std::move(sink);
        m_sinkBuffer.clear();
        m_sinkKind.clear();
        m_lineSinkHandlers.store(handlerEvents, std::memory_order_relaxed);
        m_lineSinkOn.store(bool(m_lineSink), std::memory_order_relaxed);
        if (withBacklog && m_lineSink) {
            // Under the same lock as the sink's start: no event is missed or given twice.
            // Straight from the records, as the file's backlog: a trace of many handlers is not
            // expanded into events for this.
            forEachRecord([this](const TraceRecord &record) { writeToLineSink(record); });
            takeSinkLinesLocked(backlog);
        }
    }
    deliverSinkLines(backlog);
}

void TracePrivate::writeToLineSink(const TraceRecord &record)
{
    if (record.trim == TraceRecord::Trim::Log)
        return;
    if (!m_lineSinkHandlers.load(std::memory_order_relaxed)) {
        using Kind = TraceRecord::Kind;
        const bool ok = record.status == TraceStatus::Ok;
        if (record.kind == Kind::HandlerBegin || record.kind == Kind::HandlerAdded
            || (ok && (record.kind == Kind::HandlerEnd || record.kind == Kind::HandlerRun)))
            return; // a failure is written whole, its begin and end
    }
    // Declining handler.added, the sink's stream has no registrations: its handler lines carry
    // their handler's owner and source themselves.
    writeRecordLines(m_sinkBuffer, record, !m_lineSinkHandlers.load(std::memory_order_relaxed));
    m_sinkLastSeq = record.lastSeq();
    if (record.kind == TraceRecord::Kind::Full)
        m_sinkKind = record.detail->kind;
}

void TracePrivate::writeRecordLines(QByteArray &out, const TraceRecord &record, bool selfContained)
{
    if (record.kind == TraceRecord::Kind::Full) {
        out += expand(record).toJsonLine();
        return;
    }
    if (record.kind != TraceRecord::Kind::HandlerRun) {
        writeHandlerLine(out, record, record.error(), selfContained);
        return;
    }
    const auto [begin, end] = record.split();
    writeHandlerLine(out, begin, QString(), selfContained);
    writeHandlerLine(out, end, record.error(), selfContained);
}

void TracePrivate::writeHandlerLine(QByteArray &buffer, const TraceRecord &record,
                                    const QString &error, bool selfContained)
{
    // The same object as expand(record).toJson(), written straight from the compact record
    // (tst_trace compares). A handler event without an error has a known bound: the buffer is
    // grown once, within its capacity, and the line copied in with memcpy — no intermediate
    // strings, no strlen, no reallocation per field (the file sink must keep up, SPEC §11).
    const bool added = record.kind == TraceRecord::Kind::HandlerAdded;
    const bool begin = record.kind == TraceRecord::Kind::HandlerBegin;
    const HandlerJson &json = handlerJson(record.handler);
    // A handler's registration facts (weight, owner, source) are on its handler.added; its
    // handler.begin names it by hook, handler and weight, its handler.end by hook and handler,
    // the weight being its begin's (docs/trace-format.md). An end that is not ok keeps its
    // weight: one may have no begin (skipped before its call, or timed out before it started in
    // its context's thread), and failures are rare. A self-contained stream (the black box,
    // which keeps no handler.added) writes a begin whole.
    const bool whole = added
            || (begin
                && (selfContained || record.seq >= m_handlers[record.handler].registrationFrom));
    const bool weight = !whole && (begin || record.status != TraceStatus::Ok);
    const QByteArray &fields = whole ? json.begin : json.end;
    const qsizetype start = buffer.size();
    buffer.resize(start + 224 + fields.size()); // 5 numbers ≤ 20 digits, literals ≤ 107
    char *const base = buffer.data();
    char *out = base + start;
    const auto put = [&out]<size_t N>(const char(&literal)[N]) {
        std::memcpy(out, literal, N - 1);
        out += N - 1;
    };
    const auto number = [&out](qint64 value) { out = std::to_chars(out, out + 24, value).ptr; };
    put("{\"seq\":");
    number(record.seq);
    put(",\"t\":");
    number(record.t);
    put(",\"thread\":");
    number(record.thread);
    if (added)
        put(",\"kind\":\"handler.added\"");
    else if (begin)
        put(",\"kind\":\"handler.begin\"");
    else
        put(",\"kind\":\"handler.end\"");
    std::memcpy(out, fields.constData(), size_t(fields.size()));
    out += fields.size();
    if (weight) {
        put(",\"weight\":");
        number(m_handlers[record.handler].labels->weight);
    }
    if (!begin && !added) {
        switch (record.status) {
        case TraceStatus::Ok: put(",\"status\":\"ok\""); break;
        case TraceStatus::Failed: put(",\"status\":\"failed\""); break;
        case TraceStatus::TimedOut: put(",\"status\":\"timedOut\""); break;
        case TraceStatus::Skipped: put(",\"status\":\"skipped\""); break;
        }
        if (!error.isEmpty()) { // rare, and of any length: appended the ordinary way
            put(",\"error\":");
            buffer.resize(out - base);
            appendJsonString(buffer, error);
            const qsizetype at = buffer.size();
            buffer.resize(at + 80);
            out = buffer.data() + at;
        }
        put(",\"durationNs\":");
        number(record.durationNs);
        if (record.deferred)
            put(",\"deferred\":true");
    }
    put("}\n");
    buffer.resize(out - buffer.data());
}

void TracePrivate::writeFileBuffer()
{
    m_fileWrittenAt = now();
    if (!m_file.isOpen() || m_fileBuffer.isEmpty())
        return;
    if (m_file.write(m_fileBuffer) != m_fileBuffer.size() && !m_fileErrorShown) {
        // Once: a full disk would otherwise warn at every write.
        m_fileErrorShown = true;
        qCWarning(lcTrace,
                  "Unable to write the trace file %s: %s (further failures are not "
                  "reported)",
                  qPrintable(m_filePath), qPrintable(m_file.errorString()));
    }
    // Emptied, not freed: it fills up again at once, and growing it anew cost a copy per
    // doubling (a quarter of the sink's time).
    m_fileBuffer.resize(0);
    if (m_fileBuffer.capacity() < FileBufferLimit + 64 * 1024)
        m_fileBuffer.reserve(FileBufferLimit + 64 * 1024);
}

void TracePrivate::flush()
{
    QMutexLocker locker(&m_mutex);
    const FileBufferLock bufferLock(m_fileBufferLock);
    writeFileBuffer();
}

qint64 TracePrivate::writeFinalEvent(const SafeLine &fields, bool waitForBuffer) noexcept
{
    const int fd = m_fileFd.load(std::memory_order_acquire);
    if (fd < 0)
        return -1;
    bool locked = !m_fileBufferLock.exchange(true, std::memory_order_acquire);
    for (int attempt = 0; !locked && waitForBuffer && attempt < 200; ++attempt) {
        const timespec millisecond{0, 1'000'000};
        ::nanosleep(&millisecond, nullptr);
        locked = !m_fileBufferLock.exchange(true, std::memory_order_acquire);
    }
    // Whoever held the buffer was interrupted mid-change, or is another thread still at it:
    // then its content is not to be trusted, and only the final line is written.
    if (locked && !m_fileBuffer.isEmpty())
        writeAll(fd, m_fileBuffer.constData(), size_t(m_fileBuffer.size()));
    const qint64 seq = m_nextSeq.load(std::memory_order_relaxed);
    writeFinalLine(fd, seq, monotonicNs() - m_originNs, fields);
    return seq;
}

} // namespace Internal

Result Trace::openFile(const QString &path)
{
    QMutexLocker locker(&d->m_mutex);
    if (d->m_file.isOpen())
        return Result::failure(u"the trace is already written to %1"_s.arg(d->m_filePath));
    // It holds log messages: created 0600, and never through a symbolic link, which another
    // user may have planted where the file is to be (spec §9).
    const int fd = ::open(QFile::encodeName(path).constData(),
                          O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int error = errno;
        if (error == ELOOP) {
            return Result::failure(u"Unable to open the trace file %1: it is a symbolic link, "
                                   u"which is not followed; name the file itself"_s.arg(path));
        }
        return Result::failure(u"Unable to open the trace file %1: %2"_s.arg(
                path, QString::fromLocal8Bit(std::strerror(error))));
    }
    // An existing file of ours that others may read is made private: it is rewritten anyway.
    struct stat status = {};
    if (::fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && status.st_uid == ::geteuid()
        && (status.st_mode & 0077) != 0)
        ::fchmod(fd, status.st_mode & 0700);
    d->m_filePath = path;
    if (!d->m_file.open(fd, QIODevice::WriteOnly | QIODevice::Unbuffered,
                        QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return Result::failure(
                u"Unable to open the trace file %1: %2"_s.arg(path, d->m_file.errorString()));
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
    {
        const Internal::FileBufferLock bufferLock(d->m_fileBufferLock);
        d->m_fileBuffer = line;
        d->m_fileOpen.store(true);
        // Everything recorded so far goes to the file too: the file tells the whole run.
        d->forEachRecord(
                [&](const Internal::TraceRecord &record) { d->writeToFileBuffer(record); });
    }
    d->m_fileFd.store(d->m_file.handle(), std::memory_order_release);
    locker.unlock();
    d->flush();
    // A quiet run phase records nothing that would write the buffer: a timer does.
    QMetaObject::invokeMethod(this, [this] {
        if (d->m_fileTimer)
            return;
        d->m_fileTimer = new QTimer(this);
        d->m_fileTimer->setInterval(int(Internal::TracePrivate::FileFlushIntervalNs / 1'000'000));
        connect(d->m_fileTimer, &QTimer::timeout, this, [this] { d->flush(); });
        d->m_fileTimer->start();
    });
    return Result::success();
}

QString Trace::fileName() const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_file.isOpen() ? d->m_filePath : QString();
}

void Trace::flush()
{
    d->flush();
}

} // namespace Mortar

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
#include <limits>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#if defined(__x86_64__)
#  include <cpuid.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

namespace {
thread_local HandlerEventBatch *t_batch __attribute__((tls_model("initial-exec"))) =
        nullptr; // the innermost batch of this thread

} // namespace

HandlerEventBatch::HandlerEventBatch(TracePrivate *trace)
    : m_trace(trace),
      m_outer(t_batch),
      m_thread(quint16(TracePrivate::currentThreadNumber()))
{
    if (m_outer)
        m_outer->flush();
    m_records.reserve(FirstCapacity);
    t_batch = this;
}

HandlerEventBatch::~HandlerEventBatch()
{
    flush();
    t_batch = m_outer;
}

void HandlerEventBatch::end(quint32 handler, qint64 t, TraceStatus status, const QString &error,
                            qint64 durationNs, bool deferred, quint16 thread)
{
    if (m_hasOpen && m_openHandler == handler && (thread == 0 || thread == m_thread)) {
        m_hasOpen = false;
        TraceRecord record = TraceRecord::handlerEnd(handler, m_openT, status, error, durationNs,
                                                     deferred, m_thread);
        record.kind = TraceRecord::Kind::HandlerRun;
        push(std::move(record));
        return;
    }
    if (m_hasOpen) {
        m_hasOpen = false;
        push(TraceRecord::handlerBegin(m_openHandler, m_openT, m_thread));
    }
    push(TraceRecord::handlerEnd(handler, t, status, error, durationNs, deferred, thread));
}

void HandlerEventBatch::flush()
{
    if (m_hasOpen) { // its handler is running: the begin goes first
        m_hasOpen = false;
        push(TraceRecord::handlerBegin(m_openHandler, m_openT, m_thread));
        if (m_records.empty())
            return; // push() flushed it
    }
    if (m_records.empty())
        return;
    // Adopted whole unless small: a big one's room left over is cheaper than moving it.
    const bool full = m_records.size() >= 256 || m_records.size() == m_records.capacity();
    TracePrivate::SinkLines lines;
    {
        QMutexLocker locker(&m_trace->m_mutex);
        if (full) {
            m_trace->adoptLocked(std::move(m_records));
        } else {
            for (TraceRecord &record : m_records)
                m_trace->appendLocked(std::move(record));
        }
        m_trace->takeSinkLinesLocked(lines);
    }
    m_trace->deliverSinkLines(lines);
    if (full) {
        const size_t capacity = m_records.size() == m_records.capacity()
                ? std::min(2 * m_records.capacity(), HugeChunkRecords)
                : m_records.capacity();
        m_records = RecordChunk();
        m_records.reserve(std::max(capacity, FirstCapacity));
    } else {
        m_records.clear();
    }
}

void *allocateRecordMemory(size_t bytes)
{
    void *p = nullptr;
    if (bytes >= HugePageBytes) {
        if (::posix_memalign(&p, HugePageBytes, bytes) != 0)
            throw std::bad_alloc();
        ::madvise(p, bytes, MADV_HUGEPAGE); // a hint: without it, ordinary pages
        return p;
    }
    p = std::malloc(bytes);
    if (!p)
        throw std::bad_alloc();
    return p;
}

thread_local TraceClock::ThreadState TraceClock::t_state = {0, 0, 0, 0, 0};

namespace {
// The process-wide calibration of the TSC against the steady clock: a first pair, and the
// rate measured from it (32.32 fixed point ns per tick), refined as the baseline grows.
struct TscCalibration
{
    std::atomic<bool> usable{false};
    std::atomic<quint64> mult{0};
    std::atomic<qint64> baselineNs{0}; // the baseline mult was measured over
    quint64 firstTsc = 0;
    qint64 firstNs = 0;
};

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
}

#if defined(__x86_64__)
bool kernelKeepsTimeWithTsc()
{
    // An invariant TSC (CPUID 0x80000007, EDX bit 8) that the kernel trusts as its clock.
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(0x80000000, &eax, &ebx, &ecx, &edx) || eax < 0x80000007)
        return false;
    __get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx);
    if (!(edx & (1u << 8)))
        return false;
    char name[32] = {};
    const int fd = ::open("/sys/devices/system/clocksource/clocksource0/current_clocksource",
                          O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const ssize_t n = ::read(fd, name, sizeof name - 1);
    ::close(fd);
    return n >= 3 && std::strncmp(name, "tsc", 3) == 0 && (n == 3 || name[3] == '\n');
}
#endif

TscCalibration &calibration()
{
    static TscCalibration *const instance = [] {
        auto *c = new TscCalibration; // never destroyed: threads may read it at exit
#if defined(__x86_64__)
        if (kernelKeepsTimeWithTsc()) {
            c->firstTsc = __rdtsc();
            c->firstNs = steadyNs();
            c->usable = true;
        }
#endif
        return c;
    }();
    return *instance;
}
} // namespace

qint64 TraceClock::slowNowNs()
{
    ThreadState &state = t_state;
    TscCalibration &c = calibration();
    qint64 ns = 0;
#if defined(__x86_64__)
    if (c.usable.load(std::memory_order_relaxed)) {
        const quint64 before = __rdtsc();
        ns = steadyNs();
        const quint64 after = __rdtsc();
        // A pair read across a preemption would anchor the next millisecond to a wrong time.
        if (after - before < 20'000) {
            const quint64 tsc = before + (after - before) / 2;
            const qint64 baseline = ns - c.firstNs;
            // Measured again whenever the baseline doubled: the rate gets more exact with it.
            if (baseline >= 20'000'000
                && baseline >= 2 * c.baselineNs.load(std::memory_order_relaxed)
                && tsc > c.firstTsc) {
                const double nsPerTick = double(baseline) / double(tsc - c.firstTsc);
                c.mult.store(quint64(nsPerTick * 4294967296.0), std::memory_order_relaxed);
                c.baselineNs.store(baseline, std::memory_order_relaxed);
            }
            const quint64 mult = c.mult.load(std::memory_order_relaxed);
            if (mult > 0) {
                state.anchorTsc = tsc;
                state.anchorNs = ns;
                state.mult = mult;
                // About a millisecond, within which a rate error of a few ppm is a few ns.
                state.limitTicks = (quint64(1'000'000) << 32) / mult;
            }
        } else {
            state.limitTicks = 0;
        }
    } else {
        state.limitTicks = 0;
        ns = steadyNs();
    }
#else
    ns = steadyNs();
#endif
    if (ns < state.last)
        ns = state.last;
    state.last = ns;
    return ns;
}

TracePrivate::TracePrivate(Trace *trace, const QString &label) : q(trace), m_label(label) { }

int TracePrivate::currentThreadNumber()
{
    static std::atomic<int> lastNumber{0};
    thread_local const int number __attribute__((tls_model("initial-exec"))) = ++lastNumber;
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

quint32 TracePrivate::nextGeneration()
{
    static std::atomic<quint32> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

quint32 TracePrivate::handlerNumberLocked(const TraceHandler &handler)
{
    // The labels remember their number here (most handlers share labels with the one before);
    // labels numbered by another trace since get a second number here, which costs memory only.
    const quint64 known = handler->traceNumber.load(std::memory_order_relaxed);
    if (quint32(known >> 32) == m_generation)
        return quint32(known);
    const auto number = quint32(m_handlers.size());
    m_handlers.push_back({handler});
    handler->traceNumber.store(quint64(m_generation) << 32 | number, std::memory_order_relaxed);
    noteNamesakesLocked(number);
    return number;
}

void TracePrivate::noteNamesakesLocked(quint32 number)
{
    const TraceHandlerData &labels = *m_handlers[number].labels;
    const size_t kind = qHashMulti(0, labels.hook, labels.name, labels.weight);
    const auto firstIt = m_firstNamesakes.constFind(kind);
    if (firstIt == m_firstNamesakes.cend()) {
        m_firstNamesakes.insert(kind, number);
        return;
    }
    const quint32 first = *firstIt;
    const TraceHandlerData &firstLabels = *m_handlers[first].labels;
    if (firstLabels.hook != labels.hook || firstLabels.name != labels.name
        || firstLabels.weight != labels.weight)
        return; // another kind with the same hash
    // Second in the chain: the order does not matter.
    m_handlers[number].nextNamesake = std::exchange(m_handlers[first].nextNamesake, number);
    const qint64 from = m_nextSeq.load(std::memory_order_relaxed);
    if (m_handlers[first].registrationFrom != std::numeric_limits<qint64>::max()) { // mixed
        m_handlers[number].registrationFrom = from;
        return;
    }
    if (firstLabels.owner == labels.owner && firstLabels.source == labels.source)
        return;
    // From the next event on; what was recorded before stays as it was (and was right: the
    // latest registration alike was its own).
    for (quint32 each = first; each != NoNumber; each = m_handlers[each].nextNamesake)
        m_handlers[each].registrationFrom = from;
}

quint32 TracePrivate::internHandler(const TraceHandler &handler, bool recordAdded)
{
    recordAdded = recordAdded && isEnabled();
    TraceRecord added;
    if (recordAdded) {
        // As append() does before taking the lock: what this thread batched comes first.
        for (HandlerEventBatch *batch = t_batch; batch; batch = batch->m_outer) {
            if (batch->m_trace == this)
                batch->flush();
        }
        if (hasLiveReceivers()) { // a live receiver gets the whole event: the ordinary way
            quint32 ref = 0;
            {
                QMutexLocker locker(&m_mutex);
                ref = handlerNumberLocked(handler);
            }
            recordHandlerAdded(ref);
            return ref;
        }
        added = TraceRecord::handlerBegin(0, now(), quint16(currentThreadNumber()));
        added.kind = TraceRecord::Kind::HandlerAdded;
    }
    SinkLines lines;
    quint32 ref = 0;
    {
        QMutexLocker locker(&m_mutex);
        ref = handlerNumberLocked(handler);
        if (recordAdded) {
            added.handler = ref;
            appendLocked(std::move(added));
            takeSinkLinesLocked(lines);
        }
    }
    deliverSinkLines(lines);
    return ref;
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
    SinkLines lines;
    if (!hasLiveReceivers()) {
        {
            QMutexLocker locker(&m_mutex);
            appendLocked(std::move(record));
            takeSinkLinesLocked(lines);
        }
        deliverSinkLines(lines);
        return;
    }
    TraceEvent liveEvent;
    {
        QMutexLocker locker(&m_mutex);
        record.seq = m_nextSeq.load(std::memory_order_relaxed);
        liveEvent = expand(record);
        appendLocked(std::move(record));
        takeSinkLinesLocked(lines);
    }
    deliverSinkLines(lines);
    Q_EMIT q->eventRecorded(liveEvent);
}

namespace {
// Each recording thread's buffer for the lines it hands to the line sink, swapped with the
// trace's under the lock: both keep their capacity, no allocation per event.
thread_local QByteArray t_sinkLines;
} // namespace

void TracePrivate::takeSinkLinesLocked(SinkLines &out)
{
    if (m_sinkBuffer.isEmpty())
        return;
    t_sinkLines.resize(0);
    m_sinkBuffer.swap(t_sinkLines);
    out.lines = &t_sinkLines;
    out.lastSeq = m_sinkLastSeq;
    out.kind = std::exchange(m_sinkKind, QString());
    m_sinkCalls.fetch_add(1, std::memory_order_acquire);
}

void TracePrivate::deliverSinkLines(SinkLines &lines)
{
    if (!lines.lines)
        return;
    // Outside the trace's lock: the black box's own lock and writes must not hold up the
    // recording threads and the inspection server's reads of the trace.
    m_lineSink(*lines.lines, lines.lastSeq, lines.kind.isEmpty() ? nullptr : &lines.kind);
    lines.lines->resize(0);
    m_sinkCalls.fetch_sub(1, std::memory_order_release);
}

void TracePrivate::admitLocked(TraceRecord &record)
{
    record.seq = m_nextSeq.load(std::memory_order_relaxed);
    const int events = record.eventCount();
    m_nextSeq.store(record.seq + events, std::memory_order_relaxed);
    m_eventCount += events;
    if (m_fileOpen.load(std::memory_order_relaxed)) {
        const FileBufferLock bufferLock(m_fileBufferLock);
        writeToFileBuffer(record);
        // Written during the run too, so a SIGKILL or an OOM kill loses at most about a
        // second of it, and the buffer stays small.
        if (m_fileBuffer.size() >= FileBufferLimit
            || record.t - m_fileWrittenAt >= FileFlushIntervalNs)
            writeFileBuffer();
    }
    if (m_lineSinkOn.load(std::memory_order_relaxed))
        writeToLineSink(record);
    m_bytes += record.bytes();
    if (record.trim == TraceRecord::Trim::Log)
        ++m_logCount;
}

void TracePrivate::appendLocked(TraceRecord &&record)
{
    admitLocked(record);
    if (m_records.empty() || m_records.back().size() == m_records.back().capacity()) {
        // Chunks grow with the trace, up to a huge page: a small trace stays small.
        const size_t last = m_records.empty() ? 0 : m_records.back().capacity();
        m_records.emplace_back().reserve(std::clamp<size_t>(2 * last, 256, HugeChunkRecords));
    }
    RecordChunk &tail = m_records.back();
    if (record.kind == TraceRecord::Kind::Full)
        tail.handlerOnly = false; // an adopted batch's room taken by another kind of event
    tail.push_back(std::move(record));
    if (m_eventCount > m_trimAt || m_bytes > m_trimBytesAt)
        trimToCapacity();
}

void TracePrivate::adoptLocked(RecordChunk &&chunk)
{
    for (TraceRecord &record : chunk)
        admitLocked(record);
    chunk.handlerOnly = true;
    m_records.push_back(std::move(chunk));
    if (m_eventCount > m_trimAt || m_bytes > m_trimBytesAt)
        trimToCapacity();
}

TraceEvent TracePrivate::expand(const TraceRecord &record) const
{
    if (record.kind == TraceRecord::Kind::Full)
        return expand(record, nullptr, 0);
    const NumberedHandler &handler = m_handlers[record.handler];
    return expand(record, handler.labels.data(), handler.registrationFrom);
}

TraceEvent TracePrivate::expand(const TraceRecord &record, const TraceHandlerData *handler,
                                qint64 wholeFrom)
{
    TraceEvent event;
    if (record.kind == TraceRecord::Kind::Full) {
        event = *record.detail;
    } else {
        const TraceHandlerData &info = *handler;
        const bool added = record.kind == TraceRecord::Kind::HandlerAdded;
        const bool begin = record.kind == TraceRecord::Kind::HandlerBegin || added;
        event.kind = added ? u"handler.added"_s : begin ? u"handler.begin"_s : u"handler.end"_s;
        event.hook = info.hook;
        event.handler = info.name;
        // A handler's registration facts are told once, by its handler.added: its begin names
        // it by hook, handler and weight, its end by hook and handler (a third of the file);
        // readers find the rest (TraceHandlerResolver). As writeHandlerLine() writes them.
        if (begin || record.status != TraceStatus::Ok) // an end that is not ok may have no begin
            event.weight = info.weight;
        if (added || (begin && record.seq >= wholeFrom)) {
            event.owner = info.owner;
            event.source = info.source;
        }
        if (!begin) {
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

void TracePrivate::expandInto(const TraceRecord &record, QList<TraceEvent> &out, qint64 after) const
{
    if (record.kind != TraceRecord::Kind::HandlerRun) {
        if (record.seq > after)
            out.append(expand(record));
        return;
    }
    const auto [begin, end] = record.split();
    if (begin.seq > after)
        out.append(expand(begin));
    TraceEvent event = expand(end);
    event.error = record.error();
    out.append(std::move(event));
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
    qsizetype excess = m_eventCount - target;
    qint64 excessBytes = m_bytes - (m_byteCapacity - m_byteCapacity / 10);
    using Trim = TraceRecord::Trim;
    const auto pass = [&](auto drop) {
        if (excess <= 0 && excessBytes <= 0)
            return;
        for (RecordChunk &chunk : m_records) {
            if (excess <= 0 && excessBytes <= 0)
                break;
            auto end = chunk.begin();
            for (; end != chunk.end() && (excess > 0 || excessBytes > 0); ++end) {
                if (drop(*end)) {
                    const qint64 bytes = end->bytes();
                    excess -= end->eventCount();
                    m_eventCount -= end->eventCount();
                    m_dropped += end->eventCount();
                    excessBytes -= bytes;
                    m_bytes -= bytes;
                    if (end->trim == Trim::Log)
                        --m_logCount;
                }
            }
            chunk.erase(std::remove_if(chunk.begin(), end, drop), end);
        }
        m_records.erase(std::remove_if(m_records.begin(), m_records.end(),
                                       [](const RecordChunk &chunk) { return chunk.empty(); }),
                        m_records.end());
    };
    if (m_logCount > 0) // else a scan of the whole trace for nothing
        pass([](const TraceRecord &r) { return r.trim == Trim::Log; });
    pass([](const TraceRecord &r) { return r.trim != Trim::Kept; });
    // If only kept events remain, let the trace grow a tenth before looking again.
    m_trimAt = std::max(m_capacity, m_eventCount + m_capacity / 10);
    m_trimBytesAt = std::max(m_byteCapacity, m_bytes + m_byteCapacity / 10);
}

} // namespace Internal

Trace::Trace(const QString &label) : d(std::make_unique<Internal::TracePrivate>(this, label)) { }

void Trace::connectNotify(const QMetaMethod &signal)
{
    d->m_eventRecorded.connected(signal);
}

void Trace::disconnectNotify(const QMetaMethod &signal)
{
    d->m_eventRecorded.disconnected(signal);
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
    d->m_trimAt = d->m_capacity;
    if (d->m_eventCount > d->m_capacity)
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
    events.reserve(d->m_eventCount);
    d->forEachRecord([&](const Internal::TraceRecord &record) { d->expandInto(record, events); });
    return events;
}

namespace Internal {
QList<TraceEvent> TracePrivate::eventsAfter(qint64 after, qsizetype limit) const
{
    // Copied under the lock, as compact records (and the handlers they name: those live as long
    // as the trace), and expanded into TraceEvents after it is let go: the reader (the
    // inspection server's thread) then holds the lock a fraction of the time, and the
    // recording threads wait for it that much less.
    std::vector<TraceRecord> records;
    // Each record's handler: its labels (null for a Full record) and registrationFrom.
    std::vector<std::pair<const TraceHandlerData *, qint64>> handlers;
    {
        QMutexLocker locker(&m_mutex);
        // The first record with an event past \a after (a HandlerRun may hold it as its
        // second): in the first chunk whose last record has one.
        const auto lastSeqBelow = [](qint64 seq, const TraceRecord &record) {
            return seq < record.lastSeq();
        };
        auto chunk = std::upper_bound(
                m_records.begin(), m_records.end(), after,
                [&](qint64 seq, const RecordChunk &c) { return lastSeqBelow(seq, c.back()); });
        const qint64 newer = m_nextSeq.load(std::memory_order_relaxed) - after - 1;
        const size_t expected = size_t(std::min<qint64>(limit, std::max<qint64>(newer, 0)));
        records.reserve(expected);
        handlers.reserve(expected);
        qsizetype events = 0;
        for (bool first = true; chunk != m_records.end() && events < limit;
             ++chunk, first = false) {
            auto it = first ? std::upper_bound(chunk->begin(), chunk->end(), after, lastSeqBelow)
                            : chunk->begin();
            for (; it != chunk->end() && events < limit; ++it) {
                TraceRecord &copy = records.emplace_back();
                copy.seq = it->seq;
                copy.t = it->t;
                copy.durationNs = it->durationNs;
                copy.handler = it->handler;
                copy.thread = it->thread;
                copy.kind = it->kind;
                copy.status = it->status;
                copy.deferred = it->deferred;
                if (it->detail)
                    copy.detail = std::make_unique<TraceEvent>(*it->detail); // rare
                if (it->kind == TraceRecord::Kind::Full) {
                    handlers.emplace_back(nullptr, 0);
                } else {
                    const NumberedHandler &handler = m_handlers[it->handler];
                    handlers.emplace_back(handler.labels.data(), handler.registrationFrom);
                }
                events += it->kind == TraceRecord::Kind::HandlerRun && it->seq <= after
                        ? 1
                        : it->eventCount();
            }
        }
    }
    QList<TraceEvent> events;
    events.reserve(qsizetype(records.size()) + 1);
    for (size_t i = 0; i < records.size(); ++i) {
        const TraceRecord &record = records[i];
        const auto [labels, wholeFrom] = handlers[i];
        if (record.kind != TraceRecord::Kind::HandlerRun) {
            events.append(expand(record, labels, wholeFrom));
            continue;
        }
        const auto [begin, end] = record.split();
        if (begin.seq > after)
            events.append(expand(begin, labels, wholeFrom));
        TraceEvent event = expand(end, labels, wholeFrom);
        event.error = record.error();
        events.append(std::move(event));
    }
    if (events.size() > limit)
        events.resize(limit); // the end of a HandlerRun past the limit comes with the next call
    return events;
}
} // namespace Internal

namespace Internal {
QList<TraceEvent> TracePrivate::fullEvents(const QString &kind, qint64 after) const
{
    QList<TraceEvent> events;
    QMutexLocker locker(&m_mutex);
    for (const RecordChunk &chunk : m_records) {
        if (chunk.handlerOnly || chunk.back().lastSeq() <= after)
            continue;
        for (const TraceRecord &record : chunk) {
            if (record.kind == TraceRecord::Kind::Full && record.seq > after
                && record.detail->kind == kind)
                events.append(expand(record));
        }
    }
    return events;
}
} // namespace Internal

qsizetype Trace::size() const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_eventCount;
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

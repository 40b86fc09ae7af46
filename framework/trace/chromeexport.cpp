// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The Chrome Trace Event export (spec §9), streamed.
#include <mortar/chromeexport.h>

#include <mortar/tracespans.h>

#include <QHash>
#include <QMap>
#include <QSaveFile>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace {
// Tracks beside a thread's own: its asynchronous parts, the close, the forced end.
constexpr int AsyncTrackBase = 100000; // thread t's k-th async track: base + t * 1000 + k
constexpr int CloseTrack = 99998;
constexpr int ForcedEndTrack = 99999;

class Writer
{
public:
    explicit Writer(QIODevice *device) : m_device(device) { m_buffer.reserve(1 << 20); }

    void raw(QByteArrayView text) { m_buffer.append(text); }
    void string(const QString &text)
    {
        m_buffer.append('"');
        const QByteArray utf8 = text.toUtf8();
        for (const char c : utf8) {
            switch (c) {
            case '"': m_buffer.append("\\\""); break;
            case '\\': m_buffer.append("\\\\"); break;
            case '\n': m_buffer.append("\\n"); break;
            case '\r': m_buffer.append("\\r"); break;
            case '\t': m_buffer.append("\\t"); break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                    m_buffer.append(escaped);
                } else {
                    m_buffer.append(c);
                }
            }
        }
        m_buffer.append('"');
    }
    void number(qint64 value) { m_buffer.append(QByteArray::number(value)); }
    void micros(qint64 ns)
    {
        // Microseconds with the nanoseconds kept: "1234.567".
        if (ns < 0) {
            m_buffer.append('-');
            ns = -ns;
        }
        m_buffer.append(QByteArray::number(ns / 1000));
        m_buffer.append('.');
        m_buffer.append(QByteArray::number(ns % 1000).rightJustified(3, '0'));
    }
    // Starts the next element of traceEvents.
    void next()
    {
        if (m_count++ > 0)
            m_buffer.append(",\n");
        if (m_buffer.size() >= (1 << 20))
            flush();
    }
    bool flush()
    {
        if (m_device->write(m_buffer) != m_buffer.size())
            m_failed = true;
        m_buffer.clear();
        return !m_failed;
    }
    bool failed() const { return m_failed; }

private:
    QIODevice *m_device;
    QByteArray m_buffer;
    qint64 m_count = 0;
    bool m_failed = false;
};

const char *colourOf(const QString &status)
{
    if (status == u"ok"_s)
        return "good";
    if (status == u"failed"_s)
        return "terrible";
    if (status == u"timedOut"_s)
        return "bad";
    if (status == u"skipped"_s)
        return "grey";
    return "black"; // did not finish
}
} // namespace

Result writeChromeTrace(QIODevice *device, const QList<TraceEvent> &events, qint64 pid,
                        const QString &label)
{
    Writer out(device);
    out.raw("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
    QMap<int, QString> trackNames;
    const auto begin = [&](const char *ph, const QString &name, const char *category, qint64 ns,
                           int track) {
        out.next();
        out.raw("{\"ph\":\"");
        out.raw(ph);
        out.raw("\",\"name\":");
        out.string(name);
        out.raw(",\"cat\":\"");
        out.raw(category);
        out.raw("\",\"ts\":");
        out.micros(ns);
        out.raw(",\"pid\":");
        out.number(pid);
        out.raw(",\"tid\":");
        out.number(track);
    };
    const auto complete = [&](const QString &name, const char *category, qint64 startNs,
                              qint64 endNs, int track, const QString &status) {
        begin("X", name, category, startNs, track);
        out.raw(",\"dur\":");
        out.micros(std::max<qint64>(endNs - startNs, 0));
        if (!status.isEmpty()) {
            out.raw(",\"cname\":\"");
            out.raw(colourOf(status));
            out.raw("\"");
        }
    };
    const auto threadTrack = [&](int thread) {
        if (!trackNames.contains(thread))
            trackNames.insert(thread, u"thread %1"_s.arg(thread));
        return thread;
    };

    // Hooks (begin to end on one thread), the close, and the instants.
    QHash<QString, QList<qint64>> openHooks; // thread + hook → starts
    qint64 lastT = 0;
    std::optional<qint64> closeBegin;
    QString closeStatus = u"did not finish"_s;
    std::optional<qint64> closeEnd;
    for (const TraceEvent &event : events) {
        lastT = std::max(lastT, event.t);
        if (event.kind == u"hook.begin"_s) {
            openHooks[QString::number(event.thread) + u'\n' + event.hook].append(event.t);
        } else if (event.kind == u"hook.end"_s) {
            QList<qint64> &open = openHooks[QString::number(event.thread) + u'\n' + event.hook];
            if (open.isEmpty())
                continue;
            complete(event.hook, "hook", open.takeLast(), event.t, threadTrack(event.thread),
                     event.status);
            out.raw(",\"args\":{\"status\":");
            out.string(event.status);
            out.raw(",\"handlers\":");
            out.number(event.extra.value(u"handlers"_s).toInteger());
            out.raw("}}");
        } else if (event.kind == u"close.begin"_s) {
            closeBegin = event.t;
        } else if (event.kind == u"close.end"_s) {
            closeEnd = event.t;
            closeStatus = event.code.value_or(0) == 0 ? u"ok"_s : u"failed"_s;
        }
        const bool instant = event.kind == u"signal"_s || event.kind == u"log"_s
                || event.kind.startsWith(u"exitCode"_s) || event.kind.startsWith(u"close."_s)
                || event.kind.startsWith(u"process."_s) || event.kind == u"state"_s;
        if (!instant)
            continue;
        const bool forcedEnd = event.thread == 0 && event.kind.startsWith(u"process."_s);
        QString name = event.kind;
        if (event.kind == u"signal"_s)
            name = event.extra.value(u"signal"_s).toString();
        else if (event.kind == u"log"_s)
            name = u"%1: %2"_s.arg(event.extra.value(u"level"_s).toString(), event.message);
        else if (event.kind == u"exitCode"_s || event.kind == u"exitCode.rule"_s)
            name = u"%1 %2"_s.arg(event.kind).arg(event.code.value_or(0));
        else if (event.kind == u"state"_s)
            name = u"state %1"_s.arg(event.extra.value(u"state"_s).toString());
        const int track = forcedEnd ? ForcedEndTrack : threadTrack(event.thread);
        if (forcedEnd)
            trackNames.insert(ForcedEndTrack, u"forced end (watchdog, signal, crash)"_s);
        begin("i", name, "lifecycle", event.t, track);
        out.raw(",\"s\":\"");
        out.raw(event.kind.startsWith(u"process."_s) || event.kind.startsWith(u"close."_s) ? "p"
                                                                                           : "t");
        out.raw("\",\"args\":");
        out.raw(event.toJsonLine().trimmed());
        out.raw("}");
    }
    for (auto it = openHooks.cbegin(); it != openHooks.cend(); ++it) {
        for (const qint64 start : it.value()) {
            const int thread = it.key().section(u'\n', 0, 0).toInt();
            complete(it.key().section(u'\n', 1), "hook", start, lastT, threadTrack(thread),
                     u"did not finish"_s);
            out.raw(",\"args\":{\"status\":\"did not finish\"}}");
        }
    }
    if (closeBegin) {
        trackNames.insert(CloseTrack, u"close"_s);
        complete(u"close"_s, "close", *closeBegin, closeEnd.value_or(lastT), CloseTrack,
                 closeStatus);
        out.raw("}");
    }

    // Handlers; asynchronous parts on the first of their thread's async tracks that is free.
    QHash<int, QList<qint64>> asyncTrackEnds; // thread → end of each of its async tracks
    qint64 flowId = 0;
    for (const TraceSpan &span : traceSpans(events)) {
        const QString status = span.finished ? span.status : u"did not finish"_s;
        const auto args = [&] {
            out.raw(",\"args\":{\"hook\":");
            out.string(span.hook);
            out.raw(",\"status\":");
            out.string(status);
            if (span.weight) {
                out.raw(",\"weight\":");
                out.number(*span.weight);
            }
            for (const auto &[key, value] :
                 {std::pair{"owner", &span.owner}, std::pair{"source", &span.source},
                  std::pair{"error", &span.error}}) {
                if (!value->isEmpty()) {
                    out.raw(",\"");
                    out.raw(key);
                    out.raw("\":");
                    out.string(*value);
                }
            }
            out.raw("}}");
        };
        const int track = threadTrack(span.thread);
        complete(span.handler, "handler", span.startNs, span.returnNs, track,
                 span.deferred ? u"ok"_s : status);
        args();
        if (!span.deferred)
            continue;
        QList<qint64> &ends = asyncTrackEnds[span.thread];
        qsizetype k = 0;
        while (k < ends.size() && ends.at(k) > span.returnNs)
            ++k;
        if (k == ends.size())
            ends.append(0);
        ends[k] = span.endNs;
        const int asyncTrack = AsyncTrackBase + span.thread * 1000 + int(k);
        trackNames.insert(asyncTrack,
                          u"thread %1, asynchronous cleanup %2"_s.arg(span.thread).arg(k + 1));
        complete(span.handler + u" (async)"_s, "deferral", span.returnNs, span.endNs, asyncTrack,
                 status);
        args();
        // A flow arrow from the call that deferred to its asynchronous part.
        ++flowId;
        begin("s", span.handler, "flow", std::max(span.startNs, span.returnNs - 1), track);
        out.raw(",\"id\":");
        out.number(flowId);
        out.raw("}");
        begin("f", span.handler, "flow", span.returnNs, asyncTrack);
        out.raw(",\"bp\":\"e\",\"id\":");
        out.number(flowId);
        out.raw("}");
    }

    for (auto it = trackNames.cbegin(); it != trackNames.cend(); ++it) {
        out.next();
        out.raw("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":");
        out.number(pid);
        out.raw(",\"tid\":");
        out.number(it.key());
        out.raw(",\"args\":{\"name\":");
        out.string(it.value());
        out.raw("}}");
        out.next();
        out.raw("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":");
        out.number(pid);
        out.raw(",\"tid\":");
        out.number(it.key());
        out.raw(",\"args\":{\"sort_index\":");
        // The close first, then each thread with its asynchronous tracks right after it.
        const int track = it.key();
        out.number(track == CloseTrack               ? -1
                           : track == ForcedEndTrack ? 1 << 30
                           : track >= AsyncTrackBase ? (track - AsyncTrackBase) / 1000 * 1000
                                   + (track - AsyncTrackBase) % 1000 + 1
                                                     : track * 1000);
        out.raw("}}");
    }
    if (!label.isEmpty()) {
        out.next();
        out.raw("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":");
        out.number(pid);
        out.raw(",\"args\":{\"name\":");
        out.string(label);
        out.raw("}}");
    }
    out.raw("\n]}\n");
    if (!out.flush())
        return Result::failure(
                u"Unable to write the Chrome trace: %1"_s.arg(device->errorString()));
    return Result::success();
}

Result writeChromeTrace(const QString &path, const QList<TraceEvent> &events, qint64 pid,
                        const QString &label)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Result::failure(u"Unable to write %1: %2"_s.arg(path, file.errorString()));
    if (const Result written = writeChromeTrace(&file, events, pid, label); !written)
        return Result::failure(u"Unable to write %1: %2"_s.arg(path, file.errorString()));
    if (!file.commit())
        return Result::failure(u"Unable to write %1: %2"_s.arg(path, file.errorString()));
    return Result::success();
}

} // namespace Mortar

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/tracespans.h>

#include <mortar/chromeexport.h>

#include <QBuffer>

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace {
// Handlers of one thread nest (a handler may run a hook): the innermost open one is the one a
// handler.end closes.
struct OpenSpan
{
    qsizetype index;
    QString hook;
    QString handler;
};
} // namespace

QList<TraceSpan> traceSpans(const QList<TraceEvent> &events)
{
    QList<TraceSpan> spans;
    QHash<int, QList<OpenSpan>> openByThread;
    QHash<QString, qsizetype> awaitingDeferral; // hook + '\n' + handler → span
    qint64 lastT = 0;
    for (const TraceEvent &event : events) {
        lastT = std::max(lastT, event.t);
        if (event.kind == u"handler.begin"_s) {
            TraceSpan span;
            span.hook = event.hook;
            span.handler = event.handler;
            span.weight = event.weight;
            span.owner = event.owner;
            span.source = event.source;
            span.thread = event.thread;
            span.beginSeq = event.seq;
            span.startNs = event.t;
            openByThread[event.thread].append({spans.size(), event.hook, event.handler});
            spans.append(span);
        } else if (event.kind == u"handler.end"_s) {
            QList<OpenSpan> &open = openByThread[event.thread];
            const auto it = std::find_if(open.rbegin(), open.rend(), [&](const OpenSpan &o) {
                return o.hook == event.hook && o.handler == event.handler;
            });
            if (it == open.rend()) {
                // Skipped handlers end without beginning: a span of no length.
                TraceSpan span;
                span.hook = event.hook;
                span.handler = event.handler;
                span.weight = event.weight;
                span.thread = event.thread;
                span.beginSeq = event.seq;
                span.startNs = span.returnNs = span.endNs = event.t;
                span.status = event.status;
                span.error = event.error;
                span.finished = true;
                spans.append(span);
                continue;
            }
            TraceSpan &span = spans[it->index];
            open.erase(std::next(it).base());
            span.returnNs = span.endNs = event.t;
            span.status = event.status;
            span.error = event.error;
            span.deferred = event.extra.value(u"deferred"_s).toBool();
            span.finished = !span.deferred;
            if (span.deferred)
                awaitingDeferral.insert(event.hook + u'\n' + event.handler, it->index);
        } else if (event.kind == u"deferral.end"_s) {
            const QString key = event.hook + u'\n' + event.handler;
            const qsizetype index = awaitingDeferral.value(key, -1);
            if (index < 0)
                continue;
            awaitingDeferral.remove(key);
            TraceSpan &span = spans[index];
            span.endNs = span.startNs + event.durationNs.value_or(event.t - span.startNs);
            span.status = event.status;
            span.error = event.error;
            span.finished = true;
        }
    }
    // Whatever is still open did not finish: it runs until the trace stops.
    for (TraceSpan &span : spans) {
        if (!span.finished) {
            span.endNs = std::max(span.endNs, lastT);
            if (span.returnNs == 0)
                span.returnNs = span.endNs;
        }
    }
    return spans;
}

QJsonDocument chromeTrace(const QList<TraceEvent> &events, qint64 pid, const QString &label)
{
    // One exporter: the streamed one, read back.
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    if (!writeChromeTrace(&buffer, events, pid, label))
        return {};
    return QJsonDocument::fromJson(buffer.data());
}

} // namespace Mortar

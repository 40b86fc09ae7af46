// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/tracespans.h>

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace {
// The lane of a thread's asynchronous handler parts, beside the thread's own.
constexpr int AsyncLaneOffset = 1000;

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
    const auto micros = [](qint64 ns) { return double(ns) / 1000.0; };
    QJsonArray out;
    QSet<int> lanes;
    const auto complete = [&](const QString &name, const QString &category, qint64 startNs,
                              qint64 endNs, int lane, const QJsonObject &args) {
        lanes.insert(lane);
        out.append(QJsonObject{{u"name"_s, name},
                               {u"cat"_s, category},
                               {u"ph"_s, u"X"_s},
                               {u"ts"_s, micros(startNs)},
                               {u"dur"_s, micros(std::max<qint64>(endNs - startNs, 0))},
                               {u"pid"_s, pid},
                               {u"tid"_s, lane},
                               {u"args"_s, args}});
    };

    // Hooks: from hook.begin to hook.end of the same hook on the same thread.
    QHash<QString, QList<TraceEvent>> openHooks;
    qint64 lastT = 0;
    for (const TraceEvent &event : events) {
        lastT = std::max(lastT, event.t);
        const QString key = QString::number(event.thread) + u'\n' + event.hook;
        if (event.kind == u"hook.begin"_s) {
            openHooks[key].append(event);
        } else if (event.kind == u"hook.end"_s && !openHooks.value(key).isEmpty()) {
            const TraceEvent begin = openHooks[key].takeLast();
            complete(event.hook, u"hook"_s, begin.t, event.t, event.thread,
                     {{u"status"_s, event.status},
                      {u"handlers"_s, event.extra.value(u"handlers"_s)}});
        } else if (event.kind.startsWith(u"process."_s) || event.kind.startsWith(u"close."_s)) {
            out.append(QJsonObject{{u"name"_s, event.kind},
                                   {u"cat"_s, u"lifecycle"_s},
                                   {u"ph"_s, u"i"_s},
                                   {u"s"_s, u"p"_s},
                                   {u"ts"_s, micros(event.t)},
                                   {u"pid"_s, pid},
                                   {u"tid"_s, event.thread},
                                   {u"args"_s, event.toJson()}});
        }
    }
    for (const QList<TraceEvent> &stack : std::as_const(openHooks)) {
        for (const TraceEvent &begin : stack)
            complete(begin.hook, u"hook"_s, begin.t, lastT, begin.thread,
                     {{u"status"_s, u"did not finish"_s}});
    }

    for (const TraceSpan &span : traceSpans(events)) {
        QJsonObject args{{u"hook"_s, span.hook},
                         {u"status"_s, span.finished ? span.status : u"did not finish"_s}};
        if (span.weight)
            args.insert(u"weight"_s, *span.weight);
        if (!span.owner.isEmpty())
            args.insert(u"owner"_s, span.owner);
        if (!span.source.isEmpty())
            args.insert(u"source"_s, span.source);
        if (!span.error.isEmpty())
            args.insert(u"error"_s, span.error);
        complete(span.handler, u"handler"_s, span.startNs, span.returnNs, span.thread, args);
        if (span.deferred) {
            complete(span.handler + u" (async)"_s, u"deferral"_s, span.returnNs, span.endNs,
                     span.thread + AsyncLaneOffset, args);
        }
    }

    for (const int lane : std::as_const(lanes)) {
        const QString name = lane >= AsyncLaneOffset
                ? u"thread %1, asynchronous cleanup"_s.arg(lane - AsyncLaneOffset)
                : u"thread %1"_s.arg(lane);
        out.append(QJsonObject{{u"name"_s, u"thread_name"_s},
                               {u"ph"_s, u"M"_s},
                               {u"pid"_s, pid},
                               {u"tid"_s, lane},
                               {u"args"_s, QJsonObject{{u"name"_s, name}}}});
    }
    if (!label.isEmpty()) {
        out.append(QJsonObject{{u"name"_s, u"process_name"_s},
                               {u"ph"_s, u"M"_s},
                               {u"pid"_s, pid},
                               {u"args"_s, QJsonObject{{u"name"_s, label}}}});
    }
    return QJsonDocument(QJsonObject{{u"traceEvents"_s, out}, {u"displayTimeUnit"_s, u"ms"_s}});
}

} // namespace Mortar

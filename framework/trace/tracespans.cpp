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

struct TraceHandlerResolver::Private
{
    // A handler's description as its begin names it. The strings are the events' own (shared).
    struct Key
    {
        Key(const QString &hookName, const QString &handlerName, int handlerWeight)
            : hash(qHashMulti(0, hookName, handlerName, handlerWeight)),
              hook(hookName),
              handler(handlerName),
              weight(handlerWeight)
        {
        }
        // Compared first: a probe that is not the key costs no visit of its strings, which are
        // all over memory (a file of half a million handlers: two cache misses a probe).
        size_t hash;
        QString hook;
        QString handler;
        int weight;
        bool operator==(const Key &) const = default;
    };
    friend size_t qHash(const Key &k, size_t seed = 0) noexcept { return k.hash ^ seed; }
    struct Registration
    {
        QString owner;
        QString source;
    };
    // The latest handler.added of each description: inline, one node per handler (a file of
    // half a million handlers holds as many).
    QHash<Key, Registration> registered;
    struct Open
    {
        QString hook;
        QString handler;
        std::optional<int> weight;
    };
    QHash<int, QList<Open>> openByThread; // innermost last
};

TraceHandlerResolver::TraceHandlerResolver() : d(std::make_unique<Private>()) { }

TraceHandlerResolver::~TraceHandlerResolver() = default;

void TraceHandlerResolver::addRegistration(const QString &hook, const QString &handler, int weight,
                                           const QString &owner, const QString &source)
{
    d->registered.insert(Private::Key{hook, handler, weight}, Private::Registration{owner, source});
}

TraceHandlerResolver::Facts TraceHandlerResolver::facts(const TraceEvent &event)
{
    Facts facts;
    if (event.kind == u"handler.begin"_s) {
        facts = {event.weight, event.owner, event.source};
        if ((facts.owner.isEmpty() || facts.source.isEmpty()) && facts.weight) {
            const auto it =
                    d->registered.constFind(Private::Key(event.hook, event.handler, *facts.weight));
            if (it != d->registered.cend()) {
                if (facts.owner.isEmpty())
                    facts.owner = it->owner;
                if (facts.source.isEmpty())
                    facts.source = it->source;
            }
        }
        d->openByThread[event.thread].append({event.hook, event.handler, facts.weight});
    } else if (event.kind == u"handler.end"_s) {
        facts.weight = event.weight;
        QList<Private::Open> &open = d->openByThread[event.thread];
        for (qsizetype i = open.size() - 1; i >= 0; --i) {
            const Private::Open &o = open.at(i);
            if (o.hook == event.hook && o.handler == event.handler) {
                if (!facts.weight)
                    facts.weight = o.weight;
                open.removeAt(i);
                return facts;
            }
        }
        // No begin: then the end carries its weight (unless its begin was dropped from a
        // trace kept in memory, which this cannot tell).
    } else if (event.kind == u"handler.added"_s) {
        if (event.weight)
            addRegistration(event.hook, event.handler, *event.weight, event.owner, event.source);
        facts = {event.weight, event.owner, event.source};
    }
    return facts;
}

void TraceHandlerResolver::resolve(TraceEvent &event)
{
    if (!event.kind.startsWith(u"handler."_s))
        return;
    Facts found = facts(event);
    if (!event.weight && found.weight)
        event.weight = found.weight;
    if (event.kind != u"handler.begin"_s)
        return;
    if (event.owner.isEmpty())
        event.owner = std::move(found.owner);
    if (event.source.isEmpty())
        event.source = std::move(found.source);
}

QList<TraceSpan> traceSpans(const QList<TraceEvent> &events)
{
    TraceHandlerResolver resolver;
    QList<TraceSpan> spans;
    QHash<int, QList<OpenSpan>> openByThread;
    QHash<QString, qsizetype> awaitingDeferral; // hook + '\n' + handler → span
    qint64 lastT = 0;
    for (const TraceEvent &event : events) {
        lastT = std::max(lastT, event.t);
        if (event.kind == u"handler.begin"_s) {
            TraceHandlerResolver::Facts facts = resolver.facts(event);
            TraceSpan span;
            span.hook = event.hook;
            span.handler = event.handler;
            span.weight = facts.weight;
            span.owner = std::move(facts.owner);
            span.source = std::move(facts.source);
            span.thread = event.thread;
            span.beginSeq = event.seq;
            span.startNs = event.t;
            openByThread[event.thread].append({spans.size(), event.hook, event.handler});
            spans.append(span);
        } else if (event.kind == u"handler.end"_s) {
            const std::optional<int> weight = resolver.facts(event).weight;
            QList<OpenSpan> &open = openByThread[event.thread];
            const auto it = std::find_if(open.rbegin(), open.rend(), [&](const OpenSpan &o) {
                return o.hook == event.hook && o.handler == event.handler;
            });
            if (it == open.rend()) {
                // Skipped handlers end without beginning: a span of no length.
                TraceSpan span;
                span.hook = event.hook;
                span.handler = event.handler;
                span.weight = weight;
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
        } else if (event.kind == u"handler.added"_s) {
            resolver.facts(event);
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

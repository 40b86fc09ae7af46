// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "mortartest.h"
#include <mortar/app.h>
#include <mortar/tracespans.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <stdexcept>

using namespace Qt::StringLiterals;
using Mortar::App;
using Mortar::TraceEvent;

namespace {
// A close worth looking at: a quick handler, a failing one, a slow asynchronous one.
QList<TraceEvent> closeTrace()
{
    App app({.label = u"spans"_s});
    app.hooks().add(u"pre_close"_s, [] {}, {.weight = -10, .name = u"quick"_s});
    app.hooks().add(u"pre_close"_s, [] { throw std::runtime_error("disk full"); },
                    {.weight = 5, .name = u"failing"_s});
    app.hooks().add(u"pre_close"_s,
                    [](Mortar::HookContext &context) {
                        QTimer::singleShot(
                                30, [d = std::make_shared<Mortar::Deferral>(context.defer())] {
                                    d->complete();
                                });
                    },
                    {.weight = 10, .name = u"slow flush"_s});
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"'failing' .* disk full"_s));
    app.close();
    return app.trace().events();
}

const Mortar::TraceSpan *spanNamed(const QList<Mortar::TraceSpan> &spans, const QString &name)
{
    const auto it = std::find_if(spans.begin(), spans.end(),
                                 [&](const Mortar::TraceSpan &s) { return s.handler == name; });
    return it == spans.end() ? nullptr : &*it;
}
} // namespace

class tst_TraceSpans : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void spansOfAClose()
    {
        const QList<Mortar::TraceSpan> spans = Mortar::traceSpans(closeTrace());
        QStringList names;
        for (const auto &span : spans)
            names << span.handler;
        QCOMPARE(names,
                 (QStringList{u"quick"_s, u"App::preClose()"_s, u"failing"_s, u"slow flush"_s,
                              u"App::postClose()"_s}));

        const auto *quick = spanNamed(spans, u"quick"_s);
        QVERIFY(quick && quick->finished);
        QCOMPARE(quick->status, u"ok"_s);
        QCOMPARE(quick->weight, std::optional<int>(-10));
        QCOMPARE(quick->owner, u"spans"_s);
        QVERIFY(quick->source.startsWith(u"tst_tracespans.cpp:"_s));

        const auto *failing = spanNamed(spans, u"failing"_s);
        QCOMPARE(failing->status, u"failed"_s);
        QCOMPARE(failing->error, u"disk full"_s);

        const auto *slow = spanNamed(spans, u"slow flush"_s);
        QVERIFY(slow->deferred);
        QVERIFY(slow->finished);
        QCOMPARE(slow->status, u"ok"_s);
        QVERIFY(slow->endNs > slow->returnNs);
        QVERIFY(slow->durationNs() >= 25'000'000);
    }

    void handlersThatNeverEndedRunToTheEndOfTheTrace()
    {
        QList<TraceEvent> events;
        const auto add = [&](const QString &kind, const QString &handler, qint64 t) {
            TraceEvent event;
            event.seq = events.size();
            event.t = t;
            event.thread = 1;
            event.kind = kind;
            event.hook = u"pre_close"_s;
            event.handler = handler;
            if (kind == u"handler.end"_s)
                event.status = u"ok"_s;
            events.append(event);
        };
        add(u"handler.begin"_s, u"fine"_s, 100);
        add(u"handler.end"_s, u"fine"_s, 200);
        add(u"handler.begin"_s, u"hangs"_s, 200);
        TraceEvent killed;
        killed.seq = events.size();
        killed.t = 5'000'000'200;
        killed.kind = u"process.killed"_s;
        events.append(killed);

        const QList<Mortar::TraceSpan> spans = Mortar::traceSpans(events);
        QCOMPARE(spans.size(), 2);
        QVERIFY(spans[0].finished);
        QCOMPARE(spans[0].durationNs(), 100);
        QVERIFY(!spans[1].finished);
        QVERIFY(spans[1].status.isEmpty());
        QCOMPARE(spans[1].endNs, 5'000'000'200);
    }

    void chromeTraceHasACompleteEventPerHandler()
    {
        const QList<TraceEvent> events = closeTrace();
        const QJsonDocument document = Mortar::chromeTrace(events, 4242, u"spans"_s);
        const QJsonArray traceEvents = document.object().value(u"traceEvents"_s).toArray();
        QHash<QString, QJsonObject> complete;
        bool asyncLaneNamed = false;
        for (const QJsonValue &value : traceEvents) {
            const QJsonObject event = value.toObject();
            QCOMPARE(event.value(u"pid"_s).toInteger(), 4242);
            if (event.value(u"ph"_s).toString() == u"X"_s)
                complete.insert(event.value(u"name"_s).toString(), event);
            if (event.value(u"ph"_s).toString() == u"M"_s
                && event.value(u"args"_s).toObject().value(u"name"_s).toString().contains(
                        u"asynchronous"_s))
                asyncLaneNamed = true;
        }
        for (const QString &name : {u"quick"_s, u"failing"_s, u"slow flush"_s, u"App::preClose()"_s,
                                    u"pre_close"_s, u"post_close"_s}) {
            QVERIFY2(complete.contains(name), qPrintable(name));
        }
        QCOMPARE(complete[u"failing"_s].value(u"args"_s).toObject().value(u"error"_s).toString(),
                 u"disk full"_s);
        QCOMPARE(complete[u"failing"_s].value(u"cat"_s).toString(), u"handler"_s);
        // The asynchronous part: its own lane, about as long as the timer.
        const QJsonObject async = complete.value(u"slow flush (async)"_s);
        QVERIFY(!async.isEmpty());
        QVERIFY(async.value(u"dur"_s).toDouble() >= 25'000); // µs
        QVERIFY(async.value(u"tid"_s).toInt() != complete[u"slow flush"_s].value(u"tid"_s).toInt());
        QVERIFY(asyncLaneNamed);
        // Microseconds: the hook lasts at least the 30 ms timer.
        QVERIFY(complete[u"pre_close"_s].value(u"dur"_s).toDouble() >= 25'000);
        // The whole close is one slice, and an arrow leads from the call to its async part.
        QVERIFY(complete.contains(u"close"_s));
        QVERIFY(complete[u"close"_s].value(u"dur"_s).toDouble()
                >= complete[u"pre_close"_s].value(u"dur"_s).toDouble());
        int flowStarts = 0, flowEnds = 0;
        for (const QJsonValue &value : traceEvents) {
            const QString phase = value.toObject().value(u"ph"_s).toString();
            flowStarts += phase == u"s"_s;
            flowEnds += phase == u"f"_s;
        }
        QCOMPARE(flowStarts, 1);
        QCOMPARE(flowEnds, 1);
    }

    void chromeTraceNeverNestsOverlappingAsyncPartsFalsely()
    {
        // Two handlers of one level defer; their asynchronous parts overlap (the second starts
        // before the first ends, and ends after it). On one track they would look nested.
        QList<TraceEvent> events;
        const auto add = [&](const QString &kind, const QString &handler, qint64 t,
                             const QString &status = {}, std::optional<qint64> duration = {},
                             bool deferred = false) {
            TraceEvent event;
            event.seq = events.size();
            event.t = t;
            event.thread = 1;
            event.kind = kind;
            event.hook = u"pre_close"_s;
            event.handler = handler;
            event.status = status;
            event.durationNs = duration;
            if (deferred)
                event.extra.insert(u"deferred"_s, true);
            events.append(event);
        };
        add(u"handler.begin"_s, u"a"_s, 0);
        add(u"handler.end"_s, u"a"_s, 10, u"ok"_s, 10, true);
        add(u"handler.begin"_s, u"b"_s, 10);
        add(u"handler.end"_s, u"b"_s, 20, u"ok"_s, 10, true);
        add(u"deferral.end"_s, u"a"_s, 1'000, u"ok"_s, 1'000);
        add(u"deferral.end"_s, u"b"_s, 2'000, u"ok"_s, 1'990);
        const QJsonArray traceEvents =
                Mortar::chromeTrace(events).object().value(u"traceEvents"_s).toArray();
        QHash<QString, int> trackOf;
        for (const QJsonValue &value : traceEvents) {
            const QJsonObject event = value.toObject();
            if (event.value(u"ph"_s).toString() == u"X"_s)
                trackOf.insert(event.value(u"name"_s).toString(), event.value(u"tid"_s).toInt());
        }
        QVERIFY(trackOf.contains(u"a (async)"_s) && trackOf.contains(u"b (async)"_s));
        QVERIFY(trackOf[u"a (async)"_s] != trackOf[u"b (async)"_s]);
        QVERIFY(trackOf[u"a (async)"_s] != trackOf[u"a"_s]);
    }

    void handlerFactsComeFromTheirRegistration()
    {
        // A file names a handler's owner and source once, on its handler.added; its begin
        // names it by hook, handler and weight, its end by hook and handler (an end without a
        // begin, the skipped one, keeps its weight). Older files wrote them on every begin.
        QList<TraceEvent> events;
        const auto add = [&](const QString &kind, const QString &handler, std::optional<int> weight,
                             const QString &owner = {}, const QString &source = {}) {
            TraceEvent e;
            e.seq = events.size();
            e.t = 100 * e.seq;
            e.thread = 1;
            e.kind = kind;
            e.hook = u"pre_close"_s;
            e.handler = handler;
            e.weight = weight;
            e.owner = owner;
            e.source = source;
            if (kind == u"handler.end"_s)
                e.status = weight ? u"skipped"_s : u"ok"_s;
            events.append(e);
        };
        add(u"handler.added"_s, u"flush"_s, 5, u"plugin:shop"_s, u"shop.cpp:12"_s);
        add(u"handler.added"_s, u"flush"_s, 9, u"plugin:cache"_s, u"cache.cpp:40"_s);
        add(u"handler.added"_s, u"gone"_s, 7, u"plugin:shop"_s, u"shop.cpp:30"_s);
        add(u"handler.begin"_s, u"flush"_s, 5);
        add(u"handler.end"_s, u"flush"_s, std::nullopt);
        add(u"handler.end"_s, u"gone"_s, 7); // skipped: no begin
        add(u"handler.begin"_s, u"flush"_s, 9);
        add(u"handler.end"_s, u"flush"_s, std::nullopt);
        add(u"handler.begin"_s, u"old"_s, 1, u"app"_s, u"main.cpp:3"_s); // an older file's
        add(u"handler.end"_s, u"old"_s, 1);
        events[events.size() - 1].status = u"ok"_s;

        const QList<Mortar::TraceSpan> spans = Mortar::traceSpans(events);
        QCOMPARE(spans.size(), 4);
        QCOMPARE(spans[0].owner, u"plugin:shop"_s);
        QCOMPARE(spans[0].source, u"shop.cpp:12"_s);
        QCOMPARE(spans[0].weight, std::optional<int>(5));
        QCOMPARE(spans[0].status, u"ok"_s);
        QCOMPARE(spans[1].handler, u"gone"_s);
        QCOMPARE(spans[1].weight, std::optional<int>(7));
        QCOMPARE(spans[1].status, u"skipped"_s);
        QCOMPARE(spans[2].owner, u"plugin:cache"_s); // same name, told apart by its weight
        QCOMPARE(spans[2].source, u"cache.cpp:40"_s);
        QCOMPARE(spans[2].weight, std::optional<int>(9));
        QCOMPARE(spans[3].owner, u"app"_s);
        QCOMPARE(spans[3].source, u"main.cpp:3"_s);

        // The resolver completes the events themselves: as older files wrote them.
        Mortar::TraceHandlerResolver resolver;
        for (TraceEvent &event : events)
            resolver.resolve(event);
        QCOMPARE(events[3].owner, u"plugin:shop"_s);
        QCOMPARE(events[3].source, u"shop.cpp:12"_s);
        QCOMPARE(events[4].weight, std::optional<int>(5));
        QVERIFY(events[4].owner.isEmpty()); // an end names no owner, as before
        QCOMPARE(events[6].owner, u"plugin:cache"_s);
        QCOMPARE(events[7].weight, std::optional<int>(9));
        QCOMPARE(events[8].owner, u"app"_s);
    }

    void spansOfAFileWithoutOwnersOnBegins()
    {
        // A real trace file: its handler.begin lines carry no owner or source, its ok
        // handler.end lines no weight; the spans read from it have them all.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"trace.jsonl"_s);
        {
            App app({.label = u"spans"_s, .traceFile = path});
            app.hooks().add(u"pre_close"_s, [] {}, {.weight = -10, .name = u"quick"_s});
            app.close();
        }
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QList<TraceEvent> events;
        bool sawBegin = false;
        while (!file.atEnd()) {
            const QJsonObject object = QJsonDocument::fromJson(file.readLine()).object();
            if (object.contains(u"format"_s))
                continue;
            const TraceEvent event = TraceEvent::fromJson(object);
            if (event.handler == u"quick"_s && event.kind == u"handler.begin"_s) {
                sawBegin = true;
                QVERIFY(!object.contains(u"owner"_s) && !object.contains(u"source"_s));
                QCOMPARE(object.value(u"weight"_s).toInt(), -10);
            }
            if (event.handler == u"quick"_s && event.kind == u"handler.end"_s)
                QVERIFY(!object.contains(u"weight"_s));
            events.append(event);
        }
        QVERIFY(sawBegin);
        const QList<Mortar::TraceSpan> spans = Mortar::traceSpans(events);
        const auto *quick = spanNamed(spans, u"quick"_s);
        QVERIFY(quick);
        QCOMPARE(quick->owner, u"spans"_s);
        QVERIFY(quick->source.startsWith(u"tst_tracespans.cpp:"_s));
        QCOMPARE(quick->weight, std::optional<int>(-10));
    }

    void handlersAlikeButForTheirOwnerAreToldApart()
    {
        // Two plugins' handlers of one hook with one name and weight: a begin naming them by
        // hook, name and weight could be either, so once the second is registered their begins
        // carry their owner and source — in the file and in memory alike.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"trace.jsonl"_s);
        QList<TraceEvent> inMemory;
        {
            App app({.label = u"spans"_s, .traceFile = path});
            {
                const Mortar::HookRegistry::OwnerScope scope(app.hooks(), u"plugin:a"_s);
                app.hooks().add(u"pre_close"_s, [] {}, {.name = u"flush"_s});
            }
            app.hooks().run(u"pre_close"_s); // before the second: no namesake yet
            {
                const Mortar::HookRegistry::OwnerScope scope(app.hooks(), u"plugin:b"_s);
                app.hooks().add(u"pre_close"_s, [] {}, {.name = u"flush"_s});
            }
            app.close();
            inMemory = app.trace().events();
        }
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QList<TraceEvent> fromFile;
        while (!file.atEnd()) {
            const QJsonObject object = QJsonDocument::fromJson(file.readLine()).object();
            if (!object.contains(u"format"_s))
                fromFile.append(TraceEvent::fromJson(object));
        }
        for (const QList<TraceEvent> *events : {&fromFile, &inMemory}) {
            QStringList owners;
            for (const Mortar::TraceSpan &span : Mortar::traceSpans(*events)) {
                if (span.handler == u"flush"_s)
                    owners.append(span.owner);
            }
            // The run before the second registration, then the close's two, in run order.
            QCOMPARE(owners, (QStringList{u"plugin:a"_s, u"plugin:a"_s, u"plugin:b"_s}));
        }
        QCOMPARE(fromFile.size(), inMemory.size());
        for (qsizetype i = 0; i < fromFile.size(); ++i)
            QCOMPARE(fromFile[i].toJson(), inMemory[i].toJson());
    }
};

MORTAR_TEST_MAIN(tst_TraceSpans)
#include "tst_tracespans.moc"

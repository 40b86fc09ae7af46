// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "mortartest.h"
#include <mortar/app.h>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <stdexcept>

using namespace Qt::StringLiterals;
using Mortar::App;
using Mortar::TraceEvent;

namespace {
QStringList kindsOf(const QList<TraceEvent> &events)
{
    QStringList kinds;
    for (const TraceEvent &event : events)
        kinds << (event.hook.isEmpty() ? event.kind : event.kind + u' ' + event.hook);
    return kinds;
}

QList<QJsonObject> readTraceFile(const QString &path, QJsonObject *header)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QJsonObject> objects;
    bool first = true;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError) {
            qWarning() << "unparsable trace line:" << line << error.errorString();
            return {};
        }
        if (first && header)
            *header = document.object();
        else
            objects.append(document.object());
        first = false;
    }
    return objects;
}
} // namespace

class tst_Trace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void closeIsRecordedStepByStep()
    {
        App app({.label = u"test"_s});
        app.hooks().add(u"pre_close"_s, [] {}, {.weight = -5, .name = u"flush"_s});
        app.close();
        const QList<TraceEvent> events = app.trace().events();
        const QStringList kinds = kindsOf(events);
        const QStringList expected = {u"state"_s,
                                      u"close.begin"_s,
                                      u"hook.begin pre_close"_s,
                                      u"handler.begin pre_close"_s,
                                      u"handler.end pre_close"_s,
                                      u"handler.begin pre_close"_s,
                                      u"handler.end pre_close"_s,
                                      u"hook.end pre_close"_s,
                                      u"hook.begin post_close"_s,
                                      u"handler.begin post_close"_s,
                                      u"handler.end post_close"_s,
                                      u"hook.end post_close"_s,
                                      u"state"_s,
                                      u"close.end"_s};
        QCOMPARE(kinds.mid(kinds.indexOf(u"close.begin"_s) - 1), expected);

        const auto flush = std::find_if(events.begin(), events.end(), [](const TraceEvent &e) {
            return e.kind == u"handler.end"_s && e.handler == u"flush"_s;
        });
        QVERIFY(flush != events.end());
        QCOMPARE(flush->hook, u"pre_close"_s);
        QCOMPARE(flush->status, u"ok"_s);
        QVERIFY(flush->durationNs.has_value());
        // A handler's registration facts are told once, by its handler.added: the begin
        // names it by hook, handler and weight, the end by hook and handler.
        QVERIFY(!flush->weight);
        QVERIFY(flush->owner.isEmpty());
        const auto begin = std::prev(flush);
        QCOMPARE(begin->kind, u"handler.begin"_s);
        QCOMPARE(begin->handler, u"flush"_s);
        QCOMPARE(begin->weight, std::optional<int>(-5));
        QVERIFY(begin->owner.isEmpty() && begin->source.isEmpty());
        const auto added = std::find_if(events.begin(), events.end(), [](const TraceEvent &e) {
            return e.kind == u"handler.added"_s && e.handler == u"flush"_s;
        });
        QVERIFY(added != events.end() && added < begin);
        QCOMPARE(added->weight, std::optional<int>(-5));
        QCOMPARE(added->owner, u"test"_s);
        QVERIFY(added->source.startsWith(u"tst_trace.cpp:"_s));
    }

    void seqHasNoGapsAndTimeNeverGoesBack()
    {
        App app({.label = u"test"_s});
        for (int i = 0; i < 50; ++i)
            app.hooks().add(u"pre_close"_s, [&app, i] { app.log().info(u"handler %1"_s.arg(i)); });
        app.exec([] {});
        const QList<TraceEvent> events = app.trace().events();
        QVERIFY(events.size() > 150);
        for (qsizetype i = 0; i < events.size(); ++i) {
            QCOMPARE(events[i].seq, i);
            if (i > 0)
                QVERIFY2(events[i].t >= events[i - 1].t, qPrintable(u"seq %1"_s.arg(i)));
            QCOMPARE(events[i].thread, events[0].thread);
        }
        // A handler's log line comes between its begin and its end.
        const QStringList kinds = kindsOf(events);
        const qsizetype log = kinds.indexOf(u"log"_s);
        QCOMPARE(kinds.at(log - 1), u"handler.begin pre_close"_s);
        QCOMPARE(kinds.at(log + 1), u"handler.end pre_close"_s);
    }

    void failuresAndRefusalsAreRecorded()
    {
        App app({.label = u"test"_s});
        app.hooks().add(u"pre_close"_s, [] { throw std::runtime_error("disk \"full\""); },
                        {.name = u"writer"_s});
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"hook 'nope' is not defined"_s));
        app.hooks().add(u"nope"_s, [] {}, {.name = u"orphan"_s});
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"failed: disk"_s));
        app.close();
        const QList<TraceEvent> events = app.trace().events();
        const auto failed = std::find_if(events.begin(), events.end(), [](const TraceEvent &e) {
            return e.kind == u"handler.end"_s && e.handler == u"writer"_s;
        });
        QVERIFY(failed != events.end());
        QCOMPARE(failed->status, u"failed"_s);
        QCOMPARE(failed->error, u"disk \"full\""_s);
        const auto refused = std::find_if(events.begin(), events.end(), [](const TraceEvent &e) {
            return e.kind == u"handler.refused"_s;
        });
        QVERIFY(refused != events.end());
        QCOMPARE(refused->handler, u"orphan"_s);
        QCOMPARE(refused->hook, u"nope"_s);
    }

    void jsonLineIsTheJsonObject_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addRow("plain") << u"hello"_s;
        QTest::addRow("quotes-and-backslash") << u"say \"hi\" \\ bye"_s;
        QTest::addRow("control") << u"line\nnext\ttab\r\x01\x1f"_s;
        QTest::addRow("unicode") << u"café ✓ 😀"_s;
    }
    void jsonLineIsTheJsonObject()
    {
        QFETCH(QString, message);
        TraceEvent event;
        event.seq = 7;
        event.t = 123456789012;
        event.thread = 2;
        event.kind = u"log"_s;
        event.hook = u"pre_close"_s;
        event.handler = message;
        event.weight = -3;
        event.status = u"failed"_s;
        event.error = message;
        event.durationNs = 99;
        event.message = message;
        event.code = 0;
        event.extra.insert(u"level"_s, u"info"_s);
        event.extra.insert(u"deferred"_s, true);
        event.extra.insert(u"ratio"_s, 0.25);
        const QByteArray line = event.toJsonLine();
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        QJsonParseError error;
        const QJsonDocument parsed = QJsonDocument::fromJson(line, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(parsed.object(), event.toJson());
        QCOMPARE(TraceEvent::fromJson(parsed.object()).toJson(), event.toJson());
    }

    void traceFileHoldsEveryEvent()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"run.jsonl"_s);
        App app({.label = u"filetest"_s, .traceFile = path});
        app.hooks().add(u"pre_close"_s, [&app] { app.log().warning(u"removing \"x\""_s); });
        // Every shape of handler event the file sink writes: failed with an error to escape,
        // deferred (handler.end, then deferral.end), and a plain one of another weight.
        app.hooks().add(u"pre_close"_s, [] { throw std::runtime_error("disk \"full\"\n\tnow"); },
                        {.name = u"fails \"quoted\""_s});
        app.hooks().add(u"pre_close"_s, [](Mortar::HookContext &c) { c.defer().complete(); },
                        {.weight = 5});
        // Skipped: removed by an earlier handler of the run, an end without a begin.
        Mortar::HandlerId removedMidway;
        app.hooks().add(u"pre_close"_s,
                        [&app, &removedMidway] { app.hooks().remove(removedMidway); },
                        {.weight = 7, .name = u"remover"_s});
        removedMidway = app.hooks().add(u"pre_close"_s, [] {}, {.weight = 9, .name = u"removed"_s});
        QVERIFY(app.setup());
        app.hooks().run(u"pre_run"_s);
        // Flushed at every hook end: the file already has pre_run's end, before any close.
        QJsonObject header;
        QList<QJsonObject> lines = readTraceFile(path, &header);
        QVERIFY(!lines.isEmpty());
        QCOMPARE(lines.last().value(u"kind"_s).toString(), u"hook.end"_s);
        QCOMPARE(lines.last().value(u"hook"_s).toString(), u"pre_run"_s);

        QTest::ignoreMessage(QtWarningMsg, "removing \"x\"");
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"fails .*disk"_s));
        app.close();
        lines = readTraceFile(path, &header);
        QVERIFY(std::any_of(lines.cbegin(), lines.cend(), [](const QJsonObject &line) {
            return line.value(u"error"_s).toString() == u"disk \"full\"\n\tnow"_s;
        }));
        QVERIFY(std::any_of(lines.cbegin(), lines.cend(), [](const QJsonObject &line) {
            return line.value(u"deferred"_s).toBool();
        }));
        // A handler's end keeps its weight when it is not ok (it may have no begin).
        QVERIFY(std::any_of(lines.cbegin(), lines.cend(), [](const QJsonObject &line) {
            return line.value(u"kind"_s) == u"handler.end"_s
                    && line.value(u"status"_s) == u"skipped"_s
                    && line.value(u"handler"_s) == u"removed"_s && line.value(u"weight"_s) == 9;
        }));
        for (const QJsonObject &line : lines) {
            if (line.value(u"kind"_s) == u"handler.end"_s && line.value(u"status"_s) == u"ok"_s)
                QVERIFY(!line.contains(u"weight"_s));
            if (line.value(u"kind"_s) == u"handler.begin"_s)
                QVERIFY(line.contains(u"weight"_s) && !line.contains(u"owner"_s));
        }
        QCOMPARE(header.value(u"format"_s).toString(), u"mortar-trace"_s);
        QCOMPARE(header.value(u"version"_s).toInt(), 1);
        QCOMPARE(header.value(u"label"_s).toString(), u"filetest"_s);
        QCOMPARE(header.value(u"pid"_s).toInteger(), QCoreApplication::applicationPid());
        const QList<TraceEvent> events = app.trace().events();
        QCOMPARE(lines.size(), events.size());
        for (qsizetype i = 0; i < events.size(); ++i)
            QCOMPARE(lines[i], events[i].toJson());
        QCOMPARE(lines.last().value(u"kind"_s).toString(), u"close.end"_s);
    }

    void batchedHandlerEventsReadAsRecorded()
    {
        // Without a live consumer, a hook run's handler events are batched, a handler's begin
        // and end kept as one record: events(), and a trace file opened afterwards (which
        // writes what was recorded before), must still show every event, in order.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        App app({.label = u"batchtest"_s});
        for (int i = 0; i < 300; ++i)
            app.hooks().add(u"pre_close"_s, [] {});
        app.hooks().add(u"pre_close"_s, [&app] { app.log().info(u"in between"_s); },
                        {.name = u"logs"_s});
        app.hooks().add(u"pre_close"_s, [] { throw std::runtime_error("broken"); },
                        {.name = u"fails"_s});
        app.hooks().add(u"pre_close"_s, [](Mortar::HookContext &c) { c.defer().complete(); },
                        {.weight = 5, .name = u"defers"_s});
        const qsizetype before = app.trace().size();
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"'fails'.*broken"_s));
        app.hooks().run(u"pre_close"_s);
        const QList<TraceEvent> events = app.trace().events();
        // 304 handlers: begin and end each, a log line and the framework's warning about
        // 'fails' (a log event too), a deferral's begin and end, the hook's.
        QCOMPARE(events.size() - before, 2 * 304 + 2 + 2 + 2);
        for (qsizetype i = 1; i < events.size(); ++i) {
            QCOMPARE(events[i].seq, events[i - 1].seq + 1);
            QVERIFY2(events[i].t >= events[i - 1].t,
                     qPrintable(u"%1 at %2 after %3 at %4"_s.arg(events[i].kind)
                                        .arg(events[i].t)
                                        .arg(events[i - 1].kind)
                                        .arg(events[i - 1].t)));
        }
        const QStringList kinds = kindsOf(events.mid(before));
        QCOMPARE(kinds.first(), u"hook.begin pre_close"_s);
        for (qsizetype i = 1; i < 2 * 300; i += 2) {
            QCOMPARE(kinds.at(i), u"handler.begin pre_close"_s);
            QCOMPARE(kinds.at(i + 1), u"handler.end pre_close"_s);
            const TraceEvent &begin = events.at(before + i);
            const TraceEvent &end = events.at(before + i + 1);
            QCOMPARE(end.handler, begin.handler);
            QCOMPARE(end.t, begin.t + *end.durationNs);
            QCOMPARE(end.status, u"ok"_s);
        }
        const qsizetype log = kinds.indexOf(u"log"_s);
        QCOMPARE(events.at(before + log - 1).handler, u"logs"_s);
        QCOMPARE(events.at(before + log + 1).handler, u"logs"_s);
        const auto failed = std::find_if(events.cbegin(), events.cend(), [](const TraceEvent &e) {
            return e.kind == u"handler.end"_s && e.handler == u"fails"_s;
        });
        QVERIFY(failed != events.cend());
        QCOMPARE(failed->status, u"failed"_s);
        QCOMPARE(failed->error, u"broken"_s);

        const QString path = dir.filePath(u"later.jsonl"_s);
        QVERIFY(app.trace().openFile(path));
        const QList<TraceEvent> now = app.trace().events();
        QJsonObject header;
        const QList<QJsonObject> lines = readTraceFile(path, &header);
        QCOMPARE(header.value(u"label"_s).toString(), u"batchtest"_s);
        QCOMPARE(lines.size(), now.size());
        for (qsizetype i = 0; i < now.size(); ++i)
            QCOMPARE(lines[i], now[i].toJson());
    }

    void timeIsTheMonotonicClock()
    {
        // t may be read from the CPU's counter: it must still run at the monotonic clock's
        // rate (QElapsedTimer is CLOCK_MONOTONIC), within a thread never going back.
        App app({.label = u"test"_s});
        QElapsedTimer timer;
        timer.start();
        const qint64 start = app.trace().now();
        const qint64 startedBy = timer.nsecsElapsed(); // start was read within [0, startedBy]
        qint64 last = start;
        while (timer.nsecsElapsed() < 60'000'000) {
            const qint64 t = app.trace().now();
            QVERIFY(t >= last);
            last = t;
        }
        const qint64 endAfter = timer.nsecsElapsed();
        const qint64 end = app.trace().now();
        const qint64 endBy = timer.nsecsElapsed(); // end was read within [endAfter, endBy]
        // Bracketed by the monotonic clock's readings, so a preemption cannot fail it; the
        // margin is far more than a TSC rate error over 60 ms (nanoseconds).
        const qint64 traced = end - start;
        QVERIFY2(traced >= endAfter - startedBy - 50'000 && traced <= endBy + 50'000,
                 qPrintable(u"trace %1 ns, monotonic clock %2..%3 ns"_s.arg(traced)
                                    .arg(endAfter - startedBy)
                                    .arg(endBy)));
    }

    void traceFileFromTheEnvironment()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"env.jsonl"_s);
        qputenv("MORTAR_TRACE", path.toLocal8Bit());
        auto restore = qScopeGuard([] { qunsetenv("MORTAR_TRACE"); });
        {
            App app({.label = u"envtest"_s});
            QCOMPARE(app.trace().fileName(), path);
            app.close();
        }
        QJsonObject header;
        const QList<QJsonObject> lines = readTraceFile(path, &header);
        QCOMPARE(header.value(u"label"_s).toString(), u"envtest"_s);
        QCOMPARE(lines.last().value(u"kind"_s).toString(), u"close.end"_s);
    }

    void unwritableTraceFileFailsSetup()
    {
        App app({.label = u"test"_s, .traceFile = u"/nonexistent-dir/x/trace.jsonl"_s});
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"Unable to open the trace file"_s));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY(result.errorString().contains(u"/nonexistent-dir/x/trace.jsonl"_s));
        QCOMPARE(app.exitCode(), 78);
    }

    void capacityDropsOldLogsFirst()
    {
        App app({.label = u"test"_s});
        app.trace().setCapacity(200);
        QLoggingCategory::setFilterRules(u"test.info=false"_s);
        auto restore = qScopeGuard([] { QLoggingCategory::setFilterRules(QString()); });
        for (int i = 0; i < 1000; ++i)
            app.log().info(u"message %1"_s.arg(i));
        app.close();
        const QList<TraceEvent> events = app.trace().events();
        QVERIFY2(events.size() <= 200, qPrintable(QString::number(events.size())));
        QVERIFY(app.trace().droppedCount() >= 800);
        QStringList logs;
        for (const TraceEvent &event : events) {
            if (event.kind == u"log"_s)
                logs << event.message;
        }
        QVERIFY(!logs.isEmpty());
        QCOMPARE(logs.last(), u"message 999"_s); // the newest are kept
        QVERIFY(!logs.contains(u"message 0"_s));
        const QStringList kinds = kindsOf(events);
        QVERIFY(kinds.contains(u"app.created"_s)); // lifecycle outline kept
        QVERIFY(kinds.contains(u"close.begin"_s));
        QVERIFY(kinds.contains(u"hook.end pre_close"_s));
    }

    void byteCapacityBoundsWhatIsLogged()
    {
        // Few events but large ones: the byte bound trims them, oldest log events first.
        App app({.label = u"test"_s});
        const qint64 bound = 256 * 1024;
        app.trace().setByteCapacity(bound);
        QCOMPARE(app.trace().byteCapacity(), bound);
        QLoggingCategory::setFilterRules(u"test.info=false"_s);
        auto restore = qScopeGuard([] { QLoggingCategory::setFilterRules(QString()); });
        const QString big(4000, u'x');
        for (int i = 0; i < 1000; ++i) // ~8 MB of messages
            app.log().info(u"message %1 "_s.arg(i) + big);
        app.close();
        QVERIFY2(app.trace().sizeInBytes() <= bound,
                 qPrintable(QString::number(app.trace().sizeInBytes())));
        QVERIFY(app.trace().droppedCount() > 900);
        const QList<TraceEvent> events = app.trace().events();
        QStringList logs;
        for (const TraceEvent &event : events) {
            if (event.kind == u"log"_s)
                logs << event.message.left(12);
        }
        QVERIFY(!logs.isEmpty());
        QCOMPARE(logs.last(), u"message 999 "_s);
        const QStringList kinds = kindsOf(events);
        QVERIFY(kinds.contains(u"app.created"_s));
        QVERIFY(kinds.contains(u"hook.end pre_close"_s));
    }

    void handlerEventsCostAtMost48Bytes()
    {
        App app({.label = u"test"_s});
        for (int i = 0; i < 1000; ++i)
            app.hooks().add(u"pre_close"_s, [] {});
        const qint64 before = app.trace().sizeInBytes();
        const qsizetype eventsBefore = app.trace().size();
        app.hooks().run(u"pre_close"_s);
        const qint64 perEvent =
                (app.trace().sizeInBytes() - before) / (app.trace().size() - eventsBefore);
        QVERIFY2(perEvent <= 48, qPrintable(QString::number(perEvent)));
    }

    void capacityBoundsHandlerEventsToo()
    {
        App app({.label = u"test"_s});
        app.trace().setCapacity(100);
        for (int i = 0; i < 1000; ++i)
            app.hooks().add(u"pre_close"_s, [] {});
        app.close();
        QVERIFY2(app.trace().size() <= 100, qPrintable(QString::number(app.trace().size())));
        const QStringList kinds = kindsOf(app.trace().events());
        QVERIFY(kinds.contains(u"close.end"_s));
        QVERIFY(kinds.contains(u"state"_s));
    }

    void disabledTraceRecordsNothing()
    {
        App app({.label = u"test"_s});
        const qsizetype before = app.trace().size();
        app.trace().setEnabled(false);
        app.hooks().add(u"pre_close"_s, [] {});
        const Mortar::HookRun run = app.hooks().run(u"pre_close"_s);
        QCOMPARE(app.trace().size(), before);
        QCOMPARE(run.results().first().durationNs, 0);
        app.trace().setEnabled(true);
        app.hooks().run(u"pre_close"_s);
        QVERIFY(app.trace().size() > before);
    }

    void eventRecordedStreamsLive()
    {
        App app({.label = u"test"_s});
        QSignalSpy spy(&app.trace(), &Mortar::Trace::eventRecorded);
        QVERIFY(spy.isValid());
        app.hooks().add(u"pre_close"_s, [] {}, {.name = u"live"_s});
        spy.clear(); // the handler.added just recorded is not in the slice compared below
        const qsizetype before = app.trace().size();
        app.close();
        const QList<TraceEvent> events = app.trace().events().mid(before);
        QCOMPARE(spy.count(), events.size());
        for (qsizetype i = 0; i < events.size(); ++i)
            QCOMPARE(spy.at(i).at(0).value<TraceEvent>().toJson(), events[i].toJson());
    }

    void applicationsCanRecordTheirOwnSteps()
    {
        App app({.label = u"test"_s});
        TraceEvent event;
        event.kind = u"cache.flushed"_s;
        event.message = u"42 entries"_s;
        app.trace().record(event);
        const TraceEvent last = app.trace().events().last();
        QCOMPARE(last.kind, u"cache.flushed"_s);
        QCOMPARE(last.message, u"42 entries"_s);
        QVERIFY(last.t > 0);
    }
};

MORTAR_TEST_MAIN(tst_Trace)
#include "tst_trace.moc"

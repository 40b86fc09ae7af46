// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Weight levels are barriers (SPEC §4.5), deferral outcomes are recorded when they settle, and
// the close says what it waits for (§4.8).
#include "mortartest.h"
#include <mortar/app.h>

#include <QElapsedTimer>
#include <QEventLoop>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <memory>
#include <optional>
#include <stdexcept>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Mortar::App;
using Mortar::HookContext;
using Status = Mortar::HandlerResult::Status;

namespace {
Mortar::AppOptions options()
{
    return {.label = u"test"_s};
}

/*! The first event of \a kind for \a handler, or nullopt. */
std::optional<Mortar::TraceEvent> eventOf(App &app, const QString &kind, const QString &handler)
{
    const auto events = app.trace().events();
    for (const Mortar::TraceEvent &event : events) {
        if (event.kind == kind && event.handler == handler)
            return event;
    }
    return std::nullopt;
}

/*! A handler that defers and completes after \a ms from a timer; appends to \a log when it
    returns and when its work is done. */
auto deferFor(int ms, QStringList *log, const QString &name)
{
    return [ms, log, name](HookContext &context) {
        auto deferral = std::make_shared<Mortar::Deferral>(context.defer());
        QTimer::singleShot(ms, [deferral, log, name] {
            *log << name + u" done"_s;
            deferral->complete();
        });
        *log << name + u" returned"_s;
    };
}
} // namespace

class tst_HookLevels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void higherWeightStartsAfterLowerWeightsWorkSettled()
    {
        QStringList log;
        App app(options());
        app.hooks().add(u"pre_close"_s, deferFor(150, &log, u"flush"_s),
                        {.weight = -10, .name = u"flush"_s});
        app.hooks().add(u"pre_close"_s, [&] { log << u"remove autosave"_s; },
                        {.weight = 10, .name = u"remove autosave"_s});
        app.close();
        QCOMPARE(log, (QStringList{u"flush returned"_s, u"flush done"_s, u"remove autosave"_s}));
        QCOMPARE(app.exitCode(), 0);
        const auto flushed = eventOf(app, u"deferral.end"_s, u"flush"_s);
        const auto removing = eventOf(app, u"handler.begin"_s, u"remove autosave"_s);
        QVERIFY(flushed && removing);
        QCOMPARE(flushed->status, u"ok"_s);
        QVERIFY(flushed->seq < removing->seq);
        QVERIFY(flushed->t <= removing->t);
        QVERIFY2(*flushed->durationNs >= 140'000'000,
                 qPrintable(QString::number(*flushed->durationNs)));
    }

    void equalWeightsOverlap()
    {
        QStringList log;
        App app(options());
        app.hooks().add(u"pre_close"_s, deferFor(300, &log, u"a"_s), {.name = u"a"_s});
        app.hooks().add(u"pre_close"_s, deferFor(300, &log, u"b"_s), {.name = u"b"_s});
        app.hooks().add(u"pre_close"_s, [&] { log << u"after"_s; }, {.weight = 1});
        QElapsedTimer timer;
        timer.start();
        app.close();
        const qint64 elapsed = timer.elapsed();
        QCOMPARE(log.mid(0, 2), (QStringList{u"a returned"_s, u"b returned"_s}));
        QCOMPARE(log.last(), u"after"_s);
        // Both ran at once: about 300 ms, not 600.
        QVERIFY2(elapsed < 550, qPrintable(QString::number(elapsed)));
        const auto bBegins = eventOf(app, u"handler.begin"_s, u"b"_s);
        const auto aEnds = eventOf(app, u"deferral.end"_s, u"a"_s);
        QVERIFY(bBegins && aEnds);
        QVERIFY(bBegins->seq < aEnds->seq);
    }

    void aTimedOutLevelLetsTheCloseGoOn()
    {
        std::optional<Mortar::Deferral> kept;
        QStringList log;
        App app(options());
        app.hooks().define(u"h"_s);
        app.hooks().add(u"h"_s, [&](HookContext &c) { kept.emplace(c.defer()); },
                        {.weight = -10, .name = u"stuck"_s, .timeout = 100ms});
        app.hooks().add(u"h"_s, [&] { log << u"later"_s; }, {.weight = 10});
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"'stuck' .* did not finish"_s));
        QElapsedTimer timer;
        timer.start();
        const Mortar::HookRun run = app.hooks().run(u"h"_s);
        QVERIFY(timer.elapsed() >= 90);
        QCOMPARE(log, QStringList{u"later"_s});
        QCOMPARE(run.results().at(0).status, Status::TimedOut);
        const auto end = eventOf(app, u"deferral.end"_s, u"stuck"_s);
        QVERIFY(end);
        QCOMPARE(end->status, u"timedOut"_s);
        // Settling it late changes nothing: it was recorded once, as timed out.
        kept->complete();
        int ends = 0;
        for (const auto &event : app.trace().events())
            ends += event.kind == u"deferral.end"_s;
        QCOMPARE(ends, 1);
    }

    void timersAndQueuedCallsWorkWhileALevelWaits()
    {
        App app(options());
        QObject receiver;
        int queued = 0;
        app.hooks().add(u"pre_close"_s, [&](HookContext &c) {
            auto deferral = std::make_shared<Mortar::Deferral>(c.defer());
            QMetaObject::invokeMethod(
                    &receiver,
                    [&, deferral] {
                        ++queued;
                        QTimer::singleShot(20, [deferral] { deferral->complete(); });
                    },
                    Qt::QueuedConnection);
        });
        app.close();
        QCOMPARE(queued, 1);
        QCOMPARE(app.exitCode(), 0);
    }

    void aSettledDeferralIsRecordedWhenItSettles()
    {
        // 'b' (same weight, so 'a' is still pending) runs its own nested loop for 600 ms; 'a'
        // completes after 100 ms inside it. Its outcome is recorded then, not when b returns.
        App app(options());
        QStringList log;
        app.hooks().add(u"pre_close"_s, deferFor(100, &log, u"a"_s), {.name = u"a"_s});
        app.hooks().add(u"pre_close"_s,
                        [] {
                            QEventLoop loop;
                            QTimer::singleShot(600, &loop, &QEventLoop::quit);
                            loop.exec();
                        },
                        {.name = u"b"_s});
        app.close();
        const auto aEnds = eventOf(app, u"deferral.end"_s, u"a"_s);
        const auto bEnds = eventOf(app, u"handler.end"_s, u"b"_s);
        QVERIFY(aEnds && bEnds);
        QCOMPARE(aEnds->status, u"ok"_s);
        QVERIFY(aEnds->seq < bEnds->seq);
        QVERIFY2(*aEnds->durationNs >= 90'000'000 && *aEnds->durationNs < 400'000'000,
                 qPrintable(QString::number(*aEnds->durationNs)));
        QCOMPARE(app.exitCode(), 0);
    }

    void aDeferralSettledInAnotherThreadIsRecordedThere()
    {
        App app(options());
        std::unique_ptr<QThread> worker;
        app.hooks().add(u"pre_close"_s,
                        [&](HookContext &c) {
                            worker.reset(QThread::create([deferral = c.defer()]() mutable {
                                QThread::msleep(50);
                                deferral.complete();
                            }));
                            worker->start();
                        },
                        {.name = u"threaded"_s});
        app.close();
        QVERIFY(worker->wait(5000));
        const auto end = eventOf(app, u"deferral.end"_s, u"threaded"_s);
        const auto begin = eventOf(app, u"handler.begin"_s, u"threaded"_s);
        QVERIFY(end && begin);
        QCOMPARE(end->status, u"ok"_s);
        QVERIFY(end->thread != begin->thread);
    }

    void aHandlerThatThrowsAfterDeferringFailsOnce()
    {
        App app(options());
        std::optional<Mortar::Deferral> kept;
        app.hooks().define(u"h"_s);
        app.hooks().add(u"h"_s,
                        [&](HookContext &c) {
                            kept.emplace(c.defer());
                            throw std::runtime_error("broke after deferring");
                        },
                        {.name = u"thrower"_s});
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"broke after deferring"_s));
        QElapsedTimer timer;
        timer.start();
        const Mortar::HookRun run = app.hooks().run(u"h"_s);
        QVERIFY(timer.elapsed() < 2000); // its deferral is not waited for
        QCOMPARE(run.results().at(0).status, Status::Failed);
        kept->complete();
        QVERIFY(!eventOf(app, u"deferral.end"_s, u"thrower"_s));
    }

    void pendingHandlersNameWhatTheCloseWaitsFor()
    {
        App app(options());
        QStringList log;
        QList<QStringList> changes;
        connect(&app, &App::pendingHandlersChanged, &app,
                [&](const QStringList &names) { changes.append(names); });
        QStringList seenInside;
        qint64 remainingInside = -1;
        app.hooks().add(u"pre_close"_s, deferFor(250, &log, u"flush a"_s),
                        {.weight = -10, .name = u"flush a"_s, .timeout = 3s});
        app.hooks().add(u"pre_close"_s,
                        [&](HookContext &c) {
                            auto deferral = std::make_shared<Mortar::Deferral>(c.defer());
                            QTimer::singleShot(100, [&, deferral] {
                                seenInside = app.pendingHandlers();
                                remainingInside = app.pendingDeadline(u"flush a"_s).remainingTime();
                                deferral->complete();
                            });
                        },
                        {.weight = -10, .name = u"flush b"_s});
        app.hooks().add(u"pre_close"_s, [] {}, {.weight = 10, .name = u"quick"_s});
        QVERIFY(app.pendingHandlers().isEmpty());
        app.close();
        QCOMPARE(seenInside, (QStringList{u"flush a"_s, u"flush b"_s}));
        QVERIFY2(remainingInside > 2000 && remainingInside <= 3000,
                 qPrintable(QString::number(remainingInside)));
        QCOMPARE(changes, (QList<QStringList>{{u"flush a"_s, u"flush b"_s}, {u"flush a"_s}, {}}));
        QVERIFY(app.pendingHandlers().isEmpty());
        QVERIFY(app.pendingDeadline().isForever());
    }

    void aContextHandlerInAWorkerThreadIsTracedWithThatThread()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        QThread worker;
        worker.start();
        auto cleanup = qScopeGuard([&] {
            worker.quit();
            worker.wait();
        });
        QObject context;
        context.moveToThread(&worker);
        app.hooks().add(u"h"_s, &context, [] {}, {.name = u"in worker"_s});
        app.hooks().add(u"h"_s, [] {}, {.name = u"in app"_s});
        QVERIFY(app.hooks().run(u"h"_s).ok());
        const auto workerBegin = eventOf(app, u"handler.begin"_s, u"in worker"_s);
        const auto workerEnd = eventOf(app, u"handler.end"_s, u"in worker"_s);
        const auto appBegin = eventOf(app, u"handler.begin"_s, u"in app"_s);
        QVERIFY(workerBegin && workerEnd && appBegin);
        QVERIFY(workerBegin->thread != appBegin->thread);
        QCOMPARE(workerEnd->thread, workerBegin->thread);
        QVERIFY(workerBegin->seq < workerEnd->seq);
    }

    void addingAndRemovingHandlersIsTraced()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        auto *window = new QObject; // a window with WA_DeleteOnClose, say
        app.hooks().add(u"h"_s, window, [] {}, {.weight = 3, .name = u"spell check"_s});
        const Mortar::HandlerId explicitOne = app.hooks().add(u"h"_s, [] {}, {.name = u"x"_s});
        const auto added = eventOf(app, u"handler.added"_s, u"spell check"_s);
        QVERIFY(added);
        QCOMPARE(added->hook, u"h"_s);
        QCOMPARE(added->weight, 3);
        QVERIFY(added->source.startsWith(u"tst_hooklevels.cpp:"_s));
        delete window;
        const auto removed = eventOf(app, u"handler.removed"_s, u"spell check"_s);
        QVERIFY(removed);
        QCOMPARE(removed->extra.value(u"reason"_s).toString(),
                 u"its context object was destroyed"_s);
        QVERIFY(app.hooks().remove(explicitOne));
        const auto removedExplicitly = eventOf(app, u"handler.removed"_s, u"x"_s);
        QVERIFY(removedExplicitly);
        QCOMPARE(removedExplicitly->extra.value(u"reason"_s).toString(),
                 u"removed with HookRegistry::remove()"_s);
    }
};

MORTAR_TEST_MAIN(tst_HookLevels)
#include "tst_hooklevels.moc"

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "mortartest.h"
#include "tracequery.h"
#include <mortar/app.h>

#include "hookrecorder.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QPromise>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <stdexcept>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Mortar::App;
using Mortar::HookContext;

class tst_Close : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void closeRunsPreThenPostCloseOnce()
    {
        App app({.label = u"test"_s});
        HookRecorder recorder(app);
        QSignalSpy closed(&app, &App::closed);
        app.close();
        app.close();
        QCOMPARE(recorder.ran(), (QStringList{u"pre_close"_s, u"post_close"_s}));
        QCOMPARE(closed.count(), 1);
        QCOMPARE(closed.at(0).at(0).toInt(), 0);
        QCOMPARE(app.state(), App::State::Closed);
        QCOMPARE(eventsOfKind(app, u"close.repeated"_s).size(), 1);
    }

    void throwingHandlerLeavesTheOthersRunning()
    {
        App app({.label = u"test"_s});
        QStringList ran;
        app.hooks().add(u"pre_close"_s, [] { throw std::runtime_error("cannot remove /tmp/x"); },
                        {.weight = -10, .name = u"remove temp dir"_s});
        app.hooks().add(u"pre_close"_s, [&] { ran << u"pre_close later"_s; }, {.weight = 10});
        app.hooks().add(u"post_close"_s, [&] { ran << u"post_close"_s; });
        QTest::ignoreMessage(
                QtWarningMsg,
                "Handler 'remove temp dir' of hook 'pre_close' failed: cannot remove /tmp/x");
        app.close();
        QCOMPARE(ran, (QStringList{u"pre_close later"_s, u"post_close"_s}));
        QCOMPARE(app.exitCode(), 1);
        const auto ends = eventsOfKind(app, u"handler.end"_s);
        const auto failed = std::find_if(ends.begin(), ends.end(), [](const Mortar::TraceEvent &e) {
            return e.handler == u"remove temp dir"_s;
        });
        QVERIFY(failed != ends.end());
        QCOMPARE(failed->status, u"failed"_s);
        QCOMPARE(failed->error, u"cannot remove /tmp/x"_s);
    }

    void explicitCodeWinsOverAFailedHandler()
    {
        App app({.label = u"test"_s});
        app.hooks().add(u"pre_close"_s, [] { throw std::runtime_error("boom"); });
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"failed: boom"_s));
        app.close(5);
        QCOMPARE(app.exitCode(), 5);
    }

    void timerCompletedDeferralFinishesBeforePostClose()
    {
        App app({.label = u"test"_s});
        QStringList order;
        app.hooks().add(u"pre_close"_s, [&](HookContext &context) {
            auto deferral = std::make_shared<Mortar::Deferral>(context.defer());
            QTimer::singleShot(50, [deferral, &order] {
                order << u"deferred work done"_s;
                deferral->complete();
            });
            order << u"pre_close returned"_s;
        });
        app.hooks().add(u"post_close"_s, [&] { order << u"post_close"_s; });
        app.close();
        QCOMPARE(order,
                 (QStringList{u"pre_close returned"_s, u"deferred work done"_s, u"post_close"_s}));
        QCOMPARE(app.exitCode(), 0);
        const auto ends = eventsOfKind(app, u"deferral.end"_s);
        QCOMPARE(ends.size(), 1);
        QCOMPARE(ends.at(0).status, u"ok"_s);
        QVERIFY(*ends.at(0).durationNs >= 45'000'000);
    }

    void neverCompletedDeferralTimesOut()
    {
        std::optional<Mortar::Deferral> kept; // outlives the App, whose destructor could close
        int postClose = 0;
        App app({.label = u"test"_s, .handlerTimeout = 100ms});
        app.hooks().add(u"pre_close"_s,
                        [&](HookContext &context) { kept.emplace(context.defer()); },
                        {.name = u"never finishes"_s});
        app.hooks().add(u"post_close"_s, [&] { ++postClose; });
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"'never finishes' .* did not finish"_s));
        QElapsedTimer timer;
        timer.start();
        app.close();
        QVERIFY(timer.elapsed() >= 90);
        QVERIFY(timer.elapsed() < 3000);
        QCOMPARE(postClose, 1);
        QCOMPARE(app.exitCode(), 1);
        const auto ends = eventsOfKind(app, u"deferral.end"_s);
        QCOMPARE(ends.size(), 1);
        QCOMPARE(ends.at(0).status, u"timedOut"_s);
        QCOMPARE(ends.at(0).handler, u"never finishes"_s);
    }

    void perHandlerTimeoutOverridesTheDefault()
    {
        std::optional<Mortar::Deferral> kept;
        App app({.label = u"test"_s, .handlerTimeout = 10s});
        app.hooks().add(u"pre_close"_s,
                        [&](HookContext &context) { kept.emplace(context.defer()); },
                        {.timeout = 50ms});
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"did not finish within 50 ms"_s));
        QElapsedTimer timer;
        timer.start();
        app.close();
        QVERIFY(timer.elapsed() < 3000);
    }

    void nestedLoopKeepsSocketsAlive()
    {
        // A pre_close handler that must tell a peer goodbye over a real local socket.
        QLocalServer server;
        const QString name = u"mortar-test-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
        QVERIFY(server.listen(name));
        QByteArray received;
        connect(&server, &QLocalServer::newConnection, &server, [&] {
            QLocalSocket *peer = server.nextPendingConnection();
            connect(peer, &QLocalSocket::readyRead, peer,
                    [&, peer] { received += peer->readAll(); });
        });

        QLocalSocket socket; // before the App: its handler uses it
        App app({.label = u"test"_s});
        app.hooks().add(u"pre_close"_s, [&](HookContext &context) {
            auto deferral = std::make_shared<Mortar::Deferral>(context.defer());
            connect(&socket, &QLocalSocket::connected, &socket,
                    [&socket] { socket.write("goodbye"); });
            connect(&socket, &QLocalSocket::bytesWritten, &socket,
                    [deferral] { deferral->complete(); });
            socket.connectToServer(name);
        });
        app.close();
        QCOMPARE(app.exitCode(), 0);
        QTRY_COMPARE(received, QByteArray("goodbye"));
    }

    void futureHandlersAreAwaitedInClose()
    {
        App app({.label = u"test"_s});
        bool done = false;
        app.hooks().add(u"pre_close"_s, [&]() -> QFuture<void> {
            auto promise = std::make_shared<QPromise<void>>();
            promise->start();
            QTimer::singleShot(20, [promise, &done] {
                done = true;
                promise->finish();
            });
            return promise->future();
        });
        app.close();
        QVERIFY(done);
        QCOMPARE(app.exitCode(), 0);
    }

    void closeFromAWorkerThreadRunsOnTheAppThread()
    {
        App app({.label = u"test"_s});
        QThread *handlerThread = nullptr;
        app.hooks().add(u"pre_close"_s, [&] { handlerThread = QThread::currentThread(); });
        std::unique_ptr<QThread> worker(QThread::create([&] { app.close(4); }));
        worker->start();
        QVERIFY(worker->wait(5000));
        QTRY_COMPARE(app.state(), App::State::Closed);
        QCOMPARE(handlerThread, QThread::currentThread());
        QCOMPARE(app.exitCode(), 4);
    }

    void reentrantCloseIsANoOp()
    {
        App app({.label = u"test"_s});
        HookRecorder recorder(app);
        app.hooks().add(u"pre_close"_s, [&] { app.close(3); });
        app.hooks().add(u"post_close"_s, [&] { app.close(); });
        app.close();
        QCOMPARE(recorder.ran(), (QStringList{u"pre_close"_s, u"post_close"_s}));
        QCOMPARE(app.exitCode(), 0);
        const auto repeated = eventsOfKind(app, u"close.repeated"_s);
        QCOMPARE(repeated.size(), 2);
        QCOMPARE(repeated.at(0).code, std::optional<int>(3));
        QCOMPARE(eventsOfKind(app, u"close.end"_s).size(), 1);
    }

    void closeEventsTellCauseAndCode()
    {
        App app({.label = u"test"_s});
        app.close(42);
        const auto begins = eventsOfKind(app, u"close.begin"_s);
        QCOMPARE(begins.size(), 1);
        QCOMPARE(begins.at(0).extra.value(u"cause"_s).toString(), u"close()"_s);
        QCOMPARE(begins.at(0).code, std::optional<int>(42));
        const auto ends = eventsOfKind(app, u"close.end"_s);
        QCOMPARE(ends.size(), 1);
        QCOMPARE(ends.at(0).code, std::optional<int>(42));
        QVERIFY(ends.at(0).durationNs.has_value());
    }

    void deadlineIsTheCloseBudget_data()
    {
        QTest::addColumn<int>("budgetMs");
        QTest::addRow("30s") << 30000;
        QTest::addRow("none") << 0;
    }
    void deadlineIsTheCloseBudget()
    {
        QFETCH(int, budgetMs);
        App app({.label = u"test"_s, .closeTimeout = std::chrono::milliseconds(budgetMs)});
        QDeadlineTimer seen;
        app.hooks().add(u"pre_close"_s, [&](HookContext &context) { seen = context.deadline(); });
        app.close();
        if (budgetMs == 0) {
            QVERIFY(seen.isForever());
        } else {
            QVERIFY(!seen.isForever());
            QVERIFY(seen.remainingTime() > 0);
            QVERIFY(seen.remainingTime() <= budgetMs);
        }
    }
};

MORTAR_TEST_MAIN(tst_Close)
#include "tst_close.moc"

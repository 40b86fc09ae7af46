// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The close watchdog on a real child process (spec §4.6): a pre_close handler that hangs is cut
// off when the close budget passes — exit code timeoutExitCode (124), one stderr line naming the
// handler, a complete trace file ending in process.killed, and the emergency cleanup done.
#include "faulttest.h"

#include <QElapsedTimer>
#include <QScopeGuard>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_Watchdog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hungHandlerIsCutOff();
};

void tst_Watchdog::hungHandlerIsCutOff()
{
    FaultTest::Run run;
    QString why;
    // closeTimeout 500 ms; the handler would sleep 60 s.
    QVERIFY2(run.start({u"hang-self"_s, u"500"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.waitForLine("ready"));
    QVERIFY(run.pidFileExists());
    QCOMPARE(run.tempFileCount(), 1);
    QElapsedTimer sinceClose;
    sinceClose.start();
    QVERIFY(run.waitForLine("hanging"));
    QVERIFY(run.finish(30'000));
    const qint64 elapsedMs = sinceClose.elapsed();
    qInfo("ended %lld ms after the close began (budget 500 ms)", elapsedMs);
    QVERIFY2(elapsedMs < 5000, qPrintable(u"took %1 ms"_s.arg(elapsedMs)));

    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), 124);
    QVERIFY2(run.leftBehind().isEmpty(), qPrintable(u"left behind: "_s + run.leftBehind()));
    // One line on stderr names the handler and how long it ran.
    const QList<QByteArray> lines = run.err.trimmed().split('\n');
    const auto named = std::count_if(lines.cbegin(), lines.cend(), [](const QByteArray &line) {
        return line.contains("handler 'hangs forever' of hook 'pre_close' had been running for")
                && line.contains("within 500 ms") && line.contains("exit code 124");
    });
    QVERIFY2(named == 1, run.err.constData());

    // The trace file is complete: the hanging handler's begin, then process.killed naming it.
    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    const QList<QJsonObject> begins = trace.eventsWhere([](const QJsonObject &e) {
        return e.value(u"kind"_s).toString() == u"handler.begin"_s
                && e.value(u"hook"_s).toString() == u"pre_close"_s
                && e.value(u"handler"_s).toString() == u"hangs forever"_s;
    });
    QCOMPARE(begins.size(), 1);
    const QJsonObject last = trace.events.constLast();
    QCOMPARE(last.value(u"kind"_s).toString(), u"process.killed"_s);
    QCOMPARE(last.value(u"cause"_s).toString(), u"watchdog"_s);
    QCOMPARE(last.value(u"code"_s).toInt(), 124);
    QCOMPARE(last.value(u"hook"_s).toString(), u"pre_close"_s);
    QCOMPARE(last.value(u"handler"_s).toString(), u"hangs forever"_s);
    QVERIFY(last.value(u"runningNs"_s).toInteger() >= 400'000'000);
    QCOMPARE(last.value(u"seq"_s).toInteger(), trace.events.size() - 1);
    QVERIFY(begins.constFirst().value(u"seq"_s).toInteger() < last.value(u"seq"_s).toInteger());
    // No handler.end for it: the trace stops inside it.
    QVERIFY(trace.eventsWhere([](const QJsonObject &e) {
                     return e.value(u"kind"_s).toString() == u"handler.end"_s
                             && e.value(u"handler"_s).toString() == u"hangs forever"_s;
                 }).isEmpty());
}

QTEST_GUILESS_MAIN(tst_Watchdog)
#include "tst_watchdog.moc"

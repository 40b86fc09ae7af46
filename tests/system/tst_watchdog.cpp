// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The close watchdog on a real child process (spec §4.6): a pre_close handler that hangs is cut
// off when the close budget passes — exit code timeoutExitCode (124), one stderr line naming the
// handler, a complete trace file ending in process.killed, and the emergency cleanup done.
#include "faulttest.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_Watchdog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hungHandlerIsCutOff();
    void hostileHandlerNameStaysJson();
    void hugeBudgetIsNoBudget();
    void watchdogStopsBeforeCloseEnd();
    void inspectionFilesGoOnForcedEnds_data();
    void inspectionFilesGoOnForcedEnds();
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

void tst_Watchdog::hostileHandlerNameStaysJson()
{
    // 2000 characters with quotes, backslashes and control characters: the final line is
    // written in a fixed buffer from the watchdog's thread, and must still be one JSON object.
    FaultTest::Run run;
    QString why;
    QVERIFY2(run.start({u"hang-long-name"_s, u"300"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.waitForLine("hanging"));
    QVERIFY(run.finish(30'000));
    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), 124);

    QFile file(run.tracePath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    QJsonParseError error;
    const QJsonDocument last = QJsonDocument::fromJson(lines.constLast(), &error);
    QVERIFY2(last.isObject(),
             qPrintable(error.errorString() + u": "_s + QString::fromUtf8(lines.constLast())));
    QCOMPARE(last.object().value(u"kind"_s).toString(), u"process.killed"_s);
    QCOMPARE(last.object().value(u"code"_s).toInt(), 124);
    // The name, cut where a character ends, is the beginning of the real one.
    const QString handler = last.object().value(u"handler"_s).toString();
    QVERIFY(handler.endsWith(u"..."_s));
    QVERIFY(handler.size() > 100);
    QVERIFY(handler.startsWith(u"q\"b\\c\t\x01\n"_s));
    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    QVERIFY2(run.leftBehind().isEmpty(), qPrintable(u"left behind: "_s + run.leftBehind()));
}

void tst_Watchdog::hugeBudgetIsNoBudget()
{
    // closeTimeout = milliseconds::max(): now + budget overflowed into the past, and the
    // watchdog killed the close at once. It is no budget at all.
    FaultTest::Run run;
    QString why;
    QVERIFY2(run.start({u"slow-close"_s, u"max"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.finish(30'000));
    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), 0);
    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    QVERIFY(trace.eventsOfKind(u"process.killed"_s).isEmpty());
    QCOMPARE(trace.eventsOfKind(u"close.end"_s).size(), 1);
}

void tst_Watchdog::watchdogStopsBeforeCloseEnd()
{
    // A slot of App::closed runs after close.end: the close is over, and the watchdog must
    // not fire in it — else the trace says both "closed" and "killed".
    FaultTest::Run run;
    QString why;
    QVERIFY2(run.start({u"hang-in-closed"_s, u"300"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.finish(30'000));
    QVERIFY(run.out.contains("closed\n"));
    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), 0);
    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    QCOMPARE(trace.eventsOfKind(u"close.end"_s).size(), 1);
    QVERIFY(trace.eventsOfKind(u"process.killed"_s).isEmpty());
    QVERIFY(!run.pidFileExists());
}

void tst_Watchdog::inspectionFilesGoOnForcedEnds_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<int>("exitCode");
    QTest::addRow("watchdog") << u"hang-self"_s << 124;
    QTest::addRow("exitOnClose's std::exit") << u"exit-on-close"_s << 0;
}

void tst_Watchdog::inspectionFilesGoOnForcedEnds()
{
    // The inspection socket and its token file are emergency-cleanup paths (spec §10.1); and
    // exitOnClose's std::exit, which skips ~App, removes them before it ends the process.
    QFETCH(QString, mode);
    QFETCH(int, exitCode);
    FaultTest::Run run;
    run.inspect = true;
    QString why;
    QVERIFY2(run.start({mode, u"500"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.waitForLine("ready"));
    const bool existed = QFile::exists(run.socketPath()) && QFile::exists(run.tokenPath());
    QVERIFY(run.finish(30'000));
    QVERIFY2(existed || mode == u"exit-on-close"_s, "the inspection files were not there");
    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), exitCode);
    QVERIFY2(!QFile::exists(run.socketPath()), qPrintable(run.socketPath()));
    QVERIFY2(!QFile::exists(run.tokenPath()), qPrintable(run.tokenPath()));
    QVERIFY(!run.pidFileExists());
}

QTEST_GUILESS_MAIN(tst_Watchdog)
#include "tst_watchdog.moc"

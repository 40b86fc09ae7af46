// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Unix signals on a real child process (spec §5, §4.3): a caught signal runs the signal hook and
// an orderly close that exits with 128 + N; a handler can prevent that; a second signal during a
// hung close ends the process at once, with the emergency cleanup (§6.2).
#include "faulttest.h"

#include <QElapsedTimer>
#include <QScopeGuard>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

class tst_Signals : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signalCloses_data();
    void signalCloses();
    void preventedSignalKeepsRunning();
    void secondSignalDuringHungClose_data();
    void secondSignalDuringHungClose();
    void inheritedIgnoreStays();
    void twoSignalsTogetherAreBothRecorded();
    void signalWhileAnExtensionLoads();
};

void tst_Signals::signalCloses_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::addRow("SIGTERM") << int(SIGTERM);
    QTest::addRow("SIGINT") << int(SIGINT);
    QTest::addRow("SIGHUP") << int(SIGHUP);
}

void tst_Signals::signalCloses()
{
    QFETCH(int, signalNumber);
    FaultTest::Run run;
    QString why;
    QVERIFY2(run.start({u"loop"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.waitForLine("ready"));
    QVERIFY(run.sendSignal(signalNumber));
    QVERIFY(run.finish());

    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), 128 + signalNumber);
    // The orderly close ran its cleanup, which already saw the exit code.
    QCOMPARE(run.marker(), "pre_close " + QByteArray::number(128 + signalNumber) + '\n');
    // An orderly close leaves the emergency paths to their owners: only forced exits remove them.
    QVERIFY(run.emergencyPathsExist());

    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    const QList<QJsonObject> signalEvents = trace.eventsOfKind(u"signal"_s);
    QCOMPARE(signalEvents.size(), 1);
    QCOMPARE(signalEvents.constFirst().value(u"signalNumber"_s).toInt(), signalNumber);
    QCOMPARE(signalEvents.constFirst().value(u"prevented"_s).toBool(true), false);
    QVERIFY(!trace.first(u"hook.end"_s, u"signal"_s).isEmpty());
    QCOMPARE(trace.first(u"close.begin"_s).value(u"cause"_s).toString(), u"signal"_s);
    QCOMPARE(trace.first(u"close.end"_s).value(u"code"_s).toInt(), 128 + signalNumber);
    QVERIFY(trace.eventsOfKind(u"process.killed"_s).isEmpty());
}

void tst_Signals::preventedSignalKeepsRunning()
{
    FaultTest::Run run;
    QString why;
    QProcessEnvironment extra;
    extra.insert(u"FAULTS_PREVENT_SIGHUP"_s, u"1"_s);
    QVERIFY2(run.start({u"loop"_s}, &why, extra), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.waitForLine("ready"));
    QVERIFY(run.sendSignal(SIGHUP));
    QVERIFY(run.waitForLine("prevented"));
    // The handler prevented the close: the app keeps running and handles the next signal.
    QVERIFY2(!run.process.waitForFinished(300), "the app ended after a prevented SIGHUP");
    QVERIFY(run.marker().isEmpty());
    QVERIFY(run.sendSignal(SIGTERM));
    QVERIFY(run.finish());
    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), 128 + SIGTERM);

    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    const QList<QJsonObject> signalEvents = trace.eventsOfKind(u"signal"_s);
    QCOMPARE(signalEvents.size(), 2);
    QCOMPARE(signalEvents.at(0).value(u"signalNumber"_s).toInt(), SIGHUP);
    QCOMPARE(signalEvents.at(0).value(u"prevented"_s).toBool(), true);
    QCOMPARE(signalEvents.at(1).value(u"signalNumber"_s).toInt(), SIGTERM);
    QCOMPARE(signalEvents.at(1).value(u"prevented"_s).toBool(true), false);
    QCOMPARE(trace.eventsOfKind(u"close.begin"_s).size(), 1);
}

void tst_Signals::secondSignalDuringHungClose_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<int>("signalsBeforeHang"); // SIGINTs sent before the handler hangs
    // The first SIGINT starts the close, which hangs; the second ends the process.
    QTest::addRow("first signal starts the close") << u"hang-on-close"_s << 1;
    // The app closes by itself and hangs; the first SIGINT is counted, the second ends it.
    QTest::addRow("close started by the app") << u"hang-self"_s << 0;
}

void tst_Signals::secondSignalDuringHungClose()
{
    QFETCH(QString, mode);
    QFETCH(int, signalsBeforeHang);
    FaultTest::Run run;
    QString why;
    QVERIFY2(run.start({mode}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.waitForLine("ready"));
    QVERIFY(run.pidFileExists());
    QCOMPARE(run.tempFileCount(), 1);
    if (signalsBeforeHang)
        QVERIFY(run.sendSignal(SIGINT));
    QVERIFY(run.waitForLine("hanging"));
    if (!signalsBeforeHang)
        QVERIFY(run.sendSignal(SIGINT));
    // Nothing ends the process yet: the close hangs (its budget is the default 30 s).
    QVERIFY(!run.process.waitForFinished(200));
    QElapsedTimer sinceSecond;
    sinceSecond.start();
    QVERIFY(run.sendSignal(SIGINT));
    QVERIFY(run.finish(10'000));
    const qint64 elapsedMs = sinceSecond.elapsed();
    qInfo("ended %lld ms after the second SIGINT", elapsedMs);
    QVERIFY2(elapsedMs < 1000, qPrintable(u"took %1 ms"_s.arg(elapsedMs)));

    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), 128 + SIGINT);
    QVERIFY2(run.leftBehind().isEmpty(), qPrintable(u"left behind: "_s + run.leftBehind()));
    QVERIFY2(run.err.contains("hangs forever"), run.err.constData());

    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    QVERIFY(!trace.events.isEmpty());
    const QJsonObject last = trace.events.constLast();
    QCOMPARE(last.value(u"kind"_s).toString(), u"process.killed"_s);
    QCOMPARE(last.value(u"cause"_s).toString(), u"signal"_s);
    QCOMPARE(last.value(u"signalNumber"_s).toInt(), SIGINT);
    QCOMPARE(last.value(u"code"_s).toInt(), 128 + SIGINT);
    QCOMPARE(last.value(u"hook"_s).toString(), u"pre_close"_s);
    QCOMPARE(last.value(u"handler"_s).toString(), u"hangs forever"_s);
    // Everything before the hang is there, with consecutive seq.
    QCOMPARE(last.value(u"seq"_s).toInteger(), trace.events.size() - 1);
}

void tst_Signals::inheritedIgnoreStays()
{
    // Under nohup SIGHUP is ignored: the app must not make it end the process (spec §5).
    FaultTest::Run run;
    run.ignoredSignals = {SIGHUP};
    QString why;
    QVERIFY2(run.start({u"loop"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.waitForLine("ready"));
    // The kernel's word: ignored, not caught.
    QFile status(u"/proc/%1/status"_s.arg(run.pid));
    QVERIFY(status.open(QIODevice::ReadOnly));
    const QByteArray lines = status.readAll();
    const auto mask = [&](const QByteArray &name) {
        const qsizetype at = lines.indexOf(QByteArray(name + ":\t"));
        return lines.mid(at + name.size() + 2, 16).toULongLong(nullptr, 16);
    };
    QVERIFY2(mask("SigIgn") & (1u << (SIGHUP - 1)), lines.constData());
    QVERIFY2(!(mask("SigCgt") & (1u << (SIGHUP - 1))), lines.constData());
    QVERIFY(run.sendSignal(SIGHUP));
    // Caught, it would end the app with 129 (sent together with SIGTERM, the kernel may run
    // SIGTERM's handler first: give SIGHUP its time).
    QVERIFY2(!run.process.waitForFinished(500), "the app ended on an ignored SIGHUP");
    QVERIFY(run.sendSignal(SIGTERM));
    QVERIFY(run.finish());
    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), 128 + SIGTERM);

    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    const QList<QJsonObject> signalEvents = trace.eventsOfKind(u"signal"_s);
    QCOMPARE(signalEvents.size(), 1);
    QCOMPARE(signalEvents.constFirst().value(u"signalNumber"_s).toInt(), SIGTERM);
}

void tst_Signals::twoSignalsTogetherAreBothRecorded()
{
    FaultTest::Run run;
    QString why;
    QVERIFY2(run.start({u"busy"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.waitForLine("busy"));
    // The App's thread is blocked for a second: both wait in the self-pipe, read together.
    QVERIFY(run.sendSignal(SIGHUP));
    QVERIFY(run.sendSignal(SIGTERM));
    QVERIFY(run.finish());
    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    // The first one read closes; which one that is, the kernel decides.
    QVERIFY2(run.process.exitCode() == 128 + SIGHUP || run.process.exitCode() == 128 + SIGTERM,
             qPrintable(QString::number(run.process.exitCode())));

    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    QList<int> recorded;
    for (const QJsonObject &event : trace.eventsOfKind(u"signal"_s))
        recorded.append(event.value(u"signalNumber"_s).toInt());
    std::sort(recorded.begin(), recorded.end());
    QCOMPARE(recorded, QList<int>({SIGHUP, SIGTERM}));
    QCOMPARE(trace.eventsOfKind(u"close.begin"_s).size(), 1);
}

void tst_Signals::signalWhileAnExtensionLoads()
{
    // An extension loaded after mortar.pidfile raises SIGINT: the handlers are in place
    // already (installed first in setup()), so it is an orderly close, and the pid file goes.
    FaultTest::Run run;
    QString why;
    QVERIFY2(run.start({u"extension-sigint"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.finish());
    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), 128 + SIGINT);
    QVERIFY(!run.pidFileExists());
    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    QCOMPARE(trace.eventsOfKind(u"signal"_s).size(), 1);
    QCOMPARE(trace.first(u"close.begin"_s).value(u"cause"_s).toString(), u"signal"_s);
}

QTEST_GUILESS_MAIN(tst_Signals)
#include "tst_signals.moc"

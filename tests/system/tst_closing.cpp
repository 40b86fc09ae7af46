// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Real applications close right (SPEC §2.3, §4.1, §4.5, §4.7, §4.8), on real child processes
// (apps/closing): quit requests and their veto, aboutToQuit exactly once whatever the Qt version,
// quit(n) during a signal's close, finished work recorded as finished when the watchdog ends the
// process, and the last window of a GUI app.
#include "systemtest.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

namespace {
struct Ended
{
    int exitCode = -1;
    bool crashed = false;
    QByteArray out;
    QString description;
};

Ended runClosing(const QString &mode, const QString &tracePath, bool gui = false)
{
    QProcess process;
    QProcessEnvironment environment = SystemTest::childEnvironment();
    environment.insert(u"MORTAR_TRACE"_s, tracePath);
    if (gui)
        environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(CLOSING_PATH), {mode});
    Ended ended;
    if (!process.waitForStarted(30'000) || !process.waitForFinished(60'000)) {
        ended.description = process.errorString();
        return ended;
    }
    ended.out = process.readAllStandardOutput();
    const QByteArray err = process.readAllStandardError();
    ended.exitCode = process.exitCode();
    ended.crashed = process.exitStatus() != QProcess::NormalExit;
    ended.description = SystemTest::describe(process, ended.out, err);
    return ended;
}

QJsonObject handlerEvent(const SystemTest::TraceFile &trace, const QString &kind,
                         const QString &handler)
{
    const auto found = trace.eventsWhere([&](const QJsonObject &e) {
        return e.value(u"kind"_s).toString() == kind && e.value(u"handler"_s).toString() == handler;
    });
    return found.size() == 1 ? found.first() : QJsonObject();
}
} // namespace

class tst_Closing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aboutToQuitIsEmittedOnce_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("cause");
        QTest::addRow("app.quit(7) in app.exec()") << u"quit7"_s << 7 << u"quit()"_s;
        QTest::addRow("app.quit(7) in QCoreApplication::exec()")
                << u"quit7-bare"_s << 7 << u"quit()"_s;
        QTest::addRow("QCoreApplication::quit() in app.exec()") << u"qtquit"_s << 9 << u"quit()"_s;
        QTest::addRow("QCoreApplication::quit() in QCoreApplication::exec()")
                << u"qtquit-bare"_s << 9 << u"quit()"_s;
        QTest::addRow("QCoreApplication::exit() in app.exec()")
                << u"qtexit"_s << 6 << u"aboutToQuit"_s;
        QTest::addRow("QCoreApplication::exit() in QCoreApplication::exec()")
                << u"qtexit-bare"_s << 6 << u"aboutToQuit"_s;
    }
    void aboutToQuitIsEmittedOnce()
    {
        QFETCH(QString, mode);
        QFETCH(int, exitCode);
        QFETCH(QString, cause);
        QTemporaryDir dir;
        const QString tracePath = dir.filePath(u"trace.jsonl"_s);
        const Ended ended = runClosing(mode, tracePath);
        QVERIFY2(!ended.crashed, qPrintable(ended.description));
        QVERIFY2(ended.exitCode == exitCode, qPrintable(ended.description));
        QVERIFY2(ended.out.contains("aboutToQuit 1\n"), qPrintable(ended.description));
        // Hooks in order: post_run before pre_close, nothing after post_close, each once.
        const bool viaRequest = cause == u"quit()"_s;
        const QByteArray hooks = viaRequest
                ? "hooks pre_run,quit_requested,post_run,pre_close,post_close\n"
                : "hooks pre_run,post_run,pre_close,post_close\n";
        if (mode.endsWith(u"-bare"_s)) {
            // A bare QCoreApplication::exec() skips pre_run and post_run (App::exec() runs them).
            const QByteArray bareHooks = viaRequest ? "hooks quit_requested,pre_close,post_close\n"
                                                    : "hooks pre_close,post_close\n";
            QVERIFY2(ended.out.contains(bareHooks), qPrintable(ended.description));
        } else {
            QVERIFY2(ended.out.contains(hooks), qPrintable(ended.description));
        }
        const SystemTest::TraceFile trace = SystemTest::readTrace(tracePath);
        QVERIFY2(trace.isValid(), qPrintable(trace.error));
        const auto ends = trace.eventsOfKind(u"close.end"_s);
        QCOMPARE(ends.size(), 1);
        QCOMPARE(ends.first().value(u"code"_s).toInt(), exitCode);
        QCOMPARE(ends.first().value(u"cause"_s).toString(), cause);
    }

    void aVetoKeepsTheAppRunningUntilALaterQuit_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("codeAfterVeto");
        QTest::addColumn<int>("exitCode");
        QTest::addRow("app.quit(3), then app.quit(4)") << u"veto-quit"_s << 0 << 4;
        QTest::addRow("QCoreApplication::quit(), twice") << u"veto-qtquit"_s << 5 << 5;
    }
    void aVetoKeepsTheAppRunningUntilALaterQuit()
    {
        QFETCH(QString, mode);
        QFETCH(int, codeAfterVeto);
        QFETCH(int, exitCode);
        QTemporaryDir dir;
        const QString tracePath = dir.filePath(u"trace.jsonl"_s);
        const Ended ended = runClosing(mode, tracePath);
        QVERIFY2(!ended.crashed && ended.exitCode == exitCode, qPrintable(ended.description));
        // State 3 is Running.
        QVERIFY2(ended.out.contains(u"after veto: state 3 code %1\n"_s.arg(codeAfterVeto).toUtf8()),
                 qPrintable(ended.description));
        QVERIFY2(ended.out.contains("aboutToQuit 1\n"), qPrintable(ended.description));
        const SystemTest::TraceFile trace = SystemTest::readTrace(tracePath);
        QVERIFY2(trace.isValid(), qPrintable(trace.error));
        const auto prevented = trace.eventsOfKind(u"quit.prevented"_s);
        QCOMPARE(prevented.size(), 1);
        QCOMPARE(prevented.first().value(u"handler"_s).toString(), u"unsaved changes"_s);
        QCOMPARE(trace.eventsOfKind(u"close.begin"_s).size(), 1);
        QVERIFY(prevented.first().value(u"seq"_s).toInteger()
                < trace.first(u"close.begin"_s).value(u"seq"_s).toInteger());
    }

    void quitDuringASignalsCloseKeepsTheSignalsCode()
    {
        QTemporaryDir dir;
        const QString tracePath = dir.filePath(u"trace.jsonl"_s);
        SystemTest::ReadyProcess process;
        QProcessEnvironment environment = SystemTest::childEnvironment();
        environment.insert(u"MORTAR_TRACE"_s, tracePath);
        process.start(QStringLiteral(CLOSING_PATH), {u"sigterm-then-quit"_s}, environment);
        process.readReadyLine(0); // "ready": its event loop runs
        QVERIFY2(process.process().state() == QProcess::Running, qPrintable(process.describe()));
        ::kill(pid_t(process.pid()), SIGTERM);
        QVERIFY(process.waitForFinished());
        QVERIFY2(process.process().exitStatus() == QProcess::NormalExit
                         && process.process().exitCode() == 143,
                 qPrintable(process.describe()));
        const SystemTest::TraceFile trace = SystemTest::readTrace(tracePath);
        QVERIFY2(trace.isValid(), qPrintable(trace.error));
        const auto repeated = trace.eventsOfKind(u"close.repeated"_s);
        QCOMPARE(repeated.size(), 2);
        QCOMPARE(repeated.at(0).value(u"cause"_s).toString(), u"quit()"_s);
        QCOMPARE(repeated.at(0).value(u"code"_s).toInt(), 3);
        QCOMPARE(repeated.at(1).value(u"cause"_s).toString(), u"close()"_s);
        QCOMPARE(repeated.at(1).value(u"code"_s).toInt(), 9);
        QCOMPARE(trace.first(u"close.end"_s).value(u"code"_s).toInt(), 143);
    }

    void finishedWorkIsRecordedWhenTheWatchdogEndsTheProcess_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addRow("B at a higher weight") << u"watchdog-after-settled"_s;
        QTest::addRow("B at the same weight, A settles inside B's loop")
                << u"watchdog-same-level"_s;
    }
    void finishedWorkIsRecordedWhenTheWatchdogEndsTheProcess()
    {
        QFETCH(QString, mode);
        QTemporaryDir dir;
        const QString tracePath = dir.filePath(u"trace.jsonl"_s);
        const Ended ended = runClosing(mode, tracePath);
        QVERIFY2(!ended.crashed && ended.exitCode == 124, qPrintable(ended.description));
        const SystemTest::TraceFile trace = SystemTest::readTrace(tracePath);
        QVERIFY2(trace.isValid(), qPrintable(trace.error));
        const QJsonObject flushed = handlerEvent(trace, u"deferral.end"_s, u"A: flush"_s);
        QVERIFY2(!flushed.isEmpty(), "no single deferral.end of 'A: flush' in the trace file");
        QCOMPARE(flushed.value(u"status"_s).toString(), u"ok"_s);
        const qint64 durationMs = flushed.value(u"durationNs"_s).toInteger() / 1'000'000;
        QVERIFY2(durationMs >= 190 && durationMs < 1000, qPrintable(QString::number(durationMs)));
        const auto killed = trace.eventsOfKind(u"process.killed"_s);
        QCOMPARE(killed.size(), 1);
        QCOMPARE(killed.first().value(u"handler"_s).toString(), u"B: dialog"_s);
        QVERIFY(trace.eventsOfKind(u"close.end"_s).isEmpty());
    }

    void closingTheLastWindowClosesTheApp_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("prevented");
        QTest::addRow("accepted") << u"gui-last-window"_s << 0;
        QTest::addRow("vetoed once") << u"gui-last-window-veto"_s << 1;
    }
    void closingTheLastWindowClosesTheApp()
    {
        QFETCH(QString, mode);
        QFETCH(int, prevented);
        QTemporaryDir dir;
        const QString tracePath = dir.filePath(u"trace.jsonl"_s);
        const Ended ended = runClosing(mode, tracePath, true);
        QVERIFY2(!ended.crashed && ended.exitCode == 0, qPrintable(ended.description));
        QVERIFY2(ended.out.contains("aboutToQuit 1\n"), qPrintable(ended.description));
        QCOMPARE(ended.out.contains("after first window: state 3\n"), prevented == 1);
        const SystemTest::TraceFile trace = SystemTest::readTrace(tracePath);
        QVERIFY2(trace.isValid(), qPrintable(trace.error));
        QCOMPARE(trace.eventsOfKind(u"quit.prevented"_s).size(), prevented);
        if (prevented) {
            QCOMPARE(trace.first(u"quit.prevented"_s).value(u"cause"_s).toString(),
                     u"lastWindowClosed"_s);
        }
        QCOMPARE(trace.first(u"close.begin"_s).value(u"cause"_s).toString(), u"lastWindowClosed"_s);
    }
};

QTEST_GUILESS_MAIN(tst_Closing)
#include "tst_closing.moc"

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Crash signals on a real child process (spec §6.2): the process still dies of the signal (so
// the wait status and a core dump tell the truth), but first the emergency cleanup removes the
// registered paths and the trace file gets a final process.crashed line.
#include "faulttest.h"

#include <QScopeGuard>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;

class tst_Crash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void crash_data();
    void crash();
};

void tst_Crash::initTestCase()
{
#ifdef MORTAR_ASAN
    // The helper app is built with AddressSanitizer too, which owns SIGSEGV and friends and ends
    // the process its own way (a report and exit code 1); the crash handlers are tested in the
    // plain builds.
    QSKIP("built with AddressSanitizer, which handles crash signals itself");
#endif
}

void tst_Crash::crash_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<int>("signalNumber");
    QTest::addColumn<QString>("handler"); // the handler the crash report names; empty: none

    QTest::addRow("SIGSEGV raised in a handler")
            << u"segv-handler"_s << int(SIGSEGV) << u"segfaults"_s;
    QTest::addRow("SIGSEGV from a null write in the body")
            << u"segv-body"_s << int(SIGSEGV) << QString();
    QTest::addRow("std::abort() in the body") << u"abort-body"_s << int(SIGABRT) << QString();
    // Crash handlers are process-wide; a QThread gets an alternate signal stack, so even its
    // stack overflow is reported and cleaned up.
    QTest::addRow("SIGSEGV in a QThread") << u"thread-segv"_s << int(SIGSEGV) << QString();
    QTest::addRow("stack overflow in a QThread")
            << u"thread-overflow"_s << int(SIGSEGV) << QString();
    // Several threads crashing at once: the first one's report is whole, in every run.
    for (int round = 1; round <= 5; ++round)
        QTest::addRow("SIGSEGV in four QThreads at once, run %d", round)
                << u"threads-segv"_s << int(SIGSEGV) << QString();
    // Installed at the very start of setup(): a crash while extensions load is handled too.
    QTest::addRow("SIGSEGV in an extension's load")
            << u"extension-segv"_s << int(SIGSEGV) << QString();
}

void tst_Crash::crash()
{
    QFETCH(QString, mode);
    QFETCH(int, signalNumber);
    QFETCH(QString, handler);
    FaultTest::Run run;
    QString why;
    QVERIFY2(run.start({mode}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.finish());

    // A real signal death, of the very signal.
    QCOMPARE(run.process.exitStatus(), QProcess::CrashExit);
    QCOMPARE(run.process.exitCode(), signalNumber);
    if (!mode.startsWith(u"extension-"_s)) // else it crashed before post_setup made it
        QVERIFY2(run.out.contains("tempfile created\n"), run.out.constData()); // it was there
    QVERIFY2(run.leftBehind().isEmpty(), qPrintable(u"left behind: "_s + run.leftBehind()));
    QVERIFY2(run.err.contains("crashed with"), run.err.constData());

    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    QVERIFY(!trace.events.isEmpty());
    const QJsonObject last = trace.events.constLast();
    QCOMPARE(last.value(u"kind"_s).toString(), u"process.crashed"_s);
    QCOMPARE(last.value(u"signalNumber"_s).toInt(), signalNumber);
    QCOMPARE(last.value(u"seq"_s).toInteger(), trace.events.size() - 1);
    if (!handler.isEmpty()) {
        QCOMPARE(last.value(u"handler"_s).toString(), handler);
        QCOMPARE(last.value(u"hook"_s).toString(), u"pre_run"_s);
    } else {
        QVERIFY(!last.contains(u"handler"_s));
    }
}

QTEST_GUILESS_MAIN(tst_Crash)
#include "tst_crash.moc"

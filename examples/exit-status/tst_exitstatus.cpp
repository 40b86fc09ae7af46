// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The example's app in test mode: the same options and body, with exitOnClose off, so closing
// the app returns to the test instead of ending its process.
#include "myapp.h"

#include <mortar/app.h>

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_ExitStatus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void testOptionsOnlyDisableExitOnClose();
    void execReturnsTheExitCode();
    void closeOutsideExecKeepsTheProcess();
};

void tst_ExitStatus::testOptionsOnlyDisableExitOnClose()
{
    QVERIFY(myAppOptions().exitOnClose);
    QVERIFY(!myTestAppOptions().exitOnClose);
    QCOMPARE(myTestAppOptions().label, myAppOptions().label);
}

void tst_ExitStatus::execReturnsTheExitCode()
{
    Mortar::App app(myTestAppOptions());
    int preCloseRuns = 0;
    app.hooks().add(u"pre_close"_s, [&] { ++preCloseRuns; });
    QSignalSpy closed(&app, &Mortar::App::closed);
    QVERIFY(closed.isValid());

    QTest::ignoreMessage(QtCriticalMsg, "Caught Exception: the work could not be done");
    const int code = app.exec([&] { runMyApp(app); });

    // Still here: with exitOnClose off the close returned to exec(), which returned the code.
    QCOMPARE(code, 100);
    QCOMPARE(app.exitCode(), 100);
    QCOMPARE(app.state(), Mortar::App::State::Closed);
    QCOMPARE(preCloseRuns, 1);
    QCOMPARE(closed.count(), 1);
    QCOMPARE(closed.constFirst().constFirst().toInt(), 100);
}

void tst_ExitStatus::closeOutsideExecKeepsTheProcess()
{
    // Outside exec() a close with exitOnClose on would end the process with std::exit().
    Mortar::App app(myTestAppOptions());
    int preCloseRuns = 0;
    app.hooks().add(u"pre_close"_s, [&] { ++preCloseRuns; });

    QTest::ignoreMessage(QtCriticalMsg, "Caught Exception: the work could not be done");
    const Mortar::Result ran = app.run([&] { runMyApp(app); });
    QVERIFY2(ran, qPrintable(ran.errorString()));
    app.close();

    QCOMPARE(app.state(), Mortar::App::State::Closed);
    QCOMPARE(app.exitCode(), 100);
    QCOMPARE(preCloseRuns, 1);
}

QTEST_GUILESS_MAIN(tst_ExitStatus)
#include "tst_exitstatus.moc"

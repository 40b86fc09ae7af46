// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Every way a Mortar process can end (spec §4.3, §4.4), on a real child process: apps/exitpaths.
// In each case the process must exit normally with the right code, its pre_close handler must
// have run exactly once, and its trace file must record exactly one close with that code.
#include "systemtest.h"

#include <QProcess>
#include <QScopeGuard>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_ExitPaths : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exitPath_data();
    void exitPath();
};

void tst_ExitPaths::exitPath_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<int>("codeAtPreClose");    // App::exitCode() seen by the pre_close handler
    QTest::addColumn<QString>("returnedFrom");  // empty: the close must end the process itself
    QTest::addColumn<QString>("failedHandler"); // a pre_close handler that must be recorded failed
    QTest::addColumn<QString>("stderrText");

    QTest::addRow("app.quit(7) in app.exec()")
            << u"quit7"_s << 7 << 7 << u"App::exec()"_s << QString() << QString();
    QTest::addRow("QCoreApplication::quit() in app.exec()")
            << u"qtquit9"_s << 9 << 9 << u"App::exec()"_s << QString() << QString();
    // exitOnClose, and QCoreApplication::exec() instead of the App's: the close runs from
    // aboutToQuit and must end the process with 9, although Qt's exec() would return 0.
    QTest::addRow("QCoreApplication::quit() in QCoreApplication::exec()")
            << u"qtquit9-bare"_s << 9 << 9 << QString() << QString() << QString();
    QTest::addRow("exception escaping app.exec(body)")
            << u"exception"_s << 1 << 1 << u"App::exec(body)"_s << QString()
            << u"boom from the body"_s;
    QTest::addRow("app.quit(4) in app.exec(body)")
            << u"quit4-in-body"_s << 4 << 4 << u"App::exec(body)"_s << QString() << QString();
    QTest::addRow("throwing pre_close handler")
            << u"handler-throws"_s << 1 << 0 << u"App::exec(body)"_s << u"failing cleanup"_s
            << QString();
    QTest::addRow("app.close(5) outside exec()")
            << u"close5-bare"_s << 5 << 5 << QString() << QString() << QString();
    QTest::addRow("~App() with exit code 3")
            << u"destructor3-bare"_s << 3 << 3 << QString() << QString() << QString();
}

void tst_ExitPaths::exitPath()
{
    QFETCH(QString, mode);
    QFETCH(int, exitCode);
    QFETCH(int, codeAtPreClose);
    QFETCH(QString, returnedFrom);
    QFETCH(QString, failedHandler);
    QFETCH(QString, stderrText);

    QTemporaryDir dir;
    QVERIFY2(dir.isValid(), qPrintable(dir.errorString()));
    const QString markerPath = dir.filePath(u"pre_close.marker"_s);
    const QString tracePath = dir.filePath(u"trace.jsonl"_s);

    QProcess process;
    QProcessEnvironment environment = SystemTest::childEnvironment();
    environment.insert(u"EXITPATHS_MARKER"_s, markerPath);
    environment.insert(u"MORTAR_TRACE"_s, tracePath);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(EXITPATHS_PATH), {mode});
    QVERIFY2(process.waitForStarted(30'000), qPrintable(process.errorString()));
    const qint64 pid = process.processId();
    QVERIFY2(process.waitForFinished(120'000), qPrintable(process.errorString()));
    const QByteArray out = process.readAllStandardOutput();
    const QByteArray err = process.readAllStandardError();
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(SystemTest::describe(process, out, err)));
    });

    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), exitCode);

    // Cleanup ran, once, and saw the exit code already decided.
    QFile marker(markerPath);
    QVERIFY2(marker.open(QIODevice::ReadOnly), "the pre_close handler did not run");
    QCOMPARE(marker.readAll(), "pre_close " + QByteArray::number(codeAtPreClose) + '\n');

    // Whether main() got control back (exec() returned the code) or the close ended the process.
    if (returnedFrom.isEmpty()) {
        QVERIFY2(!out.contains("returned"), out.constData());
    } else {
        const QByteArray expected =
                returnedFrom.toUtf8() + " returned " + QByteArray::number(exitCode) + '\n';
        QCOMPARE(out, expected);
    }
    if (!stderrText.isEmpty())
        QVERIFY2(err.contains(stderrText.toUtf8()), err.constData());

    const SystemTest::TraceFile trace = SystemTest::readTrace(tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    QCOMPARE(trace.header.value(u"label"_s).toString(), u"exitpaths"_s);
    QCOMPARE(trace.header.value(u"pid"_s).toInteger(), pid);
    QCOMPARE(trace.eventsOfKind(u"close.begin"_s).size(), 1);
    const QList<QJsonObject> closeEnds = trace.eventsOfKind(u"close.end"_s);
    QCOMPARE(closeEnds.size(), 1);
    QCOMPARE(closeEnds.constFirst().value(u"code"_s).toInt(-1), exitCode);
    const QJsonObject postCloseEnd = trace.first(u"hook.end"_s, u"post_close"_s);
    QVERIFY2(!postCloseEnd.isEmpty(), "no hook.end event for post_close");
    QVERIFY(postCloseEnd.value(u"seq"_s).toInteger()
            < closeEnds.constFirst().value(u"seq"_s).toInteger());

    // Hooks keep their order on every path: a run phase that began also ended, before the close;
    // the close runs pre_close then post_close, and nothing after them.
    QStringList hooks;
    for (const QJsonObject &event : trace.eventsOfKind(u"hook.begin"_s))
        hooks.append(event.value(u"hook"_s).toString());
    QCOMPARE(hooks.count(u"pre_run"_s), hooks.count(u"post_run"_s));
    const qsizetype closeAt = hooks.indexOf(u"pre_close"_s);
    QVERIFY2(closeAt >= 0, qPrintable(hooks.join(u", "_s)));
    QCOMPARE(hooks.mid(closeAt), QStringList({u"pre_close"_s, u"post_close"_s}));
    if (!failedHandler.isEmpty()) {
        const QList<QJsonObject> failed = trace.eventsWhere([&](const QJsonObject &e) {
            return e.value(u"kind"_s).toString() == u"handler.end"_s
                    && e.value(u"handler"_s).toString() == failedHandler;
        });
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.constFirst().value(u"status"_s).toString(), u"failed"_s);
        QVERIFY(failed.constFirst().value(u"error"_s).toString().contains(u"cleanup failed"_s));
    }
}

QTEST_GUILESS_MAIN(tst_ExitPaths)
#include "tst_exitpaths.moc"

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The examples, run the way a user runs them: what they print, how they exit, what they leave.
#include "systemtest.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_Examples : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exitStatus();
    void cleanup();
};

void tst_Examples::exitStatus()
{
    QTemporaryDir dir;
    QVERIFY2(dir.isValid(), qPrintable(dir.errorString()));
    const QString tracePath = dir.filePath(u"trace.jsonl"_s);

    QProcess process;
    QProcessEnvironment environment = SystemTest::childEnvironment();
    environment.insert(u"MORTAR_TRACE"_s, tracePath);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(EXIT_STATUS_EXAMPLE_PATH), {});
    QVERIFY2(process.waitForStarted(30'000), qPrintable(process.errorString()));
    QVERIFY2(process.waitForFinished(120'000), qPrintable(process.errorString()));
    const QByteArray out = process.readAllStandardOutput();
    const QByteArray err = process.readAllStandardError();
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(SystemTest::describe(process, out, err)));
    });

    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 100);
    // Qt's default message pattern: "<category>: <message>", the category being the App's label.
    QVERIFY(err.contains("myapp: Caught Exception: the work could not be done\n"));

    // The app closed in order: pre_close ran, and the close ended with the code the body set.
    const SystemTest::TraceFile trace = SystemTest::readTrace(tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    QCOMPARE(trace.header.value(u"label"_s).toString(), u"myapp"_s);
    QVERIFY(!trace.first(u"hook.end"_s, u"pre_close"_s).isEmpty());
    QVERIFY(!trace.first(u"hook.end"_s, u"post_close"_s).isEmpty());
    const QList<QJsonObject> closeEnds = trace.eventsOfKind(u"close.end"_s);
    QCOMPARE(closeEnds.size(), 1);
    QCOMPARE(closeEnds.constFirst().value(u"code"_s).toInt(-1), 100);
}

void tst_Examples::cleanup()
{
    QTemporaryDir parent;
    QVERIFY2(parent.isValid(), qPrintable(parent.errorString()));

    QProcess process;
    process.setProcessEnvironment(SystemTest::childEnvironment());
    QByteArray err;
    connect(&process, &QProcess::readyReadStandardError, this,
            [&] { err += process.readAllStandardError(); });
    process.start(QStringLiteral(CLEANUP_EXAMPLE_PATH), {parent.path()});
    QVERIFY2(process.waitForStarted(30'000), qPrintable(process.errorString()));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed()) {
            if (process.state() != QProcess::NotRunning) {
                process.kill();
                process.waitForFinished(30'000);
            }
            qWarning("%s",
                     qPrintable(
                             SystemTest::describe(process, process.readAllStandardOutput(), err)));
        }
    });

    // While it runs — it waits for a line on stdin — its work directory exists.
    QTRY_VERIFY_WITH_TIMEOUT(err.contains("Press Enter"), 60'000);
    static const QRegularExpression created(u"^cleanup: Created work directory (.+)$"_s,
                                            QRegularExpression::MultilineOption);
    const QRegularExpressionMatch match = created.match(QString::fromLocal8Bit(err));
    QVERIFY2(match.hasMatch(), err.constData());
    const QString workDirectory = match.captured(1);
    QCOMPARE(QFileInfo(workDirectory).absolutePath(), QFileInfo(parent.path()).absoluteFilePath());
    QVERIFY(QFileInfo(workDirectory).isDir());
    QVERIFY(QFileInfo::exists(QDir(workDirectory).filePath(u"data.txt"_s)));

    process.write("\n");
    process.closeWriteChannel();
    QVERIFY2(process.waitForFinished(120'000), qPrintable(process.errorString()));
    err += process.readAllStandardError();

    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    // The pre_close handler removed it, and said so.
    QVERIFY2(!QFileInfo::exists(workDirectory), qPrintable(workDirectory));
    QVERIFY(err.contains(
            QByteArray("cleanup: Removed work directory " + workDirectory.toLocal8Bit() + '\n')));
    QVERIFY(QDir(parent.path()).isEmpty());
}

QTEST_GUILESS_MAIN(tst_Examples)
#include "tst_examples.moc"

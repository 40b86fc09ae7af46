// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The files a real app (apps/faults) writes, against a hostile file system and a hard kill
// (spec §6.1, §9): a symbolic link planted where the pid file or the trace file goes is refused,
// never followed; the trace file is private (0600); and it is written during the run phase, so
// a SIGKILL loses at most about a second of it.
#include "faulttest.h"

#include <QFileInfo>
#include <QScopeGuard>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace {

QByteArray contentOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(missing)");
}

int modeOf(const QString &path)
{
    struct stat status = {};
    return ::stat(QFile::encodeName(path).constData(), &status) == 0 ? int(status.st_mode & 0777)
                                                                     : -1;
}

} // namespace

class tst_FileSafety : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pidFileSymlinkIsRefused_data();
    void pidFileSymlinkIsRefused();
    void traceFileSymlinkIsRefused();
    void traceFileIsPrivate();
    void traceFileIsWrittenDuringTheRun();
    void pidFileStaysRegisteredUntilRemoved();
};

void tst_FileSafety::pidFileSymlinkIsRefused_data()
{
    QTest::addColumn<bool>("dangling");
    // Another user's file, linked where the pid file goes: it holds no pid, so it looked stale
    // and was replaced through the link.
    QTest::addRow("link to a file") << false;
    // A link to nowhere: the app created the file at its target, and left it behind.
    QTest::addRow("dangling link") << true;
}

void tst_FileSafety::pidFileSymlinkIsRefused()
{
    QFETCH(bool, dangling);
    FaultTest::Run run;
    QVERIFY(run.dir.isValid());
    const QString target = run.dir.filePath(u"someone-elses-file"_s);
    if (!dangling) {
        QFile file(target);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("precious\n");
    }
    const QString link = run.dir.filePath(u"shared.pid"_s);
    QVERIFY(QFile::link(target, link));
    QProcessEnvironment extra;
    extra.insert(u"FAULTS_PIDFILE"_s, link);
    QString why;
    QVERIFY2(run.start({u"loop"_s}, &why, extra), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    const bool ended = run.finish(15'000);
    if (!ended) {
        run.sendSignal(SIGTERM);
        run.finish();
    }
    QVERIFY2(ended, "the app started with a symbolic link as its pid file");
    QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.process.exitCode(), 78);
    QVERIFY2(run.err.contains(link.toLocal8Bit()) && run.err.contains("symbolic link"),
             run.err.constData());
    // Neither followed nor replaced.
    QVERIFY(QFileInfo(link).isSymLink());
    QCOMPARE(QFileInfo(link).symLinkTarget(), target);
    if (dangling)
        QVERIFY2(!QFileInfo::exists(target), "the link's target was created");
    else
        QCOMPARE(contentOf(target), "precious\n");
}

void tst_FileSafety::traceFileSymlinkIsRefused()
{
    FaultTest::Run run;
    QVERIFY(run.dir.isValid());
    const QString target = run.dir.filePath(u"someone-elses-file"_s);
    {
        QFile file(target);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("precious\n");
    }
    const QString link = run.dir.filePath(u"trace-link.jsonl"_s);
    QVERIFY(QFile::link(target, link));
    QProcessEnvironment extra;
    extra.insert(u"MORTAR_TRACE"_s, link);
    QString why;
    QVERIFY2(run.start({u"loop"_s}, &why, extra), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    const bool ended = run.finish(15'000);
    if (!ended) {
        run.sendSignal(SIGTERM);
        run.finish();
    }
    QVERIFY2(ended, "the app started with a symbolic link as its trace file");
    QCOMPARE(run.process.exitCode(), 78);
    QVERIFY2(run.err.contains(link.toLocal8Bit()) && run.err.contains("symbolic link"),
             run.err.constData());
    QCOMPARE(contentOf(target), "precious\n");
    QVERIFY(QFileInfo(link).isSymLink());
}

void tst_FileSafety::traceFileIsPrivate()
{
    // New: created 0600. Existing and readable by others: made 0600, as it is rewritten.
    for (const bool existing : {false, true}) {
        FaultTest::Run run;
        QVERIFY(run.dir.isValid());
        const QString path = run.dir.filePath(u"private-trace.jsonl"_s);
        if (existing) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QVERIFY(file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup
                                        | QFile::ReadOther));
        }
        QProcessEnvironment extra;
        extra.insert(u"MORTAR_TRACE"_s, path);
        // Whatever the test runner's umask, the mode is the app's choice.
        QString why;
        QVERIFY2(run.start({u"loop"_s}, &why, extra), qPrintable(why));
        auto explain = qScopeGuard([&] {
            if (QTest::currentTestFailed())
                qWarning("%s", qPrintable(run.describe()));
        });
        QVERIFY(run.waitForLine("ready"));
        QCOMPARE(modeOf(path), 0600);
        QVERIFY(run.sendSignal(SIGTERM));
        QVERIFY(run.finish());
        QCOMPARE(run.process.exitCode(), 128 + SIGTERM);
        QCOMPARE(modeOf(path), 0600);
    }
}

void tst_FileSafety::traceFileIsWrittenDuringTheRun()
{
    // An app that logs for 2.5 s and is then SIGKILLed (an OOM kill): its file holds what it
    // logged, not just the header and the setup.
    FaultTest::Run run;
    QString why;
    QVERIFY2(run.start({u"log-then-wait"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.waitForLine("logged"));
    QVERIFY(run.sendSignal(SIGKILL));
    QVERIFY(run.finish());
    QCOMPARE(run.process.exitStatus(), QProcess::CrashExit);

    const SystemTest::TraceFile trace = SystemTest::readTrace(run.tracePath);
    QVERIFY2(trace.isValid(), qPrintable(trace.error));
    const QList<QJsonObject> logs = trace.eventsWhere([](const QJsonObject &event) {
        return event.value(u"kind"_s).toString() == u"log"_s
                && event.value(u"message"_s).toString().startsWith(u"early line "_s);
    });
    qInfo("%lld log lines of about 250 reached the file before the SIGKILL", qint64(logs.size()));
    QVERIFY(!logs.isEmpty());
    QCOMPARE(logs.constFirst().value(u"message"_s).toString(), u"early line 0"_s);
    // It logged for 2.5 s, and the file is at most about a second behind.
    QVERIFY2(logs.size() >= 100, qPrintable(QString::number(logs.size())));
}

void tst_FileSafety::pidFileStaysRegisteredUntilRemoved()
{
    // The watchdog firing during "remove pid file" left the pid file (1 in 300 runs): the path
    // was unregistered from the emergency cleanup before the file was removed. A thread of the
    // app watches 300 closes for that window.
    FaultTest::Run run;
    QString why;
    QVERIFY2(run.start({u"pidfile-cycles"_s}, &why), qPrintable(why));
    auto explain = qScopeGuard([&] {
        if (QTest::currentTestFailed())
            qWarning("%s", qPrintable(run.describe()));
    });
    QVERIFY(run.finish());
    QCOMPARE(run.process.exitCode(), 0);
    QVERIFY2(run.out.contains("violations 0\n"), run.out.constData());
    QVERIFY(!run.pidFileExists());
}

QTEST_GUILESS_MAIN(tst_FileSafety)
#include "tst_file_safety.moc"

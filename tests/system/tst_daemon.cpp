// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// examples/daemon run as a service manager runs it: started, checked while it runs (pid file,
// state directory), a second copy refused, and stopped with SIGTERM — after which its slow,
// asynchronous pre_close must have finished and its files must be gone.
#include "systemtest.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

using SystemTest::readFile;

/*! The daemon, with its runtime directory (pid file), temporary directory and trace file in
    \a dir, so that the test sees them and leaves nothing behind. */
class Daemon : public SystemTest::ReadyProcess
{
public:
    explicit Daemon(const QTemporaryDir &dir)
        : m_tracePath(dir.filePath(u"trace-%1.jsonl"_s.arg(++s_started)))
    {
        QProcessEnvironment environment = SystemTest::childEnvironment();
        environment.insert(u"XDG_RUNTIME_DIR"_s, dir.filePath(u"run"_s));
        environment.insert(u"TMPDIR"_s, dir.filePath(u"tmp"_s));
        environment.insert(u"MORTAR_TRACE"_s, m_tracePath);
        start(QStringLiteral(DAEMON_EXAMPLE_PATH), {}, environment);
    }
    /*! Waits for "ready <pid file> <state directory>"; false if the daemon ended first. */
    bool waitForReady()
    {
        const QList<QByteArray> words = readReadyLine(2);
        if (words.isEmpty())
            return false;
        m_pidFile = QString::fromLocal8Bit(words.at(0));
        m_stateDir = QString::fromLocal8Bit(words.at(1));
        return true;
    }

    QString pidFile() const { return m_pidFile; }
    QString stateDir() const { return m_stateDir; }
    QString tracePath() const { return m_tracePath; }

private:
    static inline int s_started = 0;
    const QString m_tracePath;
    QString m_pidFile, m_stateDir;
};

} // namespace

class tst_Daemon : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY2(m_dir.isValid(), qPrintable(m_dir.errorString()));
        // A runtime directory must be private (QStandardPaths checks); TMPDIR must exist.
        const auto owner = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
        for (const QString &sub : {u"run"_s, u"tmp"_s}) {
            if (!QFileInfo::exists(m_dir.filePath(sub)))
                QVERIFY(QDir(m_dir.path()).mkdir(sub, owner));
        }
    }

    void runsWithPidFileAndState()
    {
        Daemon daemon(m_dir);
        QVERIFY2(daemon.waitForReady(), qPrintable(daemon.describe()));
        QCOMPARE(daemon.pidFile(), m_dir.filePath(u"run/daemon.pid"_s));
        QCOMPARE(readFile(daemon.pidFile()), QByteArray::number(daemon.pid()) + '\n');
        QVERIFY(QFileInfo(daemon.stateDir()).isDir());
        QCOMPARE(QFileInfo(daemon.stateDir()).absolutePath(), m_dir.filePath(u"tmp"_s));
        // Its work keeps its state there (a tick a second).
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(daemon.stateDir() + u"/state"_s), 10'000);
    }

    void secondCopyIsRefused()
    {
        Daemon first(m_dir);
        QVERIFY2(first.waitForReady(), qPrintable(first.describe()));

        Daemon second(m_dir);
        QVERIFY(!second.waitForReady());
        QVERIFY(second.waitForFinished());
        auto explain = qScopeGuard([&] {
            if (QTest::currentTestFailed())
                qWarning("%s", qPrintable(second.describe()));
        });
        QCOMPARE(second.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(second.process().exitCode(), 78);
        const QByteArray expected =
                "daemon: Unable to load extension 'mortar.pidfile': the pid file "
                + first.pidFile().toLocal8Bit() + " is held by process "
                + QByteArray::number(first.pid()) + ", which is running";
        QVERIFY(second.err().contains(expected));
        QCOMPARE(readFile(first.pidFile()), QByteArray::number(first.pid()) + '\n');
        QVERIFY(QFileInfo(first.stateDir()).isDir());
    }

    void sigtermClosesInOrder()
    {
        Daemon daemon(m_dir);
        QVERIFY2(daemon.waitForReady(), qPrintable(daemon.describe()));
        const QString pidFile = daemon.pidFile();
        const QString stateDir = daemon.stateDir();
        QVERIFY(QFileInfo::exists(pidFile));
        QVERIFY(QFileInfo(stateDir).isDir());

        daemon.process().terminate(); // SIGTERM
        QVERIFY(daemon.waitForFinished());
        auto explain = qScopeGuard([&] {
            if (QTest::currentTestFailed())
                qWarning("%s", qPrintable(daemon.describe()));
        });
        QCOMPARE(daemon.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(daemon.process().exitCode(), 143); // 128 + SIGTERM
        QVERIFY(!QFileInfo::exists(pidFile));
        QVERIFY(!QFileInfo::exists(stateDir));
        const QByteArray flushedLine = "daemon: State flushed to " + stateDir.toLocal8Bit();
        QVERIFY(daemon.err().contains(flushedLine));

        const SystemTest::TraceFile trace = SystemTest::readTrace(daemon.tracePath());
        QVERIFY2(trace.isValid(), qPrintable(trace.error));
        QCOMPARE(trace.first(u"close.begin"_s).value(u"cause"_s).toString(), u"signal"_s);
        QCOMPARE(trace.first(u"close.end"_s).value(u"code"_s).toInt(), 143);
        // The slow asynchronous pre_close finished (not timed out), after ~200 ms, before
        // post_close removed the files.
        const auto handlerEvent = [&](const QString &kind, const QString &handler) {
            const QList<QJsonObject> found = trace.eventsWhere([&](const QJsonObject &e) {
                return e.value(u"kind"_s).toString() == kind
                        && e.value(u"handler"_s).toString() == handler;
            });
            return found.size() == 1 ? found.constFirst() : QJsonObject();
        };
        const QJsonObject flushed = handlerEvent(u"deferral.end"_s, u"flush state"_s);
        QVERIFY2(!flushed.isEmpty(), "no single deferral.end of 'flush state'");
        QCOMPARE(flushed.value(u"hook"_s).toString(), u"pre_close"_s);
        QCOMPARE(flushed.value(u"status"_s).toString(), u"ok"_s);
        QVERIFY(flushed.value(u"durationNs"_s).toInteger() >= 150'000'000);
        for (const QString &cleanup : {u"remove temporary files"_s, u"remove pid file"_s}) {
            const QJsonObject begin = handlerEvent(u"handler.begin"_s, cleanup);
            const QJsonObject end = handlerEvent(u"handler.end"_s, cleanup);
            QVERIFY2(!begin.isEmpty() && !end.isEmpty(), qPrintable(cleanup));
            QCOMPARE(begin.value(u"hook"_s).toString(), u"post_close"_s);
            QVERIFY(begin.value(u"seq"_s).toInteger() > flushed.value(u"seq"_s).toInteger());
            QCOMPARE(end.value(u"status"_s).toString(), u"ok"_s);
        }
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(tst_Daemon)
#include "tst_daemon.moc"

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The pid file (mortar.pidfile) between real processes, apps/pidfileholder: a second instance is
// refused while the first runs, a killed instance's file is taken over, of several instances
// started at the same moment exactly one runs, and a crashing one leaves no files behind.
#include "systemtest.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

using SystemTest::readFile;

/*! One pidfileholder process. */
class Holder : public SystemTest::ReadyProcess
{
public:
    explicit Holder(const QString &pidFile, const QString &mode = u"hold"_s)
    {
        start(QStringLiteral(PIDFILEHOLDER_PATH), {pidFile, mode}, SystemTest::childEnvironment());
    }

    /*! Waits for "ready <pid file> <temporary file>"; false if the process ended first. */
    bool waitForReady()
    {
        const QList<QByteArray> words = readReadyLine(2);
        if (words.isEmpty())
            return false;
        m_pidFile = QString::fromLocal8Bit(words.at(0));
        m_tempFile = QString::fromLocal8Bit(words.at(1));
        return true;
    }
    /*! Lets a holding process close normally (it waits for a line on stdin). */
    void release() { process().closeWriteChannel(); }

    QString pidFile() const { return m_pidFile; }
    QString tempFile() const { return m_tempFile; }

private:
    QString m_pidFile, m_tempFile;
};

} // namespace

class tst_PidFileProcess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY2(m_dir.isValid(), qPrintable(m_dir.errorString()));
        m_pidFile = m_dir.filePath(u"run/holder.pid"_s);
    }

    void secondInstanceIsRefused()
    {
        Holder first(m_pidFile);
        QVERIFY2(first.waitForReady(), qPrintable(first.describe()));
        const qint64 firstPid = first.pid();
        QCOMPARE(first.pidFile(), m_pidFile);
        QCOMPARE(readFile(m_pidFile), QByteArray::number(firstPid) + '\n');

        Holder second(m_pidFile);
        QVERIFY(second.waitForFinished());
        auto explain = qScopeGuard([&] {
            if (QTest::currentTestFailed())
                qWarning("%s", qPrintable(second.describe()));
        });
        QCOMPARE(second.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(second.process().exitCode(), 78);
        const QByteArray expected =
                "pidfileholder: Unable to load extension 'mortar.pidfile': the pid file "
                + m_pidFile.toLocal8Bit() + " is held by process " + QByteArray::number(firstPid)
                + ", which is running";
        QVERIFY(second.err().contains(expected));
        // The first one's file is untouched, and the first one still ends cleanly.
        QCOMPARE(readFile(m_pidFile), QByteArray::number(firstPid) + '\n');

        first.release();
        QVERIFY(first.waitForFinished());
        QCOMPARE(first.process().exitCode(), 0);
        QVERIFY(!QFileInfo::exists(m_pidFile));
        QVERIFY(!QFileInfo::exists(first.tempFile()));
    }

    void killedInstanceLeavesAStaleFile()
    {
        // SIGKILL: nothing of the process runs, not even the emergency cleanup.
        Holder killed(m_pidFile);
        QVERIFY2(killed.waitForReady(), qPrintable(killed.describe()));
        const qint64 killedPid = killed.pid();
        killed.process().kill();
        QVERIFY(killed.waitForFinished());
        QCOMPARE(readFile(m_pidFile), QByteArray::number(killedPid) + '\n');
        QFile::remove(killed.tempFile());

        Holder next(m_pidFile);
        QVERIFY2(next.waitForReady(), qPrintable(next.describe()));
        QCOMPARE(readFile(m_pidFile), QByteArray::number(next.pid()) + '\n');
        next.release();
        QVERIFY(next.waitForFinished());
        QCOMPARE(next.process().exitCode(), 0);
        const QByteArray warning = "Replacing the stale pid file " + m_pidFile.toLocal8Bit()
                + ": process " + QByteArray::number(killedPid) + " is not running";
        QVERIFY2(next.err().contains(warning), next.err().constData());
        QVERIFY(!QFileInfo::exists(m_pidFile));
    }

    void simultaneousStartsHaveOneWinner()
    {
        // Started together, they race for the pid file; the lock beside it lets one win and
        // makes every other one find it held.
        constexpr int Count = 4;
        std::vector<std::unique_ptr<Holder>> holders;
        for (int i = 0; i < Count; ++i)
            holders.push_back(std::make_unique<Holder>(m_pidFile));

        Holder *winner = nullptr;
        for (const auto &holder : holders) {
            if (holder->waitForReady()) {
                QVERIFY2(!winner, "two instances hold the pid file");
                winner = holder.get();
            }
        }
        QVERIFY(winner);
        QCOMPARE(readFile(m_pidFile), QByteArray::number(winner->pid()) + '\n');
        for (const auto &holder : holders) {
            if (holder.get() == winner)
                continue;
            QVERIFY(holder->waitForFinished());
            QVERIFY2(holder->process().exitCode() == 78, qPrintable(holder->describe()));
            const QByteArray refusal = "is held by process " + QByteArray::number(winner->pid());
            QVERIFY(holder->err().contains(refusal));
        }
        winner->release();
        QVERIFY(winner->waitForFinished());
        QCOMPARE(winner->process().exitCode(), 0);
        QVERIFY(!QFileInfo::exists(m_pidFile));
    }

    void crashRunsTheEmergencyCleanup()
    {
        // std::abort(): no close, but the crash handler's emergency cleanup removes what the
        // extensions registered, then the process dies of SIGABRT as it would have.
        Holder crashing(m_pidFile, u"abort"_s);
        QVERIFY2(crashing.waitForReady(), qPrintable(crashing.describe()));
        const QString tempFile = crashing.tempFile();
        QVERIFY(QFileInfo::exists(tempFile));
        crashing.release(); // it aborts once told to: the files were there until then
        QVERIFY(crashing.waitForFinished());
        auto explain = qScopeGuard([&] {
            if (QTest::currentTestFailed())
                qWarning("%s", qPrintable(crashing.describe()));
        });
        QCOMPARE(crashing.process().exitStatus(), QProcess::CrashExit);
        QCOMPARE(crashing.process().exitCode(), SIGABRT);
        QVERIFY(!QFileInfo::exists(m_pidFile));
        QVERIFY(!QFileInfo::exists(tempFile));
    }

private:
    QTemporaryDir m_dir;
    QString m_pidFile;
};

QTEST_GUILESS_MAIN(tst_PidFileProcess)
#include "tst_pidfile_process.moc"

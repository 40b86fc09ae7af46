// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The mortar.pidfile extension (pidfile.h): where it writes, what, when it refuses to start,
// stale files, and that the close removes only a file that is still ours. Second instances as
// real processes: tests/system/tst_pidfile_process.cpp.
#include "mortartest.h"
#include <mortar/app.h>
#include <mortar/emergencycleanup.h>
#include <mortar/pidfile.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::App;
using Mortar::PidFile;

namespace {
bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(unreadable)");
}

QByteArray ownPidLine()
{
    return QByteArray::number(QCoreApplication::applicationPid()) + '\n';
}

/*! The pid of a process that ran and was reaped: no process has it (until it is reused). */
qint64 deadPid()
{
    QProcess process;
    process.start(u"true"_s, {});
    if (!process.waitForStarted(30'000))
        return 0;
    const qint64 pid = process.processId(); // QProcess forgets it once the process ended
    return process.waitForFinished(30'000) ? pid : 0;
}

Mortar::AppOptions pidFileOptions(const QString &path, const QString &label = u"pidtest"_s)
{
    return {.label = label,
            .extensions = {u"mortar.pidfile"_s},
            .configDefaults = {{u"pidfile/path"_s, path}}};
}
} // namespace

class tst_PidFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY2(m_dir.isValid(), qPrintable(m_dir.errorString()));
        m_path = m_dir.filePath(u"run/pidtest.pid"_s);
        QFile::remove(m_path);
    }

    void defaultPathIsInTheRuntimeDirectory()
    {
        const QByteArray saved = qgetenv("XDG_RUNTIME_DIR");
        auto restore = qScopeGuard([&] { qputenv("XDG_RUNTIME_DIR", saved); });
        QTemporaryDir runtime; // mode 0700, as QStandardPaths wants a runtime directory
        QVERIFY(runtime.isValid());
        qputenv("XDG_RUNTIME_DIR", runtime.path().toLocal8Bit());

        App app({.label = u"pidtest"_s, .extensions = {u"mortar.pidfile"_s}});
        QCOMPARE(PidFile::configuredPath(app), runtime.filePath(u"pidtest.pid"_s));
        QVERIFY(app.setup());
        QCOMPARE(PidFile::path(app), runtime.filePath(u"pidtest.pid"_s));
        QCOMPARE(readFile(PidFile::path(app)), ownPidLine());

        App relative(
                {.label = u"other"_s, .configDefaults = {{u"pidfile/path"_s, u"sub/other.pid"_s}}});
        QCOMPARE(PidFile::configuredPath(relative), runtime.filePath(u"sub/other.pid"_s));
    }

    void presentWhileRunning()
    {
        App app(pidFileOptions(m_path));
        QCOMPARE(PidFile::path(app), QString());
        QVERIFY(app.setup());
        QCOMPARE(PidFile::path(app), m_path);
        QCOMPARE(readFile(m_path), ownPidLine());
        QCOMPARE(PidFile::readPid(m_path), QCoreApplication::applicationPid());
        QVERIFY(Mortar::EmergencyCleanup::instance().paths().contains(m_path));
        QVERIFY(!QFileInfo::exists(m_path + u".lock"_s)); // held only while writing

        // The missing directory was made, private.
        const QFile::Permissions dirPermissions = QFile::permissions(m_dir.filePath(u"run"_s));
        QCOMPARE(dirPermissions & 0xF0FF, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

        QVERIFY(app.run());
        QCOMPARE(readFile(m_path), ownPidLine());
        app.close();
        QCOMPARE(app.exitCode(), 0);
        QVERIFY(!QFileInfo::exists(m_path));
        QVERIFY(!Mortar::EmergencyCleanup::instance().paths().contains(m_path));
        QCOMPARE(PidFile::path(app), QString());
    }

    void theExtensionsHandler()
    {
        App app(pidFileOptions(m_path));
        QVERIFY(app.setup());
        const QList<Mortar::HandlerInfo> handlers = app.hooks().handlers(u"post_close"_s);
        const auto it = std::find_if(handlers.cbegin(), handlers.cend(), [](const auto &h) {
            return h.name() == u"remove pid file"_s;
        });
        QVERIFY(it != handlers.cend());
        QCOMPARE(it->owner(), u"extension:mortar.pidfile"_s);
        QCOMPARE(it->weight(), 2000);
        // After the temporary files: the pid file goes last.
        app.tempFiles();
        QCOMPARE(app.hooks().handlers(u"post_close"_s).constLast().name(), u"remove pid file"_s);
    }

    void staleFileIsReplaced_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>(
                "why"); // the warning says: Replacing the stale pid file <path>: <why>
        const qint64 dead = deadPid();
        QVERIFY(dead > 0);
        QVERIFY(!PidFile::isProcessRunning(dead));
        const QString noPid = u"it holds no process id"_s;
        QTest::addRow("dead process") << QByteArray::number(dead) + '\n'
                                      << u"process %1 is not running"_s.arg(dead);
        QTest::addRow("garbage") << QByteArray("not a pid\n") << noPid;
        QTest::addRow("empty") << QByteArray() << noPid;
        QTest::addRow("pid 0") << QByteArray("0\n") << noPid;
        QTest::addRow("negative") << QByteArray("-1\n") << noPid;
    }

    void staleFileIsReplaced()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, why);
        QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
        QVERIFY(writeFile(m_path, content));

        App app(pidFileOptions(m_path));
        const QString expected = u"Replacing the stale pid file %1: %2"_s.arg(m_path, why);
        QTest::ignoreMessage(QtWarningMsg, qPrintable(expected));
        QVERIFY(app.setup());
        QCOMPARE(readFile(m_path), ownPidLine());
        app.close();
        QVERIFY(!QFileInfo::exists(m_path));
    }

    void liveHolderIsRefused()
    {
        // The holder: a real, running process.
        QProcess holder;
        holder.start(u"sleep"_s, {u"30"_s});
        QVERIFY2(holder.waitForStarted(30'000), qPrintable(holder.errorString()));
        auto stop = qScopeGuard([&] {
            holder.kill();
            holder.waitForFinished(30'000);
        });
        const qint64 holderPid = holder.processId();
        QVERIFY(PidFile::isProcessRunning(holderPid));
        QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
        const QByteArray holderLine = QByteArray::number(holderPid) + '\n';
        QVERIFY(writeFile(m_path, holderLine));

        App app(pidFileOptions(m_path));
        const QString expected =
                u"Unable to load extension 'mortar.pidfile': the pid file %1 is held by process "
                u"%2, which is running: is another 'pidtest' running? (If process %2 is not a "
                u"'pidtest', remove %1.)"_s.arg(m_path)
                        .arg(holderPid);
        QTest::ignoreMessage(QtCriticalMsg, qPrintable(expected));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QCOMPARE(result.errorString(), expected);
        QCOMPARE(app.exitCode(), 78);
        QCOMPARE(app.state(), App::State::Closed);
        // The holder's file is left as it was, and not ours to remove in an emergency.
        QCOMPARE(readFile(m_path), holderLine);
        QCOMPARE(PidFile::path(app), QString());
        QVERIFY(!Mortar::EmergencyCleanup::instance().paths().contains(m_path));
        QVERIFY(!QFileInfo::exists(m_path + u".lock"_s));
    }

    void secondAppInTheSameProcessIsRefused()
    {
        App first(pidFileOptions(m_path));
        QVERIFY(first.setup());
        App second(pidFileOptions(m_path));
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"held by this process"_s));
        const Mortar::Result result = second.setup();
        QVERIFY(!result);
        QVERIFY2(result.errorString().contains(m_path), qPrintable(result.errorString()));
        QCOMPARE(second.exitCode(), 78);
        QCOMPARE(readFile(m_path), ownPidLine()); // the first one's, untouched
        first.close();
        QVERIFY(!QFileInfo::exists(m_path));
    }

    void closeLeavesAFileThatIsNoLongerOurs()
    {
        App app(pidFileOptions(m_path));
        QVERIFY(app.setup());
        QVERIFY(writeFile(m_path, "1\n")); // replaced by someone else meanwhile
        QTest::ignoreMessage(QtWarningMsg,
                             qPrintable(u"Leaving the pid file %1 alone: it names process 1 now, "
                                        u"not this one"_s.arg(m_path)));
        app.close();
        QCOMPARE(app.exitCode(), 0);
        QCOMPARE(readFile(m_path), QByteArray("1\n"));
        QVERIFY(!Mortar::EmergencyCleanup::instance().paths().contains(m_path));
    }

    void closeWhenTheFileIsGone()
    {
        App app(pidFileOptions(m_path));
        QVERIFY(app.setup());
        QVERIFY(QFile::remove(m_path));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"removed by someone else"_s));
        app.close();
        QCOMPARE(app.exitCode(), 0);
    }

    void setupFailingLaterRemovesIt()
    {
        // The pid file is written; then setup fails (an unknown extension named later would be
        // caught before any load, so a throwing binding check is used: an undefined hook).
        App app({.label = u"pidtest"_s,
                 .hooks = {{u"never_defined"_s, [] {}}},
                 .extensions = {u"mortar.pidfile"_s},
                 .configDefaults = {{u"pidfile/path"_s, m_path}}});
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"never_defined"_s));
        QVERIFY(!app.setup());
        QCOMPARE(app.exitCode(), 78);
        QVERIFY(!QFileInfo::exists(m_path));
    }

    void unwritableLocationFailsSetup()
    {
        App app(pidFileOptions(u"/proc/mortar-test/pidtest.pid"_s));
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"mortar.pidfile"_s));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY2(result.errorString().contains(u"/proc/mortar-test"_s),
                 qPrintable(result.errorString()));
        QCOMPARE(app.exitCode(), 78);
    }

    void unreadableFileIsNotReplaced()
    {
        // Where the pid file should be, something that cannot be read as one: a directory.
        QVERIFY(QDir().mkpath(m_path));
        App app(pidFileOptions(m_path));
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"Unable to read the pid file"_s));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY2(
                result.errorString().startsWith(
                        u"Unable to load extension 'mortar.pidfile': Unable to read the pid file "_s
                        + m_path),
                qPrintable(result.errorString()));
        QCOMPARE(app.exitCode(), 78);
        QVERIFY(QFileInfo(m_path).isDir());
        QVERIFY(QDir(m_path).removeRecursively());
    }

    void readPid_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<qint64>("pid");
        QTest::addRow("line") << QByteArray("1234\n") << qint64(1234);
        QTest::addRow("no newline") << QByteArray("1234") << qint64(1234);
        QTest::addRow("spaces") << QByteArray("  1234  \n") << qint64(1234);
        QTest::addRow("trailing text") << QByteArray("1234 x\n") << qint64(0);
        QTest::addRow("too large") << QByteArray("99999999999\n") << qint64(0);
        QTest::addRow("empty") << QByteArray() << qint64(0);
    }

    void readPid()
    {
        QFETCH(QByteArray, content);
        QFETCH(qint64, pid);
        const QString path = m_dir.filePath(u"read.pid"_s);
        QVERIFY(writeFile(path, content));
        QCOMPARE(PidFile::readPid(path), pid);
        QCOMPARE(PidFile::readPid(m_dir.filePath(u"missing.pid"_s)), qint64(0));
    }

    void isProcessRunning()
    {
        QVERIFY(PidFile::isProcessRunning(QCoreApplication::applicationPid()));
        QVERIFY(PidFile::isProcessRunning(1)); // init: running, maybe not ours (EPERM)
        QVERIFY(!PidFile::isProcessRunning(0));
        QVERIFY(!PidFile::isProcessRunning(-1));
        QVERIFY(!PidFile::isProcessRunning(qint64(INT_MAX) + 1));
        const qint64 dead = deadPid();
        QVERIFY(dead > 0);
        QVERIFY(!PidFile::isProcessRunning(dead));
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
};

MORTAR_TEST_MAIN(tst_PidFile)
#include "tst_pidfile.moc"

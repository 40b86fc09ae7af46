// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The leak census (spec §16) on a real process: a plugin that leaves a QThread running, a
// QTimer active and a descriptor open is named for each, in the log and the trace, before Qt
// aborts the process for the running thread; a plugin that cleans up leaves nothing reported.
#include "systemtest.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;

class tst_LeakCensus : public QObject
{
    Q_OBJECT

private:
    struct Run
    {
        QProcess::ExitStatus status;
        QByteArray out, err;
        SystemTest::TraceFile trace;
    };

    Run run(const QString &variable)
    {
        QTemporaryDir dir;
        const QString tracePath = dir.path() + u"/trace.jsonl"_s;
        QProcessEnvironment env = SystemTest::childEnvironment();
        env.insert(u"MORTAR_TRACE"_s, tracePath);
        if (!variable.isEmpty())
            env.insert(variable, u"1"_s);
        QProcess process;
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(LEAKYHOST_PATH), {QStringLiteral(LEAKY_PLUGIN_DIR)});
        process.waitForFinished(30'000);
        return {process.exitStatus(), process.readAllStandardOutput(),
                process.readAllStandardError(), SystemTest::readTrace(tracePath)};
    }

    static QList<QJsonObject> leaks(const SystemTest::TraceFile &trace, const QString &kind)
    {
        return trace.eventsWhere(
                [&](const QJsonObject &e) { return e.value(u"kind"_s).toString() == kind; });
    }

private Q_SLOTS:
    void runningThreadIsNamedBeforeQtAborts()
    {
        const Run result = run({});
        // Destroying the plugin object destroys its running QThread: Qt aborts.
        QCOMPARE(result.status, QProcess::CrashExit);
        QVERIFY2(result.err.contains("QThread: Destroyed while thread is still running"),
                 result.err.constData());
        const qsizetype named = result.err.indexOf(
                "Plugin 'leaky' left a running thread alive after its unload(): QThread "
                "'uploader'");
        QVERIFY2(named >= 0, result.err.constData());
        QVERIFY(named < result.err.indexOf("QThread: Destroyed while thread is still running"));
        QVERIFY2(result.err.contains("Plugin 'leaky' left an active timer alive after its "
                                     "unload(): QTimer 'poller'"),
                 result.err.constData());
        QVERIFY2(result.trace.isValid(), qPrintable(result.trace.error));
        const QList<QJsonObject> threads = leaks(result.trace, u"leak.thread"_s);
        QCOMPARE(threads.size(), 1);
        QCOMPARE(threads.constFirst().value(u"plugin"_s).toString(), u"leaky"_s);
        QCOMPARE(threads.constFirst().value(u"owner"_s).toString(), u"plugin:leaky"_s);
        QCOMPARE(threads.constFirst().value(u"objectName"_s).toString(), u"uploader"_s);
        QCOMPARE(leaks(result.trace, u"leak.timer"_s).size(), 1);
    }

    void orphanedLeaksAreCounted()
    {
        const Run result = run(u"LEAKY_ORPHAN"_s);
        QCOMPARE(result.status, QProcess::NormalExit);
        QVERIFY2(result.out.contains("closed"), result.err.constData());
        QVERIFY2(result.trace.isValid(), qPrintable(result.trace.error));
        // The QThread through Qt (with its plugin), and not a second time through the OS.
        const QList<QJsonObject> threads = leaks(result.trace, u"leak.thread"_s);
        QCOMPARE(threads.size(), 1);
        QCOMPARE(threads.constFirst().value(u"plugin"_s).toString(), u"leaky"_s);
        const QList<QJsonObject> timers = leaks(result.trace, u"leak.timer"_s);
        QCOMPARE(timers.size(), 1);
        QCOMPARE(timers.constFirst().value(u"objectName"_s).toString(), u"poller"_s);
        const QList<QJsonObject> fds = leaks(result.trace, u"leak.fd"_s);
        // /dev/null; the leaked thread's event dispatcher has an eventfd of its own.
        QVERIFY(std::any_of(fds.cbegin(), fds.cend(), [](const QJsonObject &e) {
            return e.value(u"target"_s).toString() == u"/dev/null"_s;
        }));
        QVERIFY2(result.err.contains("Still alive after the close: file descriptor"),
                 result.err.constData());
    }

    void cleanPluginReportsNothing()
    {
        const Run result = run(u"LEAKY_CLEAN"_s);
        QCOMPARE(result.status, QProcess::NormalExit);
        QVERIFY2(result.out.contains("closed"), result.err.constData());
        QVERIFY2(result.trace.isValid(), qPrintable(result.trace.error));
        const QList<QJsonObject> any = result.trace.eventsWhere([](const QJsonObject &e) {
            return e.value(u"kind"_s).toString().startsWith(u"leak."_s);
        });
        QVERIFY2(any.isEmpty(), QJsonDocument(any.value(0)).toJson().constData());
        QVERIFY2(!result.err.contains("alive"), result.err.constData());
    }
};

QTEST_GUILESS_MAIN(tst_LeakCensus)
#include "tst_leakcensus.moc"

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The black box (spec §15) on real processes: a run of apps/blackboxapp that ends badly — the
// watchdog, SIGKILL, a crash, failed cleanup — is reported by the next run, naming the handler
// and the cause; a clean run is not. Each test has its own state directory (XDG_STATE_HOME).
#include "systemtest.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

class tst_BlackBox : public QObject
{
    Q_OBJECT

private:
    QProcessEnvironment environment(const QTemporaryDir &state)
    {
        QProcessEnvironment env = SystemTest::childEnvironment();
        env.insert(u"XDG_STATE_HOME"_s, state.path());
        return env;
    }

    struct Run
    {
        QProcess::ExitStatus status;
        int code;
        QByteArray out, err;
        qint64 pid;
    };

    Run run(const QTemporaryDir &state, const QString &mode, bool killWhenHanging = false)
    {
        QProcess process;
        process.setProcessEnvironment(environment(state));
        process.start(QStringLiteral(BLACKBOXAPP_PATH), {mode});
        if (!process.waitForStarted())
            return {QProcess::CrashExit, -1, {}, process.errorString().toUtf8(), 0};
        const qint64 pid = process.processId();
        QByteArray out;
        if (killWhenHanging) {
            QDeadlineTimer deadline(20'000);
            while (!out.contains("hanging") && !deadline.hasExpired()) {
                process.waitForReadyRead(100);
                out += process.readAllStandardOutput();
            }
            // The hanging handler's handler.begin reaches the file within 100 ms (the
            // flusher thread), not at once: a SIGKILL in between would lose it.
            const QString file = state.path() + u"/blackboxapp/last-run.jsonl"_s;
            QDeadlineTimer written(10'000);
            while (!SystemTest::readFile(file).contains(
                           "\"kind\":\"handler.begin\",\"hook\":\"pre_close\",\"handler\":\"sync: "
                           "upload changes\"")
                   && !written.hasExpired())
                QTest::qWait(20);
            ::kill(pid_t(pid), SIGKILL);
        }
        process.waitForFinished(30'000);
        out += process.readAllStandardOutput();
        return {process.exitStatus(), process.exitCode(), out, process.readAllStandardError(), pid};
    }

    /*! The "report" run's answer to \a key. */
    static QByteArray field(const QByteArray &out, const QByteArray &key)
    {
        for (const QByteArray &line : out.split('\n')) {
            if (line.startsWith(QByteArray(key + ' ')))
                return line.mid(key.size() + 1);
            if (line == key)
                return {};
        }
        return "<missing>";
    }

private Q_SLOTS:
    void cleanRunReportsNothing()
    {
        QTemporaryDir state;
        const Run first = run(state, u"clean"_s);
        QCOMPARE(first.code, 0);
        const QString file = state.path() + u"/blackboxapp/last-run.jsonl"_s;
        QVERIFY(QFileInfo::exists(file));
        struct stat info = {};
        QCOMPARE(::stat(QFile::encodeName(file).constData(), &info), 0);
        QCOMPARE(info.st_mode & 0777, 0600u);

        // A lifecycle-only trace: the header, the close, no log message.
        const SystemTest::TraceFile trace = SystemTest::readTrace(file);
        QVERIFY2(trace.isValid(), qPrintable(trace.error));
        QCOMPARE(trace.header.value(u"label"_s).toString(), u"blackboxapp"_s);
        QCOMPARE(trace.header.value(u"pid"_s).toInteger(), first.pid);
        QVERIFY(!trace.eventsWhere([](const QJsonObject &e) {
                          return e.value(u"kind"_s) == u"close.end"_s;
                      }).isEmpty());
        QVERIFY(trace.eventsWhere([](const QJsonObject &e) {
                         return e.value(u"kind"_s) == u"log"_s;
                     }).isEmpty());
        // Successful handlers leave no line (what keeps the black box free on the hot path);
        // only a handler that ran 100 ms or more may be noted, as sampled.
        QVERIFY(trace.eventsWhere([](const QJsonObject &e) {
                         return e.value(u"kind"_s) == u"handler.begin"_s
                                 && !e.value(u"sampled"_s).toBool();
                     }).isEmpty());

        const Run second = run(state, u"report"_s);
        QCOMPARE(second.code, 0);
        QCOMPARE(field(second.out, "ending"), "clean");
        QCOMPARE(field(second.out, "summary"), "");
        QCOMPARE(field(second.out, "postMortem"), "0");
        QVERIFY2(!second.err.contains("the last run"), second.err.constData());
        QCOMPARE(field(second.out, "pid"), QByteArray::number(first.pid));
        QVERIFY(QFileInfo::exists(state.path() + u"/blackboxapp/previous-run.jsonl"_s));
    }

    void firstRunReportsNothing()
    {
        QTemporaryDir state;
        const Run only = run(state, u"report"_s);
        QCOMPARE(field(only.out, "ending"), "none");
        QCOMPARE(field(only.out, "postMortem"), "0");
    }

    void watchdogKilledRunIsReported()
    {
        QTemporaryDir state;
        const Run first = run(state, u"watchdog"_s);
        QCOMPARE(first.status, QProcess::NormalExit);
        QCOMPARE(first.code, 124);

        const Run second = run(state, u"report"_s);
        const QByteArray info = second.out + second.err;
        QCOMPARE(field(second.out, "ending"), "killed");
        QCOMPARE(field(second.out, "cause"), "watchdog");
        QCOMPARE(field(second.out, "handler"), "sync: upload changes");
        QCOMPARE(field(second.out, "owner"), "extension:sync");
        QCOMPARE(field(second.out, "hook"), "pre_close");
        QCOMPARE(field(second.out, "code"), "124");
        QCOMPARE(field(second.out, "postMortem"), "1");
        const QByteArray summary = field(second.out, "summary");
        QVERIFY2(summary.startsWith(
                         QByteArray("the last run (pid " + QByteArray::number(first.pid) + ", ")),
                 info.constData());
        QVERIFY2(summary.contains("was killed by the watchdog after 0.3 s in 'sync: upload "
                                  "changes' (extension sync, pre_close)"),
                 info.constData());
        // Logged once, as a warning, at setup.
        QCOMPARE(second.err.count(summary), 1);
        // The next start after that has nothing more to say.
        const Run third = run(state, u"report"_s);
        QCOMPARE(field(third.out, "ending"), "clean");
    }

    void sigkilledInTheRunPhaseBlamesNoHandler()
    {
        // A setup handler slow enough to be noted as running, then a SIGKILL long after it
        // ended, in the run phase: no handler was running, and the report must say so.
        QTemporaryDir state;
        QProcess process;
        process.setProcessEnvironment(environment(state));
        process.start(QStringLiteral(BLACKBOXAPP_PATH), {u"slow-setup"_s});
        QVERIFY(process.waitForStarted());
        QByteArray out;
        QDeadlineTimer deadline(20'000);
        while (!out.contains("running") && !deadline.hasExpired()) {
            process.waitForReadyRead(100);
            out += process.readAllStandardOutput();
        }
        QVERIFY2(out.contains("running"), out.constData());
        const QString file = state.path() + u"/blackboxapp/last-run.jsonl"_s;
        QTRY_VERIFY_WITH_TIMEOUT(SystemTest::readFile(file).contains(
                                         "\"kind\":\"handler.end\",\"hook\":\"post_setup\","
                                         "\"handler\":\"open the database\""),
                                 10'000);
        QVERIFY(SystemTest::readFile(file).contains("\"sampled\":true"));
        ::kill(pid_t(process.processId()), SIGKILL);
        QVERIFY(process.waitForFinished(30'000));

        const Run second = run(state, u"report"_s);
        QCOMPARE(field(second.out, "ending"), "vanished");
        QCOMPARE(field(second.out, "handler"), "");
        QVERIFY2(field(second.out, "summary").contains("no handler was running"),
                 second.out.constData());
    }

    void sigkilledRunIsReported()
    {
        QTemporaryDir state;
        const Run first = run(state, u"hang"_s, true);
        QCOMPARE(first.status, QProcess::CrashExit);

        const Run second = run(state, u"report"_s);
        QCOMPARE(field(second.out, "ending"), "vanished");
        QCOMPARE(field(second.out, "cause"), "vanished");
        QCOMPARE(field(second.out, "handler"), "sync: upload changes");
        QCOMPARE(field(second.out, "hook"), "pre_close");
        QCOMPARE(field(second.out, "code"), "none");
        QCOMPARE(field(second.out, "postMortem"), "1");
        QVERIFY2(field(second.out, "summary").contains("ended without closing"),
                 second.out.constData());
        QVERIFY(second.err.contains("during 'sync: upload changes' (extension sync, pre_close)"));
    }

    void crashedRunIsReported()
    {
        QTemporaryDir state;
        const Run first = run(state, u"segv"_s);
        QCOMPARE(first.status, QProcess::CrashExit);

        const Run second = run(state, u"report"_s);
        QCOMPARE(field(second.out, "ending"), "crashed");
        QCOMPARE(field(second.out, "cause"), "crash");
        QCOMPARE(field(second.out, "handler"), "sync: upload changes");
        QCOMPARE(field(second.out, "owner"), "extension:sync");
        QCOMPARE(field(second.out, "signal"), QByteArray::number(SIGSEGV));
        QCOMPARE(field(second.out, "postMortem"), "1");
        QVERIFY2(field(second.out, "summary")
                         .contains("crashed with SIGSEGV in 'sync: upload "
                                   "changes' (extension sync, pre_close)"),
                 second.out.constData());
    }

    void failedCleanupIsReported()
    {
        QTemporaryDir state;
        const Run first = run(state, u"fail"_s);
        QCOMPARE(first.code, 1);
        // The box keeps no handler.added: a failure's handler.begin names its owner and
        // source itself (a trace file leaves them to the handler.added).
        bool named = false;
        for (const QByteArray &line :
             SystemTest::readFile(state.path() + u"/blackboxapp/last-run.jsonl"_s).split('\n')) {
            const QJsonObject event = QJsonDocument::fromJson(line).object();
            if (event.value(u"kind"_s) == u"handler.begin"_s && !event.contains(u"sampled"_s)
                && event.value(u"handler"_s) == u"sync: upload changes"_s) {
                QCOMPARE(event.value(u"owner"_s).toString(), u"extension:sync"_s);
                QVERIFY(event.value(u"source"_s).toString().startsWith(u"blackboxapp.cpp:"_s));
                named = true;
            }
        }
        QVERIFY(named);

        const Run second = run(state, u"report"_s);
        QCOMPARE(field(second.out, "ending"), "failedHandlers");
        QCOMPARE(field(second.out, "code"), "1");
        QVERIFY2(field(second.out, "summary")
                         .contains("closed with exit code 1 and failed cleanup: 'sync: upload "
                                   "changes' (pre_close, failed)"),
                 second.out.constData());
    }

    void inspectorOpensTheLastRun()
    {
#ifndef MORTAR_INSPECTOR
        QSKIP("built without mortar-inspector");
#else
        QTemporaryDir state;
        QCOMPARE(run(state, u"watchdog"_s).code, 124);
        QProcess inspector;
        QProcessEnvironment env = environment(state);
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        inspector.setProcessEnvironment(env);
        inspector.start(QStringLiteral(MORTAR_INSPECTOR),
                        {u"--last"_s, u"blackboxapp"_s, u"--summary"_s});
        QVERIFY(inspector.waitForFinished(30'000));
        const QByteArray out = inspector.readAllStandardOutput();
        const QByteArray err = inspector.readAllStandardError();
        QVERIFY2(out.contains("sync: upload changes"), QByteArray(out + err).constData());
        QVERIFY2(out.contains("exit code 124") && out.contains("process.killed"),
                 QByteArray(out + err).constData());
#endif
    }

    void unwritableStateDirOnlyWarns()
    {
        QTemporaryDir state;
        // The state directory is a file: the black box cannot be made, the app runs anyway.
        QFile blocker(state.path() + u"/blackboxapp"_s);
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const Run only = run(state, u"report"_s);
        QCOMPARE(only.code, 0);
        QCOMPARE(only.err.count("black box"), 1);
    }
};

QTEST_GUILESS_MAIN(tst_BlackBox)
#include "tst_blackbox.moc"

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// mortar-inspector's headless modes on the trace files of real processes: --summary (the
// verdict, the problems, the table), --export-chrome, --compare and FILE --screenshot.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_InspectorCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_trace;

    static QString runInspector(const QStringList &arguments, int *exitCode,
                                const QProcessEnvironment &extra = {})
    {
        QProcess inspector;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s); // --screenshot has a window
        for (const QString &key : extra.keys())
            environment.insert(key, extra.value(key));
        inspector.setProcessEnvironment(environment);
        inspector.start(QStringLiteral(MORTAR_INSPECTOR), arguments);
        if (!inspector.waitForFinished(60000))
            return {};
        *exitCode = inspector.exitStatus() == QProcess::NormalExit ? inspector.exitCode() : -1;
        return QString::fromUtf8(inspector.readAllStandardOutput()
                                 + inspector.readAllStandardError());
    }

    /*! A trace from benchmarks/gen-close-trace.py with \a arguments; empty if it failed. */
    QString generated(const QString &name, const QStringList &arguments)
    {
        const QString python = QStandardPaths::findExecutable(u"python3"_s);
        if (python.isEmpty())
            return {};
        const QString path = m_dir.filePath(name);
        QProcess generator;
        generator.start(python, QStringList{QStringLiteral(GEN_CLOSE_TRACE), path} + arguments);
        if (!generator.waitForFinished(60000) || generator.exitCode() != 0)
            return {};
        return path;
    }

    static QString tableRow(const QString &output, const QString &handler)
    {
        for (const QString &line : output.split(u'\n')) {
            if ((line.startsWith(u"pre_close "_s) || line.startsWith(u"post_close "_s))
                && line.contains(handler))
                return line.simplified();
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_trace = m_dir.filePath(u"closestory.jsonl"_s);
        QProcess app;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"MORTAR_TRACE"_s, m_trace);
        app.setProcessEnvironment(environment);
        app.start(QStringLiteral(CLOSESTORY_APP), {});
        QVERIFY(app.waitForFinished(30000));
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 1); // a cleanup handler failed
    }

    void summaryStartsWithTheVerdict()
    {
        int exitCode = -1;
        const QString output = runInspector({u"--summary"_s, m_trace}, &exitCode);
        QCOMPARE(exitCode, 0);
        const QStringList lines = output.split(u'\n');
        QVERIFY2(lines.size() >= 12, qPrintable(output));
        // The verdict: the trigger, the problems counted, how it ended, the exit code.
        QVERIFY2(lines[0].startsWith(u"exec() ended → 1 failed → closed in "_s),
                 qPrintable(output));
        QVERIFY2(lines[0].endsWith(u" ms → exit code 1"_s), qPrintable(lines[0]));
        // Then the problems: the failure first, then the slowest handler (the 50 ms upload).
        const qsizetype problems = lines.indexOf(u"problems"_s);
        QVERIFY2(problems > 0, qPrintable(output));
        QVERIFY2(lines[problems + 1].simplified().startsWith(u"failed pre_close: remove cache, "_s),
                 qPrintable(output));
        QVERIFY(lines[problems + 1].contains(u"cache directory is read-only"_s));
        QVERIFY2(lines[problems + 2].simplified().startsWith(
                         u"slow pre_close: upload session (async), "_s),
                 qPrintable(output));
        // Then the table, after the app's name.
        const qsizetype title = lines.indexOf(u"closestory (pid %1)"_s.arg(
                lines.filter(u"closestory (pid "_s).value(0).section(u' ', 2).chopped(1)));
        QVERIFY2(title > problems, qPrintable(output));
        QCOMPARE(lines[title + 1].simplified(), u"hook handler weight status duration ms error"_s);
        QVERIFY2(tableRow(output, u"close database"_s)
                         .startsWith(u"pre_close close database -10 ok "_s),
                 qPrintable(output));
        QVERIFY(tableRow(output, u"App::preClose()"_s)
                        .startsWith(u"pre_close App::preClose() 0 ok "_s));
        QVERIFY(tableRow(output, u"remove cache"_s)
                        .startsWith(u"pre_close remove cache 5 failed "_s));
        QVERIFY(tableRow(output, u"remove cache"_s).endsWith(u"cache directory is read-only"_s));
        QVERIFY(tableRow(output, u"upload session"_s)
                        .startsWith(u"pre_close upload session (async) 10 ok "_s));
        QVERIFY(tableRow(output, u"remove pid file"_s)
                        .startsWith(u"post_close remove pid file 0 ok"_s));
        // Run order: by weight, pre_close before post_close.
        const QString table = lines.mid(title).join(u'\n');
        QVERIFY(table.indexOf(u"close database"_s) < table.indexOf(u"App::preClose()"_s));
        QVERIFY(table.indexOf(u"remove cache"_s) < table.indexOf(u"upload session"_s));
        QVERIFY(table.indexOf(u"upload session"_s) < table.indexOf(u"remove pid file"_s));
        // The asynchronous handler took its 50 ms timer.
        const QStringList upload = tableRow(output, u"upload session"_s).split(u' ');
        QVERIFY2(upload.value(6).toDouble() >= 45.0, qPrintable(tableRow(output, u"upload"_s)));
        const QStringList nonEmpty = output.split(u'\n', Qt::SkipEmptyParts);
        QVERIFY2(nonEmpty.last().startsWith(u"close: exit code 1, cause exec() ended, took "_s),
                 qPrintable(nonEmpty.last()));
    }

    void summaryNamesTheOwnerOfAFailedHandler()
    {
        // The file names a handler's owner and source once, on its handler.added, not on its
        // handler.begin: --summary still names them for the failure.
        QFile file(m_trace);
        QVERIFY(file.open(QIODevice::ReadOnly));
        bool sawBegin = false;
        while (!file.atEnd()) {
            const QJsonObject event = QJsonDocument::fromJson(file.readLine()).object();
            if (event.value(u"handler"_s).toString() != u"remove cache"_s)
                continue;
            const QString kind = event.value(u"kind"_s).toString();
            if (kind == u"handler.begin"_s) {
                sawBegin = true;
                QVERIFY(!event.contains(u"owner"_s) && !event.contains(u"source"_s));
            } else if (kind == u"handler.added"_s) {
                QCOMPARE(event.value(u"owner"_s).toString(), u"closestory"_s);
            }
        }
        QVERIFY(sawBegin);
        int exitCode = -1;
        const QString output = runInspector({u"--summary"_s, m_trace}, &exitCode);
        QCOMPARE(exitCode, 0);
        QString failed;
        for (const QString &line : output.split(u'\n')) {
            if (line.simplified().startsWith(u"failed pre_close: remove cache,"_s))
                failed = line;
        }
        QVERIFY2(failed.contains(u"(closestory closestory.cpp:"_s), qPrintable(output));
    }

    void summaryNamesTheWatchdogAndTheHandler()
    {
        // A real process whose pre_close handler hangs until the watchdog kills it (300 ms).
        const QString trace = m_dir.filePath(u"watchdog.jsonl"_s);
        QProcess app;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"MORTAR_TRACE"_s, trace);
        app.setProcessEnvironment(environment);
        app.start(QStringLiteral(FAULTS_PATH), {u"hang-self"_s, u"300"_s});
        QVERIFY(app.waitForFinished(30000));
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 124);

        int exitCode = -1;
        const QString output = runInspector({u"--summary"_s, trace}, &exitCode);
        QCOMPARE(exitCode, 0);
        const QString verdict = output.section(u'\n', 0, 0);
        QVERIFY2(verdict.startsWith(u"close() → "_s), qPrintable(output));
        QVERIFY2(verdict.contains(u" → killed by the watchdog in 'hangs forever' after "_s),
                 qPrintable(verdict));
        // The handler it died in is not counted as ok.
        QVERIFY2(!verdict.contains(u"→ all "_s), qPrintable(verdict));
        QVERIFY2(verdict.endsWith(u" ms → exit code 124"_s), qPrintable(verdict));
        const qint64 afterMs = verdict.section(u" after "_s, 1).section(u' ', 0, 0).toLongLong();
        QVERIFY2(afterMs >= 290 && afterMs < 5000, qPrintable(verdict));
        // The hung handler is the first problem.
        const QStringList lines = output.split(u'\n');
        const qsizetype problems = lines.indexOf(u"problems"_s);
        QVERIFY2(lines.value(problems + 1)
                         .simplified()
                         .startsWith(u"did not finish pre_close: hangs forever, "_s),
                 qPrintable(output));
        QVERIFY(tableRow(output, u"hangs forever"_s).contains(u" did not finish "_s));
    }

    void launchSummaryOfAWatchdogKill()
    {
        // --launch follows the app live: its watchdog kill (1 s) must read as the app's own
        // trace file reads — the final record reaches the inspector before the process goes.
        const QString trace = m_dir.filePath(u"launched-watchdog.jsonl"_s);
        const QString runtime = m_dir.filePath(u"runtime"_s);
        QVERIFY(QDir().mkpath(runtime));
        QVERIFY(QFile::setPermissions(runtime,
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QProcessEnvironment extra;
        extra.insert(u"XDG_RUNTIME_DIR"_s, runtime);
        extra.insert(u"XDG_STATE_HOME"_s, m_dir.filePath(u"state"_s)); // its black box
        extra.insert(u"MORTAR_TRACE"_s, trace); // inherited by the launched app
        int exitCode = -1;
        const QString output =
                runInspector({u"--launch"_s, u"--summary"_s, u"--"_s, QStringLiteral(FAULTS_PATH),
                              u"hang-self"_s, u"1000"_s},
                             &exitCode, extra);
        QCOMPARE(exitCode, 0);
        // The app's own output is forwarded: the summary starts at its verdict.
        const QStringList lines = output.split(u'\n');
        const auto verdictAt = std::find_if(lines.cbegin(), lines.cend(), [](const QString &l) {
            return l.startsWith(u"close() → "_s);
        });
        QVERIFY2(verdictAt != lines.cend(), qPrintable(output));
        const QString verdict = *verdictAt;
        QVERIFY2(verdict.contains(u" → killed by the watchdog in 'hangs forever' after "_s),
                 qPrintable(verdict));
        QVERIFY2(verdict.endsWith(u" ms → exit code 124"_s), qPrintable(verdict));
        const qint64 afterMs = verdict.section(u" after "_s, 1).section(u' ', 0, 0).toLongLong();
        QVERIFY2(afterMs >= 990 && afterMs < 10'000, qPrintable(verdict));
        QVERIFY(tableRow(output, u"hangs forever"_s).contains(u" did not finish "_s));
        QVERIFY2(output.contains(u", process ended by process.killed"_s), qPrintable(output));
        QVERIFY2(output.contains(u"the app exited with 124"_s), qPrintable(output));

        // The file's verdict says the same (its "after" may round a millisecond apart).
        const QString fileOutput = runInspector({u"--summary"_s, trace}, &exitCode);
        QCOMPARE(exitCode, 0);
        const QString fileVerdict = fileOutput.section(u'\n', 0, 0);
        QCOMPARE(verdict.section(u" after "_s, 0, 0), fileVerdict.section(u" after "_s, 0, 0));
        QCOMPARE(verdict.section(u" ms → "_s, 1), fileVerdict.section(u" ms → "_s, 1));
    }

    void summaryCountsTheLeaks()
    {
        // A real process whose plugin leaves a QThread running, a QTimer active and a
        // descriptor open (tests/system/plugins/leaky, spec §16).
        const QString trace = m_dir.filePath(u"leaky.jsonl"_s);
        QProcess app;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"MORTAR_TRACE"_s, trace);
        environment.insert(u"LEAKY_ORPHAN"_s, u"1"_s);
        environment.insert(u"XDG_STATE_HOME"_s, m_dir.filePath(u"state"_s));
        app.setProcessEnvironment(environment);
        app.start(QStringLiteral(LEAKYHOST_PATH), {QStringLiteral(LEAKY_PLUGIN_DIR)});
        QVERIFY(app.waitForFinished(30000));
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);

        int exitCode = -1;
        const QString output = runInspector({u"--summary"_s, trace}, &exitCode);
        QCOMPARE(exitCode, 0);
        const QStringList lines = output.split(u'\n');
        const auto counted = std::find_if(lines.cbegin(), lines.cend(), [](const QString &line) {
            return line.contains(u" leaks: "_s);
        });
        QVERIFY2(counted != lines.cend(), qPrintable(output));
        // "N leaks: QThread 'uploader' (plugin leaky), QTimer 'poller' (plugin leaky), file
        // descriptor …": the thread and the timer named with their plugin, the descriptors too.
        QVERIFY2(counted->contains(u"QThread 'uploader' (plugin leaky)"_s), qPrintable(*counted));
        QVERIFY2(counted->contains(u"QTimer 'poller' (plugin leaky)"_s), qPrintable(*counted));
        QVERIFY2(counted->contains(u"file descriptor "_s), qPrintable(*counted));
        const int n = counted->section(u' ', 0, 0).toInt();
        QVERIFY2(n >= 3, qPrintable(*counted));
        // Then each on its own line.
        const qsizetype first = counted - lines.cbegin() + 1;
        QCOMPARE(lines.mid(first, n).filter(u"  fd      file descriptor "_s).isEmpty(), false);
        QVERIFY2(lines.mid(first, n).contains(u"  thread  QThread 'uploader' (plugin leaky)"_s),
                 qPrintable(output));
        QVERIFY2(lines.mid(first, n).contains(u"  timer   QTimer 'poller' (plugin leaky)"_s),
                 qPrintable(output));
        QVERIFY(lines.value(first + n).isEmpty());
        // Before the table.
        QVERIFY(output.indexOf(*counted) < output.indexOf(u"hook  "_s));
    }

    void hardCloseVerdictAndRanking()
    {
        const QString hard = generated(u"hard.jsonl"_s, {u"--hard"_s});
        if (hard.isEmpty())
            QSKIP("python3 is needed to generate the trace");
        int exitCode = -1;
        const QString output = runInspector({u"--summary"_s, hard}, &exitCode);
        QCOMPARE(exitCode, 0);
        QCOMPARE(output.section(u'\n', 0, 0),
                 u"SIGTERM → 2 failed, 1 timed out → killed by the watchdog in 'ui: save window "
                 u"layout' after 1459 ms → exit code 124"_s);
        const QStringList lines = output.split(u'\n');
        const qsizetype problems = lines.indexOf(u"problems"_s);
        QStringList kinds;
        for (qsizetype i = problems + 1; i < lines.size() && !lines[i].isEmpty(); ++i)
            kinds << lines[i].simplified().section(u" pre_close: "_s, 0, 0);
        QCOMPARE(kinds.mid(0, 4),
                 (QStringList{u"failed"_s, u"failed"_s, u"timed out"_s, u"did not finish"_s}));
        QVERIFY(kinds.mid(4).size() == 5 && kinds.mid(4).count(u"slow"_s) == 5);
        // The slowest synchronous handler is among them, though an asynchronous part overlapped it.
        QVERIFY2(output.contains(u"slow           pre_close: storage: compact database, 450 ms"_s),
                 qPrintable(output));
    }

    void exportChromeHasTracksFlowsAndTheClose()
    {
        const QString out = m_dir.filePath(u"chrome.json"_s);
        int exitCode = -1;
        runInspector({u"--export-chrome"_s, out, m_trace}, &exitCode);
        QCOMPARE(exitCode, 0);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonArray events = document.object().value(u"traceEvents"_s).toArray();
        QStringList handlers;
        QSet<int> handlerTracks;
        int asyncTrack = -1;
        int flowStarts = 0, flowEnds = 0;
        bool closeSlice = false;
        QMap<int, QString> trackNames;
        for (const QJsonValue &value : events) {
            const QJsonObject event = value.toObject();
            const QString ph = event.value(u"ph"_s).toString();
            const int tid = event.value(u"tid"_s).toInt();
            if (ph == u"X"_s && event.value(u"cat"_s) == u"handler"_s) {
                handlers << event.value(u"name"_s).toString();
                handlerTracks.insert(tid);
            }
            if (ph == u"X"_s && event.value(u"cat"_s) == u"deferral"_s) {
                QCOMPARE(event.value(u"name"_s).toString(), u"upload session (async)"_s);
                asyncTrack = tid;
            }
            if (ph == u"X"_s && event.value(u"cat"_s) == u"close"_s)
                closeSlice = true;
            flowStarts += ph == u"s"_s;
            flowEnds += ph == u"f"_s;
            if (ph == u"M"_s && event.value(u"name"_s) == u"thread_name"_s)
                trackNames.insert(tid,
                                  event.value(u"args"_s).toObject().value(u"name"_s).toString());
        }
        for (const QString &name :
             {u"close database"_s, u"App::preClose()"_s, u"remove cache"_s, u"upload session"_s,
              u"App::postClose()"_s, u"remove pid file"_s}) {
            QVERIFY2(handlers.contains(name), qPrintable(name));
        }
        // The asynchronous part on a track of its own, with a flow from its call.
        QVERIFY(asyncTrack >= 0);
        QVERIFY(!handlerTracks.contains(asyncTrack));
        QVERIFY2(trackNames.value(asyncTrack).contains(u"asynchronous"_s),
                 qPrintable(trackNames.value(asyncTrack)));
        QCOMPARE(flowStarts, 1);
        QCOMPARE(flowEnds, 1);
        QVERIFY(closeSlice);
    }

    void compareSaysWhatRegressed()
    {
        const QString base = generated(u"base.jsonl"_s, {u"--handlers"_s, u"50"_s});
        const QString failing = generated(
                u"failing.jsonl"_s, {u"--handlers"_s, u"50"_s, u"--fail"_s, u"network: step 3"_s});
        const QString hard = generated(u"hard-base.jsonl"_s, {u"--hard"_s});
        const QString hardSlower =
                generated(u"hard-slower.jsonl"_s, {u"--hard"_s, u"--slower"_s, u"100"_s});
        if (base.isEmpty() || failing.isEmpty() || hard.isEmpty() || hardSlower.isEmpty())
            QSKIP("python3 is needed to generate the traces");

        // The same close: nothing regressed.
        int exitCode = -1;
        QString output = runInspector({u"--compare"_s, m_trace, m_trace}, &exitCode);
        QCOMPARE(exitCode, 0);
        QVERIFY2(output.contains(u"no regression"_s), qPrintable(output));

        // A handler that newly fails.
        output = runInspector({u"--compare"_s, base, failing}, &exitCode);
        QCOMPARE(exitCode, 1);
        QVERIFY2(output.contains(u"regressed: 1 handler"_s), qPrintable(output));
        QVERIFY2(output.contains(u"pre_close: network: step 3: ok → failed (it broke)"_s),
                 qPrintable(output));
        // … and back: fixed is no regression.
        runInspector({u"--compare"_s, failing, base}, &exitCode);
        QCOMPARE(exitCode, 0);

        // Every handler twice as slow: those that got slower by 1 ms or more regressed; the
        // failures and the timeout were there before, so they are not new.
        output = runInspector({u"--compare"_s, hard, hardSlower}, &exitCode);
        QCOMPARE(exitCode, 1);
        QVERIFY2(
                output.contains(
                        u"pre_close: storage: compact database: slower: 450 ms → 900 ms (+100.0 %)"_s),
                qPrintable(output));
        QVERIFY(!output.contains(u"flush journal: failed"_s));
        // Within a threshold of 150 %, doubling is no regression.
        output = runInspector({u"--compare"_s, hard, hardSlower, u"--threshold"_s, u"150"_s},
                              &exitCode);
        QCOMPARE(exitCode, 0);
        // Microsecond handlers twice as slow are still within the 1 ms floor.
        const QString slowerTiny = generated(u"tiny-slower.jsonl"_s,
                                             {u"--handlers"_s, u"50"_s, u"--slower"_s, u"100"_s});
        runInspector({u"--compare"_s, base, slowerTiny}, &exitCode);
        QCOMPARE(exitCode, 0);
    }

    void compareMisuseIsAUsageError()
    {
        int exitCode = -1;
        QString output = runInspector({u"--compare"_s, m_trace}, &exitCode);
        QCOMPARE(exitCode, 64);
        QVERIFY2(output.contains(u"two trace files"_s), qPrintable(output));
        runInspector({u"--compare"_s, m_trace, m_trace, m_trace}, &exitCode);
        QCOMPARE(exitCode, 64);
        output = runInspector({u"--compare"_s, m_trace, m_trace, u"--threshold"_s, u"fast"_s},
                              &exitCode);
        QCOMPARE(exitCode, 64);
        QVERIFY2(output.contains(u"'fast'"_s), qPrintable(output));
        runInspector({u"--threshold"_s, u"10"_s, u"--summary"_s, m_trace}, &exitCode);
        QCOMPARE(exitCode, 64);
        output = runInspector({u"--compare"_s, m_trace, m_dir.filePath(u"missing.jsonl"_s)},
                              &exitCode);
        QCOMPARE(exitCode, 66);
        QVERIFY(output.contains(u"missing.jsonl"_s));
    }

    void screenshotOfAFile()
    {
        const QString png = m_dir.filePath(u"close.png"_s);
        int exitCode = -1;
        const QString output = runInspector({m_trace, u"--screenshot"_s, png}, &exitCode);
        QCOMPARE(exitCode, 0);
        const QImage image(png);
        QVERIFY2(!image.isNull(), qPrintable(output));
        QVERIFY(image.width() >= 800 && image.height() >= 500);
        // The verdict's banner (red: a handler failed) is at the top of the window.
        bool red = false;
        for (int x = 10; x < 300 && !red; ++x) {
            for (int y = 0; y < 80 && !red; ++y) {
                const QColor pixel = image.pixelColor(x, y);
                red = pixel.red() > 240 && pixel.green() > 200 && pixel.green() < 235
                        && pixel.blue() < 230;
            }
        }
        QVERIFY2(red, "no verdict banner in the screenshot");
        runInspector({m_trace, u"--screenshot"_s, m_dir.filePath(u"no/such/dir/x.png"_s)},
                     &exitCode);
        QCOMPARE(exitCode, 73);
        // A file that cannot be read: 66, with the reason, and no window left open.
        const QString missing = runInspector(
                {m_dir.filePath(u"missing.jsonl"_s), u"--screenshot"_s, png}, &exitCode);
        QCOMPARE(exitCode, 66);
        QVERIFY2(missing.contains(u"missing.jsonl"_s), qPrintable(missing));
        runInspector({m_dir.filePath(u"missing.jsonl"_s)}, &exitCode);
        QCOMPARE(exitCode, 66);
    }

    void badInputIsNamed()
    {
        int exitCode = -1;
        QString output =
                runInspector({u"--summary"_s, m_dir.filePath(u"missing.jsonl"_s)}, &exitCode);
        QCOMPARE(exitCode, 66);
        QVERIFY2(output.contains(u"missing.jsonl"_s), qPrintable(output));
        output = runInspector({u"--summary"_s}, &exitCode);
        QCOMPARE(exitCode, 64);
    }
};

QTEST_GUILESS_MAIN(tst_InspectorCli)
#include "tst_inspector_cli.moc"

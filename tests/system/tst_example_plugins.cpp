// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// examples/plugins run as a user runs it: the config file next to the host enables sync, which
// pulls in storage; the cleanup runs in the order of the weights; a failing handler does not
// stop the others; a plugin's own option is on the command line.
#include "systemtest.h"

#include <QHash>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct Run
{
    int exitCode = -1;
    QList<QByteArray> lines; // stdout
    QByteArray err;
    QString description;
};

Run notekeeper(const QStringList &arguments, const QString &tracePath = {})
{
    QProcess process;
    QProcessEnvironment environment = SystemTest::childEnvironment();
    if (!tracePath.isEmpty())
        environment.insert(u"MORTAR_TRACE"_s, tracePath);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(NOTEKEEPER_PATH), arguments);
    Run run;
    if (!process.waitForFinished(30'000)) {
        process.kill();
        process.waitForFinished();
    }
    const QByteArray out = process.readAllStandardOutput();
    run.lines = out.trimmed().split('\n');
    run.err = process.readAllStandardError();
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.description = SystemTest::describe(process, out, run.err);
    return run;
}

} // namespace

class tst_ExamplePlugins : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanupRunsInTheOrderOfTheWeights()
    {
        QTemporaryDir dir;
        const QString tracePath = dir.filePath(u"trace.jsonl"_s);
        const Run run = notekeeper({}, tracePath);
        QVERIFY2(run.exitCode == 0, qPrintable(run.description));
        const QList<QByteArray> expected = {
                "notekeeper: plugins loaded: storage, sync",
                "sync: uploaded 2 changes to notes.example.org", // -20
                "storage: flushing the journal",                 // -10, asynchronous
                "storage: journal flushed",                      // weight 0 waits for it
                "sync: connection to notes.example.org closed",  // 0, App::preClose()
                "notekeeper: session removed",                   // 10
                "sync: unloaded",                                // after post_close, reverse
                "storage: unloaded",
        };
        QCOMPARE(run.lines, expected);

        // The trace tells the same story, with owners.
        const SystemTest::TraceFile trace = SystemTest::readTrace(tracePath);
        QVERIFY2(trace.isValid(), qPrintable(trace.error));
        // A begin names its handler by hook, name and weight; the owner is on its
        // handler.added (docs/trace-format.md).
        QHash<QString, QString> ownerOf;
        const auto key = [](const QJsonObject &event) -> QString {
            return event.value(u"hook"_s).toString() + u'\n' + event.value(u"handler"_s).toString()
                    + u'\n' + QString::number(event.value(u"weight"_s).toInt());
        };
        for (const QJsonObject &event : trace.eventsOfKind(u"handler.added"_s))
            ownerOf.insert(key(event), event.value(u"owner"_s).toString());
        QStringList handlers;
        QStringList owners;
        for (const QJsonObject &event : trace.eventsOfKind(u"handler.begin"_s)) {
            if (event.value(u"hook"_s).toString() != u"pre_close"_s)
                continue;
            QVERIFY(!event.contains(u"owner"_s));
            handlers.append(event.value(u"handler"_s).toString());
            owners.append(ownerOf.value(key(event)));
        }
        for (const QJsonObject &event : trace.eventsOfKind(u"handler.end"_s))
            QCOMPARE(event.value(u"status"_s).toString(), u"ok"_s);
        QCOMPARE(handlers,
                 (QStringList{u"sync: upload changes"_s, u"storage: flush journal"_s,
                              u"App::preClose()"_s, u"notekeeper: remove session"_s}));
        QCOMPARE(owners,
                 (QStringList{u"plugin:sync"_s, u"plugin:storage"_s, u"Mortar::App"_s,
                              u"notekeeper"_s}));
        QCOMPARE(trace.eventsOfKind(u"plugin.loaded"_s).size(), 2);
    }

    void failingHandlerDoesNotStopTheOthers()
    {
        const Run run = notekeeper({u"--offline"_s});
        QVERIFY2(run.exitCode == 1, qPrintable(run.description));
        QVERIFY(run.err.contains("Handler 'sync: upload changes' of hook 'pre_close' failed: "
                                 "cannot reach notes.example.org: 2 changes not uploaded"));
        QVERIFY(!run.lines.contains("sync: uploaded 2 changes to notes.example.org"));
        QVERIFY(run.lines.contains("storage: journal flushed"));
        QVERIFY(run.lines.contains("notekeeper: session removed"));
        QCOMPARE(run.lines.constLast(), "storage: unloaded");
    }

    void noPluginWinsOverTheConfigFile()
    {
        const Run run = notekeeper({u"--no-plugin"_s, u"sync"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.description));
        // Nothing else enables storage: only sync needed it.
        QCOMPARE(
                run.lines,
                (QList<QByteArray>{"notekeeper: plugins loaded: ", "notekeeper: session removed"}));
    }

    void pluginOptionIsInTheHelp()
    {
        const Run run = notekeeper({u"--help"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.description));
        QVERIFY(run.lines.contains("  --offline           Pretend the sync server cannot be "
                                   "reached."));
        QVERIFY(run.lines.contains("notekeeper: session removed")); // the close ran
    }
};

QTEST_GUILESS_MAIN(tst_ExamplePlugins)
#include "tst_example_plugins.moc"

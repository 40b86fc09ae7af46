// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Finding running Mortar apps (SPEC 10.2's list mode) and attaching to one: real apps started as
// child processes, a real stale socket left by a killed one, real local sockets.
#include "inspectee.h"
#include "inspectorclient.h"
#include "pluginmodel.h"
#include "runningapps.h"
#include "runningappsmodel.h"

#include <QAbstractItemModelTester>
#include <QCborArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using InspectorTest::Inspectee;
using Mortar::Inspector::InspectorClient;
using Mortar::Inspector::PluginModel;
using Mortar::Inspector::RunningApps;
using Mortar::Inspector::RunningAppsModel;

class tst_RunningApps : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_runtime;

    static QCborMap pluginNamed(const QCborMap &snapshot, const QString &name)
    {
        for (const QCborValue &plugin : snapshot.value(u"plugins"_s).toArray()) {
            if (plugin.toMap().value(u"name"_s).toString() == name)
                return plugin.toMap();
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(InspectorTest::useOwnRuntimeDirectory(m_runtime)); }

    void listsARunningAppAndSkipsAStaleSocket()
    {
        Inspectee killed;
        QVERIFY(killed.waitUntilReady());
        const QString staleSocket = killed.socketPath();
        const qint64 stalePid = killed.pid();
        QVERIFY2(killed.killLeavingItsSocket(), qPrintable(staleSocket));

        Inspectee running;
        QVERIFY(running.waitUntilReady());

        const RunningApps found = RunningApps::find();
        QCOMPARE(found.directory(), m_runtime.filePath(u"mortar"_s));
        QCOMPARE(found.apps().size(), 1);
        QCOMPARE(found.apps().first().label, u"inspectee"_s);
        QCOMPARE(found.apps().first().pid, running.pid());
        QCOMPARE(found.apps().first().socketPath, running.socketPath());
        QVERIFY(found.apps().first().hasTokenFile);
        QCOMPARE(found.staleSockets(), QStringList{staleSocket});

        // What the list shows.
        RunningAppsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, RunningAppsModel::Label).data().toString(), u"inspectee"_s);
        QCOMPARE(model.index(0, RunningAppsModel::Pid).data().toLongLong(), running.pid());
        QCOMPARE(model.index(0, RunningAppsModel::Socket).data().toString(), running.socketPath());

        // What --attach accepts, and what it says about the rest.
        QString error;
        QCOMPARE(found.resolve(QString::number(running.pid()), &error)->socketPath,
                 running.socketPath());
        QCOMPARE(found.resolve(running.socketPath(), &error)->pid, running.pid());
        QVERIFY(!found.resolve(staleSocket, &error));
        QVERIFY2(error.contains(u"stale"_s) && error.contains(QString::number(stalePid)),
                 qPrintable(error));
        QVERIFY(!found.resolve(QString::number(stalePid), &error));
        QCOMPARE(error, u"No process %1 is running"_s.arg(stalePid));
        QVERIFY(!found.resolve(QString::number(QCoreApplication::applicationPid()), &error));
        QVERIFY2(error.contains(u"MORTAR_INSPECT=1"_s), qPrintable(error));

        // The app closes normally: it removes its socket, and the list empties.
        running.process().terminate();
        QVERIFY(running.waitForExit());
        model.refresh();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.runningApps().staleSockets(), QStringList{staleSocket});
    }

    void anEmptyOrMissingDirectoryHasNoApps()
    {
        QTemporaryDir empty;
        QVERIFY(RunningApps::find(empty.path()).apps().isEmpty());
        QVERIFY(RunningApps::find(empty.filePath(u"missing"_s)).apps().isEmpty());
    }

    void attachingGetsTheSnapshotWithPlugins()
    {
        Inspectee app;
        QVERIFY(app.waitUntilReady());
        const RunningApps found = RunningApps::find();
        QCOMPARE(found.apps().size(), 1);

        InspectorClient client;
        QSignalSpy snapshots(&client, &InspectorClient::snapshotReceived);
        QSignalSpy disconnected(&client, &InspectorClient::disconnected);
        PluginModel plugins;
        QAbstractItemModelTester tester(&plugins,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        connect(&client, &InspectorClient::snapshotReceived, &plugins, &PluginModel::setSnapshot);
        connect(&client, &InspectorClient::eventsReceived, &plugins, &PluginModel::appendEvents);

        const QString socket = found.apps().first().socketPath;
        client.connectTo(socket, InspectorClient::readToken(socket));
        QTRY_COMPARE(snapshots.count(), 1);

        // The protocol's snapshot: every plugin the app found, with what became of it.
        const QCborMap snapshot = snapshots.at(0).at(0).value<QCborMap>();
        QCOMPARE(snapshot.value(u"plugins"_s).toArray().size(), 3);
        const QCborMap greeter = pluginNamed(snapshot, u"greeter"_s);
        QCOMPARE(greeter.value(u"state"_s).toString(), u"Loaded"_s);
        QCOMPARE(greeter.value(u"version"_s).toString(), u"2.1.0"_s);
        QCOMPARE(greeter.value(u"enabledBy"_s).toString(), u"AppOptions::plugins"_s);
        QVERIFY(greeter.value(u"fileName"_s).toString().endsWith(u"/libgreeter.so"_s));
        const QCborMap flaky = pluginNamed(snapshot, u"flaky"_s);
        QCOMPARE(flaky.value(u"state"_s).toString(), u"Failed"_s);
        QVERIFY2(flaky.value(u"error"_s).toString().contains(u"its load() threw: no network"_s),
                 qPrintable(flaky.value(u"error"_s).toString()));
        QCOMPARE(pluginNamed(snapshot, u"idle"_s).value(u"state"_s).toString(), u"Disabled"_s);

        // The same in the Plugins view's model.
        QCOMPARE(plugins.rowCount(), 3);
        const auto cell = [&](const QString &name, int column) {
            return plugins.index(plugins.rowOf(name), column).data().toString();
        };
        QCOMPARE(cell(u"greeter"_s, PluginModel::State), u"Loaded"_s);
        QCOMPARE(cell(u"greeter"_s, PluginModel::EnabledBy), u"AppOptions::plugins"_s);
        QCOMPARE(cell(u"flaky"_s, PluginModel::State), u"Failed"_s);
        QVERIFY(cell(u"flaky"_s, PluginModel::Error).contains(u"no network"_s));
        QCOMPARE(cell(u"idle"_s, PluginModel::State), u"Disabled"_s);
        QCOMPARE(cell(u"idle"_s, PluginModel::Error), QString());
        QVERIFY(plugins.index(plugins.rowOf(u"idle"_s), PluginModel::Name)
                        .data(Qt::ToolTipRole)
                        .toString()
                        .contains(u"depends on: greeter"_s));

        // Live: the close unloads greeter, and the model follows.
        client.requestClose();
        QTRY_COMPARE(cell(u"greeter"_s, PluginModel::State), u"Unloaded"_s);
        QTRY_COMPARE(disconnected.count(), 1);
        QVERIFY(app.waitForExit());
        QCOMPARE(app.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.process().exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_RunningApps)
#include "tst_runningapps.moc"

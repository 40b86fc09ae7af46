// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The Plugins view's model, from a real app's trace file and from a snapshot merged with events.
#include "inspectee.h"
#include "pluginmodel.h"
#include "statuscolors.h"
#include "tracefile.h"

#include <QAbstractItemModelTester>
#include <QCborArray>
#include <QColor>
#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::Inspector::PluginModel;
using Mortar::Inspector::statusColor;

class tst_PluginModel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_runtime;

    static QString cell(const PluginModel &model, const QString &name, int column)
    {
        return model.index(model.rowOf(name), column).data().toString();
    }
    static QColor colour(const PluginModel &model, const QString &name)
    {
        return model.index(model.rowOf(name), PluginModel::State)
                .data(Qt::DecorationRole)
                .value<QColor>();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(InspectorTest::useOwnRuntimeDirectory(m_runtime)); }

    void fromATraceFile()
    {
        // A real app's whole run, closed by SIGTERM, as its own trace file tells it.
        const QString path = m_runtime.filePath(u"inspectee.jsonl"_s);
        {
            InspectorTest::Inspectee app(path);
            QVERIFY(app.waitUntilReady());
            app.process().terminate();
            QVERIFY(app.waitForExit());
        }
        Mortar::Inspector::TraceFile trace;
        const Mortar::Result loaded = trace.load(path);
        QVERIFY2(loaded, qPrintable(loaded.errorString()));

        PluginModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.appendEvents(trace.events());

        // A file knows every plugin found: loaded, failed, unloaded, and disabled ones.
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(cell(model, u"idle"_s, PluginModel::State), u"Disabled"_s);
        QCOMPARE(cell(model, u"greeter"_s, PluginModel::State), u"Unloaded"_s);
        QCOMPARE(cell(model, u"greeter"_s, PluginModel::Version), u"2.1.0"_s);
        QCOMPARE(cell(model, u"greeter"_s, PluginModel::EnabledBy), u"AppOptions::plugins"_s);
        QVERIFY(cell(model, u"greeter"_s, PluginModel::File).endsWith(u"/libgreeter.so"_s));
        QCOMPARE(cell(model, u"greeter"_s, PluginModel::Error), QString());
        QCOMPARE(colour(model, u"greeter"_s), statusColor(u"skipped"_s));
        QCOMPARE(cell(model, u"flaky"_s, PluginModel::State), u"Failed"_s);
        QVERIFY(cell(model, u"flaky"_s, PluginModel::Error)
                        .startsWith(u"Unable to load plugin 'flaky' from "_s));
        QCOMPARE(colour(model, u"flaky"_s), statusColor(u"failed"_s));
    }

    void eventsUpdateTheSnapshot()
    {
        PluginModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QCborMap snapshot{{u"type"_s, u"snapshot"_s},
                                {u"plugins"_s,
                                 QCborArray{QCborMap{{u"name"_s, u"cache"_s},
                                                     {u"version"_s, u"1.0"_s},
                                                     {u"description"_s, u"Keeps things"_s},
                                                     {u"depends"_s, QCborArray{}},
                                                     {u"fileName"_s, u"/p/libcache.so"_s},
                                                     {u"state"_s, u"Loaded"_s},
                                                     {u"error"_s, u""_s},
                                                     {u"enabledBy"_s, u"--plugin"_s}}}}};
        model.setSnapshot(snapshot);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(colour(model, u"cache"_s), statusColor(u"ok"_s));

        // The close: its unload() throws. The row stays, with the error, in red.
        Mortar::TraceEvent unloaded;
        unloaded.kind = u"plugin.unloaded"_s;
        unloaded.status = u"failed"_s;
        unloaded.error = u"its unload() threw: disk full"_s;
        unloaded.extra = {{u"name"_s, u"cache"_s}, {u"file"_s, u"/p/libcache.so"_s}};
        model.appendEvents({unloaded});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(cell(model, u"cache"_s, PluginModel::State), u"Unloaded"_s);
        QCOMPARE(cell(model, u"cache"_s, PluginModel::Error), u"its unload() threw: disk full"_s);
        QCOMPARE(cell(model, u"cache"_s, PluginModel::EnabledBy), u"--plugin"_s);
        QCOMPARE(colour(model, u"cache"_s), statusColor(u"failed"_s));
        QCOMPARE(model.index(0, PluginModel::Name).data(Qt::ToolTipRole).toString(),
                 u"Keeps things"_s);
    }

    void saysHowItsHandlersEnded()
    {
        // A loaded plugin whose handlers hang or fail is not a green "Loaded".
        PluginModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<Mortar::TraceEvent> events;
        const auto add = [&](const QString &kind, const QString &plugin, const QString &handler,
                             const QString &status = {}) {
            Mortar::TraceEvent event;
            event.kind = kind;
            event.hook = u"pre_close"_s;
            event.handler = handler;
            if (kind == u"handler.begin"_s)
                event.owner = plugin;
            event.status = status;
            if (kind == u"plugin.loaded"_s) {
                event.hook.clear();
                event.durationNs = 1'250'000;
                event.extra = {{u"name"_s, plugin}, {u"version"_s, u"1.0"_s}};
            }
            events.append(event);
        };
        add(u"plugin.loaded"_s, u"storage"_s, {});
        add(u"plugin.loaded"_s, u"ui"_s, {});
        add(u"plugin.loaded"_s, u"network"_s, {});
        add(u"handler.begin"_s, u"storage"_s, u"storage: flush"_s);
        add(u"handler.end"_s, u"storage"_s, u"storage: flush"_s, u"failed"_s);
        add(u"handler.begin"_s, u"network"_s, u"network: close"_s);
        add(u"handler.end"_s, u"network"_s, u"network: close"_s, u"ok"_s);
        add(u"handler.begin"_s, u"ui"_s, u"ui: save layout"_s); // never ends
        model.appendEvents(events);
        QCOMPARE(cell(model, u"storage"_s, PluginModel::Handlers), u"failed (1 ran, 1 failed)"_s);
        QCOMPARE(cell(model, u"network"_s, PluginModel::Handlers), u"ok (1 ran)"_s);
        QCOMPARE(cell(model, u"ui"_s, PluginModel::Handlers), u"running (1 ran, 1 running)"_s);
        QCOMPARE(cell(model, u"storage"_s, PluginModel::LoadTime), u"1.250 ms"_s);
        QCOMPARE(colour(model, u"storage"_s), statusColor(u"failed"_s));
        QCOMPARE(colour(model, u"network"_s), statusColor(u"ok"_s));
        // The trace is complete: the hang did not finish, and the plugin is coloured so.
        model.markUnfinished();
        QCOMPARE(cell(model, u"ui"_s, PluginModel::Handlers),
                 u"did not finish (1 ran, 1 did not finish)"_s);
        QCOMPARE(colour(model, u"ui"_s), statusColor(u"did not finish"_s));
    }
};

QTEST_GUILESS_MAIN(tst_PluginModel)
#include "tst_pluginmodel.moc"

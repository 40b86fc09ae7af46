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
};

QTEST_GUILESS_MAIN(tst_PluginModel)
#include "tst_pluginmodel.moc"

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "configfiles.h"
#include "mortartest.h"
#include "tracequery.h"

#include <mortar/app.h>
#include <mortar/config.h>
#include <mortar/pluginmanager.h>

#include <QFile>
#include <QPluginLoader>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::App;
using Mortar::PluginInfo;
using Mortar::PluginManager;
using Mortar::PluginSelection;

namespace {
const QString pluginDir = QStringLiteral(MORTAR_TEST_PLUGIN_DIR);
const QString shadowDir = QStringLiteral(MORTAR_TEST_SHADOW_PLUGIN_DIR);

QString fileOf(const QString &name)
{
    return pluginDir + u"/lib"_s + name + u".so"_s;
}

// What the test plugins recorded (see plugins/testplugin.h): the message of each event of
// \a kind, in order.
QStringList steps(App &app, const QString &kind)
{
    QStringList names;
    const auto events = app.trace().events();
    for (const Mortar::TraceEvent &event : events) {
        if (event.kind == kind)
            names.append(event.message);
    }
    return names;
}

// Only \a names; defaulton (enabledByDefault) is switched off as a config file would.
PluginSelection requiring(const QStringList &names)
{
    PluginSelection selection;
    selection.required = names;
    selection.config = {{u"defaulton"_s, false}};
    return selection;
}

QList<Mortar::HandlerInfo> handlersOwnedBy(App &app, const QString &owner)
{
    QList<Mortar::HandlerInfo> owned;
    for (const QString &hook : app.hooks().names()) {
        const auto handlers = app.hooks().handlers(hook);
        for (const Mortar::HandlerInfo &handler : handlers) {
            if (handler.owner() == owner)
                owned.append(handler);
        }
    }
    return owned;
}
} // namespace

class tst_PluginManager : public QObject
{
    Q_OBJECT

    ConfigFiles m_configs;
    QString writeConfig(const QByteArray &contents) { return m_configs.write(contents); }

private Q_SLOTS:
    void discoveryReadsMetadataWithoutLoading()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});

        const PluginInfo good = plugins.plugin(u"good"_s);
        QCOMPARE(good.name, u"good"_s);
        QCOMPARE(good.version, u"1.2.3"_s);
        QCOMPARE(good.description, u"Registers a cleanup handler"_s);
        QCOMPARE(good.fileName, fileOf(u"good"_s));
        QCOMPARE(good.state, PluginInfo::State::Discovered);
        QCOMPARE(plugins.plugin(u"alpha"_s).depends, QStringList{u"beta"_s});
        QVERIFY(plugins.plugin(u"defaulton"_s).enabledByDefault);
        // Files without a metadata name are named after the file.
        QCOMPARE(plugins.plugin(u"nometa"_s).fileName, fileOf(u"nometa"_s));
        QCOMPARE(plugins.plugin(u"notaplugin"_s).fileName, fileOf(u"notaplugin"_s));
        QCOMPARE(plugins.plugins().size(), 17);

        // Nothing ran: metadata comes from the file, not from loading it.
        QVERIFY(steps(app, u"test.loaded"_s).isEmpty());
        QVERIFY(!QPluginLoader(fileOf(u"good"_s)).isLoaded());
    }

    void firstFileOfANameWins()
    {
        App app({.label = u"test"_s});
        {
            PluginManager plugins(app, app.hooks(), app.trace());
            plugins.discover({pluginDir, shadowDir});
            QCOMPARE(plugins.plugin(u"good"_s).version, u"1.2.3"_s);
        }
        {
            PluginManager plugins(app, app.hooks(), app.trace());
            plugins.discover({shadowDir, pluginDir});
            QCOMPARE(plugins.plugin(u"good"_s).version, u"2.0"_s);
            QCOMPARE(plugins.plugin(u"good"_s).fileName, shadowDir + u"/libgood.so"_s);
            QVERIFY(plugins.load(requiring({u"good"_s})));
            QCOMPARE(steps(app, u"test.loaded"_s), QStringList{u"shadow good"_s});
        }
    }

    void searchPathOrder()
    {
        const QStringList path = PluginManager::searchPath({u"/opt/a"_s, u"/opt/b/"_s},
                                                           u"/env/c::/env/d:/opt/a"_s, u"myapp"_s);
        QCOMPARE(path.size(), 6);
        QCOMPARE(path.mid(0, 4), (QStringList{u"/opt/a"_s, u"/opt/b"_s, u"/env/c"_s, u"/env/d"_s}));
        QCOMPARE(path.at(4),
                 QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
                         + u"/myapp/plugins"_s);
        QVERIFY2(path.at(5).endsWith(u"/lib/myapp/plugins"_s), qPrintable(path.at(5)));
    }

    void loadRegistersOwnedHandlersAndUnloadRemovesThem()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        QSignalSpy loadedSpy(&plugins, &PluginManager::pluginLoaded);
        QVERIFY(loadedSpy.isValid());

        const Mortar::Result result = plugins.load(requiring({u"good"_s}));
        QVERIFY2(result, qPrintable(result.errorString()));
        QCOMPARE(plugins.plugin(u"good"_s).state, PluginInfo::State::Loaded);
        QCOMPARE(plugins.plugin(u"good"_s).enabledBy, u"AppOptions::plugins"_s);
        QCOMPARE(plugins.loaded(), QStringList{u"good"_s});
        QCOMPARE(loadedSpy.size(), 1);
        QCOMPARE(loadedSpy.at(0).at(0).value<PluginInfo>().name, u"good"_s);

        const auto owned = handlersOwnedBy(app, u"plugin:good"_s);
        QCOMPARE(owned.size(), 1);
        QCOMPARE(owned.at(0).hook(), u"pre_close"_s);
        QCOMPARE(owned.at(0).name(), u"good: flush"_s);
        QCOMPARE(owned.at(0).weight(), -7);

        const auto loadedEvents = eventsOfKind(app, u"plugin.loaded"_s);
        QCOMPARE(loadedEvents.size(), 1);
        QCOMPARE(loadedEvents.at(0).extra.value(u"name"_s).toString(), u"good"_s);
        QCOMPARE(loadedEvents.at(0).extra.value(u"version"_s).toString(), u"1.2.3"_s);
        QCOMPARE(loadedEvents.at(0).extra.value(u"file"_s).toString(), fileOf(u"good"_s));

        plugins.unloadAll();
        QCOMPARE(steps(app, u"test.unloaded"_s), QStringList{u"good"_s});
        QVERIFY(handlersOwnedBy(app, u"plugin:good"_s).isEmpty());
        QCOMPARE(plugins.plugin(u"good"_s).state, PluginInfo::State::Unloaded);
        QCOMPARE(eventsOfKind(app, u"plugin.unloaded"_s).size(), 1);
        QVERIFY(plugins.loaded().isEmpty());
        // The removal says why: an inspector's Hooks view shows the plugin went.
        const auto removed = eventsOfKind(app, u"handler.removed"_s);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.at(0).handler, u"good: flush"_s);
        QCOMPARE(removed.at(0).extra.value(u"reason"_s).toString(),
                 u"its plugin 'good' was unloaded"_s);

        // Strings the plugin made with u""_s point into its library, uncopied; its trace events
        // (and handler names) outlive it. The library stays mapped, so they stay readable;
        // unmapping it made this crash.
        QByteArray all;
        const auto events = app.trace().events();
        for (const Mortar::TraceEvent &event : events)
            all += event.toJsonLine();
        QVERIFY(all.contains("\"test.loaded\""));
        QCOMPARE(steps(app, u"test.loaded"_s), QStringList{u"good"_s});
    }

    void dependenciesLoadFirstAndUnloadLast()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        // alpha depends on beta: beta loads first although alpha sorts before it.
        const Mortar::Result result = plugins.load(requiring({u"alpha"_s}));
        QVERIFY2(result, qPrintable(result.errorString()));
        QCOMPARE(plugins.loaded(), (QStringList{u"beta"_s, u"alpha"_s}));
        QCOMPARE(steps(app, u"test.loaded"_s), (QStringList{u"beta"_s, u"alpha"_s}));
        QCOMPARE(plugins.plugin(u"beta"_s).enabledBy, u"dependency of 'alpha'"_s);
        plugins.unloadAll();
        QCOMPARE(steps(app, u"test.unloaded"_s), (QStringList{u"alpha"_s, u"beta"_s}));
    }

    void independentPluginsLoadByName()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        QVERIFY(plugins.load({.required = {}, .enabled = {u"good"_s, u"beta"_s}}));
        // defaulton comes by enabledByDefault; the three sort by name.
        QCOMPARE(plugins.loaded(), (QStringList{u"beta"_s, u"defaulton"_s, u"good"_s}));
    }

    // Each way a plugin can fail, required: setup would fail with exactly this message.
    void failureNamesPluginFileAndReason_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("reason");
        QTest::addRow("not a Qt plugin")
                << u"notaplugin"_s
                << u"the file is not a Qt plugin (it has no plugin metadata: no "
                   u"Q_PLUGIN_METADATA, or moc ignored it because its JSON file is invalid)"_s;
        QTest::addRow("another IID")
                << u"otheriid"_s
                << u"it is a Qt plugin for another interface ('org.example.Other/1'), not a "
                   u"Mortar plugin ('org.mortar.Plugin/1')"_s;
        QTest::addRow("bad metadata")
                << u"badmeta"_s
                << u"its metadata is invalid: \"depends\" must be an array of plugin names"_s;
        QTest::addRow("no metadata")
                << u"nometa"_s
                << u"it has no metadata (declare it with Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID "
                   u"FILE \"<name>.json\"))"_s;
        QTest::addRow("root object without the interface")
                << u"noiface"_s
                << u"its root object (NoInterfacePlugin) does not implement Mortar::Plugin (add "
                   u"Q_INTERFACES(Mortar::Plugin))"_s;
        QTest::addRow("missing symbol")
                << u"missingsymbol"_s
                << u"a symbol it needs is missing (undefined symbol: mortarTestNeverDefined)"_s;
        QTest::addRow("missing library")
                << u"missinglib"_s
                << u"a library it needs cannot be found (libmortar_test_elsewhere.so: cannot open "
                   u"shared object file: No such file or directory)"_s;
        QTest::addRow("load() throws")
                << u"throws"_s << u"its load() threw: the database is locked"_s;
        QTest::addRow("cycle")
                << u"cyclex"_s
                << u"plugin 'cyclex' depends on 'cycley', which depends on 'cyclex'"_s;
        QTest::addRow("missing dependency")
                << u"needsmissing"_s
                << u"plugin 'needsmissing' depends on 'nowhere', which was not found"_s;
    }
    void failureNamesPluginFileAndReason()
    {
        QFETCH(QString, name);
        QFETCH(QString, reason);
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        QSignalSpy failedSpy(&plugins, &PluginManager::pluginFailed);
        if (name == u"cyclex"_s) {
            // The other half of the cycle came along as a dependency and fails too, optional.
            QTest::ignoreMessage(QtWarningMsg,
                                 QRegularExpression(u"^Unable to load plugin 'cycley' from "_s));
        }

        const Mortar::Result result = plugins.load(requiring({name}));
        QVERIFY(!result);
        const QString expected =
                u"Unable to load plugin '%1' from %2: %3"_s.arg(name, fileOf(name), reason);
        QCOMPARE(result.errorString(), expected);
        QCOMPARE(plugins.plugin(name).state, PluginInfo::State::Failed);
        QCOMPARE(plugins.plugin(name).errorString, expected);
        QCOMPARE(failedSpy.size(), name == u"cyclex"_s ? 2 : 1);
        QCOMPARE(failedSpy.at(0).at(1).toString(), expected);
        const auto failedEvents = eventsOfKind(app, u"plugin.failed"_s);
        QCOMPARE(failedEvents.size(), failedSpy.size());
        QCOMPARE(failedEvents.at(0).error, expected);
        QVERIFY(failedEvents.at(0).extra.value(u"required"_s).toBool());
        QVERIFY(plugins.loaded().isEmpty());
        QVERIFY(handlersOwnedBy(app, u"plugin:"_s + name).isEmpty());
    }

    void throwingLoadLeavesNoHandlers()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        QVERIFY(!plugins.load(requiring({u"throws"_s})));
        QCOMPARE(steps(app, u"test.loaded"_s), QStringList{u"throws"_s}); // its load() ran …
        QVERIFY(handlersOwnedBy(app, u"plugin:throws"_s).isEmpty());      // … and left nothing
    }

    void failedDependencyFailsTheDependent()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        // throws came along as a dependency (optional: a warning); needsthrows is required.
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"^Unable to load plugin 'throws' from "_s));
        const Mortar::Result result = plugins.load(requiring({u"needsthrows"_s}));
        QCOMPARE(result.errorString(),
                 u"Unable to load plugin 'needsthrows' from %1: plugin 'needsthrows' depends on "
                 u"'throws', which could not be loaded"_s.arg(fileOf(u"needsthrows"_s)));
        QCOMPARE(steps(app, u"test.loaded"_s), QStringList{u"throws"_s}); // not needsthrows
    }

    void throwingUnloadStillRemovesHandlers()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        QVERIFY(plugins.load(requiring({u"badunload"_s, u"good"_s})));
        QCOMPARE(handlersOwnedBy(app, u"plugin:badunload"_s).size(), 1);

        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"^Plugin 'badunload' from .*: its unload\\(\\) "
                                                u"threw: the socket is already closed$"_s));
        plugins.unloadAll();
        QVERIFY(handlersOwnedBy(app, u"plugin:badunload"_s).isEmpty());
        QCOMPARE(plugins.plugin(u"badunload"_s).state, PluginInfo::State::Unloaded);
        QCOMPARE(steps(app, u"test.unloaded"_s), QStringList{u"good"_s}); // the others go on
        const auto unloaded = eventsOfKind(app, u"plugin.unloaded"_s);
        QCOMPARE(unloaded.size(), 2);
        QCOMPARE(unloaded.at(0).extra.value(u"name"_s).toString(), u"good"_s); // reverse order
        QCOMPARE(unloaded.at(1).status, u"failed"_s);
        QCOMPARE(unloaded.at(1).error, u"its unload() threw: the socket is already closed"_s);
    }

    void optionalFailureIsReportedAndSkipped()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"^Unable to load plugin 'throws' from .*: its "
                                                u"load\\(\\) threw: the database is locked$"_s));
        PluginSelection selection;
        selection.config = {{u"throws"_s, true}, {u"good"_s, true}};
        const Mortar::Result result = plugins.load(selection);
        QVERIFY2(result, qPrintable(result.errorString()));
        QCOMPARE(plugins.plugin(u"throws"_s).state, PluginInfo::State::Failed);
        QCOMPARE(plugins.loaded(), (QStringList{u"defaulton"_s, u"good"_s}));
        const auto failedEvents = eventsOfKind(app, u"plugin.failed"_s);
        QCOMPARE(failedEvents.size(), 1);
        QVERIFY(!failedEvents.at(0).extra.value(u"required"_s).toBool());
    }

    void requiredProblemLoadsNothing()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"^Unable to load plugin 'cycley' from "_s));
        const Mortar::Result result = plugins.load(requiring({u"good"_s, u"cyclex"_s}));
        QVERIFY(!result);
        QVERIFY(result.errorString().contains(u"which depends on 'cyclex'"_s));
        QVERIFY(plugins.loaded().isEmpty());
        QVERIFY(steps(app, u"test.loaded"_s).isEmpty());
    }

    void unknownRequiredNameFails()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        const Mortar::Result result = plugins.load(requiring({u"nosuch"_s}));
        QCOMPARE(
                result.errorString(),
                u"Unable to load plugin 'nosuch': no plugin of that name was found (searched: %1)"_s
                        .arg(pluginDir));
        QVERIFY(plugins.loaded().isEmpty());
    }

    void requiredPluginCannotBeDisabled()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        const Mortar::Result result =
                plugins.load({.required = {u"good"_s}, .enabled = {}, .disabled = {u"good"_s}});
        QCOMPARE(result.errorString(),
                 u"Unable to disable plugin 'good' (--no-plugin): the application requires it"_s);
    }

    void disabledDependencyFailsTheDependent()
    {
        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        const Mortar::Result result =
                plugins.load({.required = {u"alpha"_s}, .enabled = {}, .disabled = {u"beta"_s}});
        QCOMPARE(result.errorString(),
                 u"Unable to load plugin 'alpha' from %1: plugin 'alpha' depends on 'beta', which "
                 u"is disabled (--no-plugin)"_s.arg(fileOf(u"alpha"_s)));
    }

    // SPEC §7 and issue 4: who decides whether a plugin loads. Config files are real INI files
    // read by Mortar::Config, later file winning.
    void enablePrecedence_data()
    {
        QTest::addColumn<QList<QByteArray>>("configs");
        QTest::addColumn<QStringList>("required");
        QTest::addColumn<QStringList>("enabled");
        QTest::addColumn<QStringList>("disabled");
        QTest::addColumn<QStringList>("expectedLoaded");

        const QByteArray off = "[plugin.good]\nenabled=false\n";
        const QByteArray on = "[plugin.good]\nenabled=true\n";
        QTest::addRow("enabledByDefault loads without config")
                << QList<QByteArray>{} << QStringList{} << QStringList{} << QStringList{}
                << QStringList{u"defaulton"_s};
        QTest::addRow("a.conf disables, b.conf enables: enabled")
                << QList<QByteArray>{off, on} << QStringList{} << QStringList{} << QStringList{}
                << QStringList{u"defaulton"_s, u"good"_s};
        QTest::addRow("a.conf enables, b.conf disables: disabled")
                << QList<QByteArray>{on, off} << QStringList{} << QStringList{} << QStringList{}
                << QStringList{u"defaulton"_s};
        QTest::addRow("[plugin.x] without enabled is ignored")
                << QList<QByteArray>{on, "[plugin.good]\ncolor=blue\n[plugin.defaulton]\nx=1\n"}
                << QStringList{} << QStringList{} << QStringList{}
                << QStringList{u"defaulton"_s, u"good"_s};
        QTest::addRow("config disables enabledByDefault")
                << QList<QByteArray>{"[plugin.defaulton]\nenabled=no\n"} << QStringList{}
                << QStringList{} << QStringList{} << QStringList{};
        QTest::addRow("--no-plugin wins over config")
                << QList<QByteArray>{on} << QStringList{} << QStringList{} << QStringList{u"good"_s}
                << QStringList{u"defaulton"_s};
        QTest::addRow("--no-plugin wins over enabledByDefault")
                << QList<QByteArray>{} << QStringList{} << QStringList{}
                << QStringList{u"defaulton"_s} << QStringList{};
        QTest::addRow("--no-plugin wins over --plugin")
                << QList<QByteArray>{} << QStringList{} << QStringList{u"good"_s}
                << QStringList{u"good"_s} << QStringList{u"defaulton"_s};
        QTest::addRow("--plugin wins over config")
                << QList<QByteArray>{off} << QStringList{} << QStringList{u"good"_s}
                << QStringList{} << QStringList{u"defaulton"_s, u"good"_s};
        QTest::addRow("required wins over config")
                << QList<QByteArray>{off} << QStringList{u"good"_s} << QStringList{}
                << QStringList{} << QStringList{u"defaulton"_s, u"good"_s};
        QTest::addRow("named twice loads once")
                << QList<QByteArray>{on} << QStringList{u"good"_s}
                << QStringList{u"good"_s, u"good"_s} << QStringList{}
                << QStringList{u"defaulton"_s, u"good"_s};
    }
    void enablePrecedence()
    {
        QFETCH(QList<QByteArray>, configs);
        QFETCH(QStringList, required);
        QFETCH(QStringList, enabled);
        QFETCH(QStringList, disabled);
        QFETCH(QStringList, expectedLoaded);

        QStringList files;
        for (const QByteArray &contents : std::as_const(configs))
            files.append(writeConfig(contents));
        Mortar::Config config;
        QVERIFY(config.load(files));
        PluginSelection selection;
        selection.required = required;
        selection.enabled = enabled;
        selection.disabled = disabled;
        QVERIFY(PluginManager::readConfig(config, selection));

        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        const Mortar::Result result = plugins.load(selection);
        QVERIFY2(result, qPrintable(result.errorString()));
        QCOMPARE(plugins.loaded(), expectedLoaded);
        QCOMPARE(steps(app, u"test.loaded"_s), expectedLoaded); // each load() ran once
        for (const PluginInfo &plugin : plugins.plugins()) {
            if (!expectedLoaded.contains(plugin.name))
                QCOMPARE(plugin.state, PluginInfo::State::Disabled);
        }

        // Loading again loads nothing twice.
        QVERIFY(plugins.load(selection));
        QCOMPARE(steps(app, u"test.loaded"_s), expectedLoaded);
    }

    void configDecisionNamesItsFile()
    {
        const QString off = writeConfig("[plugin.good]\nenabled=false\n");
        const QString on = writeConfig("[plugin.good]\nenabled=true\n");
        Mortar::Config config;
        QVERIFY(config.load({off, on}));
        PluginSelection selection;
        QVERIFY(PluginManager::readConfig(config, selection));
        QCOMPARE(selection.config.value(u"good"_s), true);

        App app({.label = u"test"_s});
        PluginManager plugins(app, app.hooks(), app.trace());
        plugins.discover({pluginDir});
        QVERIFY(plugins.load(selection));
        QCOMPARE(plugins.plugin(u"good"_s).enabledBy, on);
    }

    void configValueMustBeABoolean()
    {
        const QString path = writeConfig("[plugin.good]\nenabled=maybe\n");
        Mortar::Config config;
        QVERIFY(config.load({path}));
        PluginSelection selection;
        const Mortar::Result result = PluginManager::readConfig(config, selection);
        QCOMPARE(result.errorString(),
                 u"Invalid value in config file %1: [plugin.good] enabled=maybe (expected true or "
                 u"false)"_s.arg(path));
    }
};

MORTAR_TEST_MAIN(tst_PluginManager)
#include "tst_pluginmanager.moc"

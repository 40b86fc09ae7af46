// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// What App::setup() brings in (SPEC §7, §8): config files, extensions named by them, plugins
// enabled by options, config and command line, and the command line's full parse — through a
// real App loading the real plugin files of plugins/.
#include "configfiles.h"
#include "mortartest.h"

#include <mortar/app.h>
#include <mortar/pidfile.h>

#include <QFile>
#include <QTemporaryDir>

using namespace Qt::StringLiterals;
using Mortar::App;
using Mortar::AppOptions;
using Mortar::PluginInfo;

namespace {
const QString pluginDir = QStringLiteral(MORTAR_TEST_PLUGIN_DIR);

// The message of each event of \a kind, in order: the test plugins record their load() and
// unload() as test.loaded / test.unloaded (plugins/testplugin.h).
QStringList messages(App &app, const QString &kind)
{
    QStringList found;
    const auto events = app.trace().events();
    for (const Mortar::TraceEvent &event : events) {
        if (event.kind == kind)
            found.append(event.message);
    }
    return found;
}

// The seq of the first event of \a kind whose hook, handler or message is \a name (any, if
// empty); -1 if none.
qint64 seqOf(App &app, const QString &kind, const QString &name = {})
{
    const auto events = app.trace().events();
    for (const Mortar::TraceEvent &event : events) {
        if (event.kind == kind
            && (name.isEmpty() || event.hook == name || event.handler == name
                || event.message == name))
            return event.seq;
    }
    return -1;
}

QStringList loadedPlugins(App &app)
{
    return app.plugins().loaded();
}
} // namespace

class tst_AppSetup : public QObject
{
    Q_OBJECT

    ConfigFiles m_configs;
    QString writeConfig(const QByteArray &contents) { return m_configs.write(contents); }

    // An App that reads only \a configFiles (never the user's own) and finds the test plugins.
    AppOptions options(const QStringList &configFiles, const QStringList &arguments = {})
    {
        // defaulton (enabledByDefault) is switched off unless a test asks for it.
        const QString base = writeConfig("[plugin.defaulton]\nenabled=false\n");
        return AppOptions{.label = u"test"_s,
                          .arguments = QStringList{u"test"_s} + arguments,
                          .pluginDirs = {pluginDir},
                          .configFiles = QStringList{base} + configFiles};
    }

private Q_SLOTS:
    void requiredPluginLoadsAndItsCleanupRunsThenUnloads()
    {
        AppOptions opts = options({});
        opts.plugins = {u"good"_s};
        App app(std::move(opts));
        QVERIFY(app.setup());
        QCOMPARE(loadedPlugins(app), QStringList{u"good"_s});
        QCOMPARE(app.plugins().plugin(u"good"_s).state, PluginInfo::State::Loaded);
        QCOMPARE(app.plugins().plugin(u"good"_s).enabledBy, u"AppOptions::plugins"_s);
        app.close();

        // Its pre_close handler ran; its unload() after post_close ended.
        const qint64 handlerEnd = seqOf(app, u"handler.end"_s, u"good: flush"_s);
        bool ok = false;
        for (const Mortar::TraceEvent &event : app.trace().events()) {
            if (event.kind == u"handler.end"_s && event.handler == u"good: flush"_s)
                ok = event.status == u"ok"_s && event.hook == u"pre_close"_s;
        }
        QVERIFY(handlerEnd >= 0);
        QVERIFY(ok);
        QVERIFY(seqOf(app, u"test.unloaded"_s, u"good"_s)
                > seqOf(app, u"hook.end"_s, u"post_close"_s));
        QCOMPARE(app.plugins().plugin(u"good"_s).state, PluginInfo::State::Unloaded);
        QVERIFY(app.hooks().handlers(u"pre_close"_s).size() == 1); // only App::preClose()
    }

    void requiredFailureFailsSetupWith78AndCleansUpWhatLoaded()
    {
        AppOptions opts = options({});
        opts.plugins = {u"good"_s, u"throws"_s};
        App app(std::move(opts));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY2(result.errorString().startsWith(
                         u"Unable to load plugin 'throws' from %1/libthrows.so: "_s.arg(pluginDir)),
                 qPrintable(result.errorString()));
        QCOMPARE(app.exitCode(), 78);
        QCOMPARE(app.state(), App::State::Closed);
        // good loaded first (ties by name), so its cleanup ran and it was unloaded.
        QVERIFY(seqOf(app, u"handler.end"_s, u"good: flush"_s) >= 0);
        QCOMPARE(messages(app, u"test.unloaded"_s), QStringList{u"good"_s});
    }

    void optionalFailureIsReportedAndTheAppGoesOn()
    {
        App app(options(
                {writeConfig("[plugin.throws]\nenabled=true\n[plugin.good]\nenabled=true\n")}));
        QVERIFY(app.setup());
        QCOMPARE(app.state(), App::State::Ready);
        QCOMPARE(loadedPlugins(app), QStringList{u"good"_s});
        const PluginInfo failed = app.plugins().plugin(u"throws"_s);
        QCOMPARE(failed.state, PluginInfo::State::Failed);
        QVERIFY(failed.errorString.startsWith(u"Unable to load plugin 'throws' from "_s));
        QVERIFY(seqOf(app, u"plugin.failed"_s) >= 0);
        QCOMPARE(app.exitCode(), 0);
    }

    void laterConfigFileWins_data()
    {
        QTest::addColumn<QByteArray>("first");
        QTest::addColumn<QByteArray>("second");
        QTest::addColumn<bool>("loaded");
        QTest::newRow("a disables, b enables")
                << QByteArray("[plugin.good]\nenabled=false\n")
                << QByteArray("[plugin.good]\nenabled=true\n") << true;
        QTest::newRow("a enables, b disables")
                << QByteArray("[plugin.good]\nenabled=true\n")
                << QByteArray("[plugin.good]\nenabled=false\n") << false;
        QTest::newRow("section without enabled")
                << QByteArray("[plugin.good]\nenabled=true\n")
                << QByteArray("[plugin.good]\ncolour=blue\n") << true;
    }

    void laterConfigFileWins()
    {
        QFETCH(QByteArray, first);
        QFETCH(QByteArray, second);
        QFETCH(bool, loaded);
        App app(options({writeConfig(first), writeConfig(second)}));
        QVERIFY(app.setup());
        QCOMPARE(loadedPlugins(app).contains(u"good"_s), loaded);
    }

    void sectionWithoutEnabledSaysNothing()
    {
        // defaulton loads by default; a [plugin.defaulton] section without enabled (after the
        // base file's enabled=false) leaves the base file's decision in place.
        App app(options({writeConfig("[plugin.good]\ncolour=blue\n")}));
        QVERIFY(app.setup());
        QVERIFY(loadedPlugins(app).isEmpty());
    }

    void enabledByDefaultLoadsWithoutConfig()
    {
        App app(AppOptions{.label = u"test"_s,
                           .arguments = {u"test"_s},
                           .pluginDirs = {pluginDir},
                           .configFiles = {m_configs.filePath(u"does-not-exist.conf"_s)}});
        QVERIFY(app.setup());
        QCOMPARE(loadedPlugins(app), QStringList{u"defaulton"_s});
        QCOMPARE(app.plugins().plugin(u"defaulton"_s).enabledBy, u"enabledByDefault"_s);
    }

    void noPluginWinsOverConfig()
    {
        App app(options({writeConfig("[plugin.good]\nenabled=true\n")},
                        {u"--no-plugin"_s, u"good"_s}));
        QVERIFY(app.setup());
        QVERIFY(!loadedPlugins(app).contains(u"good"_s));
        QCOMPARE(app.plugins().plugin(u"good"_s).state, PluginInfo::State::Disabled);
    }

    void pluginNamedTwiceLoadsOnce()
    {
        AppOptions opts = options({writeConfig("[plugin.good]\nenabled=true\n")},
                                  {u"--plugin"_s, u"good"_s, u"--plugin=good"_s});
        opts.plugins = {u"good"_s, u"good"_s};
        App app(std::move(opts));
        QVERIFY(app.setup());
        QCOMPARE(messages(app, u"test.loaded"_s), QStringList{u"good"_s});
    }

    void dependenciesLoadFirstThroughTheCommandLine()
    {
        App app(options({}, {u"--plugin"_s, u"alpha"_s}));
        QVERIFY(app.setup());
        QCOMPARE(messages(app, u"test.loaded"_s), (QStringList{u"beta"_s, u"alpha"_s}));
        app.close();
        QCOMPARE(messages(app, u"test.unloaded"_s), (QStringList{u"alpha"_s, u"beta"_s}));
    }

    void unknownPluginOnTheCommandLineFailsWith78()
    {
        App app(options({}, {u"--plugin"_s, u"nosuchplugin"_s}));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY2(result.errorString().contains(u"nosuchplugin"_s),
                 qPrintable(result.errorString()));
        QCOMPARE(app.exitCode(), 78);
    }

    void extensionsFromConfigLoad()
    {
        App app(options({writeConfig("[test]\nextensions=mortar.tempfiles\n")}));
        QVERIFY(app.setup());
        const auto extensions = app.extensions().extensions();
        const auto tempfiles = std::find_if(extensions.begin(), extensions.end(), [](auto &e) {
            return e.name == u"mortar.tempfiles"_s;
        });
        QVERIFY(tempfiles != extensions.end());
        QCOMPARE(tempfiles->state, Mortar::ExtensionRegistry::State::Loaded);
        QVERIFY(tempfiles->requestedBy.endsWith(u".conf"_s));
    }

    void unknownExtensionInConfigFailsWith78NamingIt()
    {
        const QString config = writeConfig("[test]\nextensions=mortar.tempfiles, mortar.nosuch\n");
        App app(options({config}));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY2(result.errorString().contains(u"unknown extension 'mortar.nosuch'"_s),
                 qPrintable(result.errorString()));
        QVERIFY2(result.errorString().contains(config), qPrintable(result.errorString()));
        QCOMPARE(app.exitCode(), 78);
    }

    void configConfiguresAnExtension()
    {
        // [pidfile] path is read from a config file: the config is read before extensions load.
        const QString pidPath = m_configs.filePath(u"from-config.pid"_s);
        AppOptions opts = options({writeConfig("[pidfile]\npath=" + pidPath.toUtf8() + "\n")});
        opts.extensions = {u"mortar.pidfile"_s};
        App app(std::move(opts));
        QVERIFY(app.setup());
        QCOMPARE(Mortar::PidFile::path(app), pidPath);
        QVERIFY(QFile::exists(pidPath));
        app.close();
        QVERIFY(!QFile::exists(pidPath));
    }

    void malformedConfigFailsWith78NamingTheFile()
    {
        const QString broken = writeConfig("[plugin.good\nenabled=true\n");
        App app(options({broken}));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY2(result.errorString().contains(broken), qPrintable(result.errorString()));
        QCOMPARE(app.exitCode(), 78);
        QVERIFY(seqOf(app, u"hook.end"_s, u"pre_close"_s) >= 0); // the close ran
    }

    void configOptionAddsAFileThatWins()
    {
        const QString extra = writeConfig("[plugin.good]\nenabled=true\n");
        App app(options({writeConfig("[plugin.good]\nenabled=false\n")}, {u"--config"_s, extra}));
        QVERIFY(app.setup());
        QCOMPARE(loadedPlugins(app), QStringList{u"good"_s});
        QCOMPARE(app.config().files().constLast(), extra);
    }

    void missingConfigFileFromTheCommandLineFailsWith78()
    {
        const QString missing = m_configs.filePath(u"missing.conf"_s);
        App app(options({}, {u"--config="_s + missing}));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY2(result.errorString().contains(missing), qPrintable(result.errorString()));
        QCOMPARE(app.exitCode(), 78);
    }

    void optionAddedInPreArgumentParsingIsParsed()
    {
        AppOptions opts = options({}, {u"--level"_s, u"3"_s, u"input.txt"_s});
        App *appPointer = nullptr;
        opts.hooks = {
                {u"pre_argument_parsing"_s,
                 [&appPointer] {
                     appPointer->commandLine().addOption({u"level"_s, u"How much."_s, u"N"_s});
                 },
                 {}}};
        App app(std::move(opts));
        appPointer = &app;
        QVERIFY(app.setup());
        QCOMPARE(app.commandLine().value(u"level"_s), u"3"_s);
        QCOMPARE(app.commandLine().positionalArguments(), QStringList{u"input.txt"_s});
    }

    void unknownOptionFailsWith64AndTheCloseRuns()
    {
        bool preCloseRan = false;
        AppOptions opts = options({}, {u"--bogus"_s});
        opts.hooks = {{u"pre_close"_s, [&] { preCloseRan = true; }, {}}};
        App app(std::move(opts));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QCOMPARE(result.errorString(), u"Unknown option 'bogus'."_s);
        QCOMPARE(app.exitCode(), 64);
        QVERIFY(preCloseRan);
    }
};

MORTAR_TEST_MAIN(tst_AppSetup)
#include "tst_appsetup.moc"

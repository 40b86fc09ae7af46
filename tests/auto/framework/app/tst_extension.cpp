// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The extension registry (extension.h): MORTAR_EXTENSION, loading from AppOptions::extensions at
// its place in setup(), loading once, unknown and throwing extensions, handler ownership, trace.
#include "mortartest.h"
#include "tracequery.h"
#include <mortar/app.h>
#include <mortar/extension.h>

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <stdexcept>

using namespace Qt::StringLiterals;
using Mortar::App;
using Mortar::ExtensionRegistry;

namespace {
// What the test extensions did, in order; the load functions cannot capture.
QStringList g_events;

void loadAlpha(App &app)
{
    g_events.append(u"load test.alpha"_s);
    app.hooks().add(u"pre_close"_s, [] { g_events.append(u"alpha pre_close"_s); },
                    {.name = u"alpha cleanup"_s});
}

void loadBeta(App &app)
{
    g_events.append(u"load test.beta"_s);
    // An extension that needs another loads it; its own handlers stay its own.
    if (const Mortar::Result loaded = app.extensions().load(u"test.alpha"_s); !loaded)
        throw std::runtime_error(loaded.errorString().toStdString());
    app.hooks().add(u"pre_close"_s, [] {}, {.name = u"beta cleanup"_s});
}

void loadThrows(App &app)
{
    g_events.append(u"load test.throws"_s);
    app.hooks().add(u"pre_close"_s, [] { g_events.append(u"throws pre_close"_s); },
                    {.name = u"throws cleanup"_s});
    throw std::runtime_error("the cache directory is not writable");
}

void loadDefinesHook(App &app)
{
    app.hooks().define(u"cache_flush"_s);
}

void loadThrowsInt(App &)
{
    throw 42;
}
} // namespace

MORTAR_EXTENSION("test.alpha", loadAlpha)
MORTAR_EXTENSION("test.beta", loadBeta)
MORTAR_EXTENSION("test.throws", loadThrows)
MORTAR_EXTENSION("test.throws-int", loadThrowsInt)
MORTAR_EXTENSION("test.defines-hook", loadDefinesHook)
MORTAR_EXTENSION("test.lambda", [](App &) { g_events.append(u"load test.lambda"_s); })

namespace {
QString ownerOf(App &app, const QString &hook, const QString &handler)
{
    for (const Mortar::HandlerInfo &info : app.hooks().handlers(hook)) {
        if (info.name() == handler)
            return info.owner();
    }
    return u"(no handler '%1')"_s.arg(handler);
}
} // namespace

class tst_Extension : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { g_events.clear(); }

    void registeredExtensionsAreKnown()
    {
        const QStringList known = ExtensionRegistry::registeredNames();
        for (const QString &name : {u"test.alpha"_s, u"test.beta"_s, u"test.lambda"_s,
                                    u"mortar.pidfile"_s, u"mortar.tempfiles"_s})
            QVERIFY2(known.contains(name), qPrintable(known.join(u", "_s)));
        QStringList sorted = known;
        sorted.sort();
        QCOMPARE(known, sorted);

        App app({.label = u"test"_s});
        QCOMPARE(app.extensions().known(), known);
        QVERIFY(app.extensions().loaded().isEmpty());
        QCOMPARE(app.extensions().state(u"test.alpha"_s), ExtensionRegistry::State::Available);
        const QList<ExtensionRegistry::Extension> all = app.extensions().extensions();
        QCOMPARE(all.size(), known.size());
        QCOMPARE(all.constFirst().name, known.constFirst());
    }

    void registeringTwiceKeepsTheFirst()
    {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"test.alpha.*registered already"_s));
        QVERIFY(!ExtensionRegistry::registerExtension("test.alpha", loadThrows));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"name is empty"_s));
        QVERIFY(!ExtensionRegistry::registerExtension("", loadAlpha));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"load function is null"_s));
        QVERIFY(!ExtensionRegistry::registerExtension("test.null", nullptr));
        QVERIFY(!ExtensionRegistry::registeredNames().contains(u"test.null"_s));

        App app({.label = u"test"_s, .extensions = {u"test.alpha"_s}});
        QVERIFY(app.setup());
        QCOMPARE(g_events, QStringList{u"load test.alpha"_s});
    }

    void setupLoadsAfterPreSetupBeforeArgumentParsing()
    {
        App app({.label = u"test"_s, .extensions = {u"test.lambda"_s, u"test.alpha"_s}});
        for (const QString &hook : {u"pre_setup"_s, u"pre_argument_parsing"_s})
            app.hooks().add(hook, [hook] { g_events.append(hook); });
        QSignalSpy loadedSpy(&app.extensions(), &ExtensionRegistry::extensionLoaded);
        QVERIFY(loadedSpy.isValid());
        QVERIFY(app.setup());
        QCOMPARE(g_events,
                 (QStringList{u"pre_setup"_s, u"load test.lambda"_s, u"load test.alpha"_s,
                              u"pre_argument_parsing"_s}));
        QCOMPARE(app.extensions().loaded(), (QStringList{u"test.lambda"_s, u"test.alpha"_s}));
        QVERIFY(app.extensions().isLoaded(u"test.alpha"_s));
        QCOMPARE(loadedSpy.size(), 2);
        QCOMPARE(loadedSpy.at(1).at(0).toString(), u"test.alpha"_s);

        // Recorded, with the name and why it loaded.
        const QList<Mortar::TraceEvent> loaded = eventsOfKind(app, u"extension.loaded"_s);
        QCOMPARE(loaded.size(), 2);
        QCOMPARE(loaded.at(1).extra.value(u"name"_s).toString(), u"test.alpha"_s);
        QCOMPARE(loaded.at(1).extra.value(u"requestedBy"_s).toString(),
                 u"AppOptions::extensions"_s);
        QVERIFY(loaded.at(1).durationNs.has_value());
        const auto all = app.extensions().extensions();
        const auto alpha = std::find_if(all.cbegin(), all.cend(),
                                        [](const auto &e) { return e.name == u"test.alpha"_s; });
        QVERIFY(alpha != all.cend());
        QCOMPARE(alpha->state, ExtensionRegistry::State::Loaded);
        QCOMPARE(alpha->requestedBy, u"AppOptions::extensions"_s);
    }

    void loadingTwiceIsANoOp()
    {
        App app({.label = u"test"_s,
                 .extensions = {u"test.alpha"_s, u"test.alpha"_s, u"test.beta"_s}});
        QVERIFY(app.setup());
        // test.beta loads test.alpha as well: still once.
        QCOMPARE(g_events, (QStringList{u"load test.alpha"_s, u"load test.beta"_s}));
        QVERIFY(app.extensions().load(u"test.alpha"_s));
        QVERIFY(app.extensions().load({u"test.beta"_s, u"test.alpha"_s}));
        QCOMPARE(g_events.size(), 2);
        QCOMPARE(app.extensions().loaded(), (QStringList{u"test.alpha"_s, u"test.beta"_s}));
        QCOMPARE(eventsOfKind(app, u"extension.loaded"_s).size(), 2);
        app.close();
        QCOMPARE(g_events.count(u"alpha pre_close"_s), 1);
    }

    void handlersAreOwnedByTheExtension()
    {
        App app({.label = u"myapp"_s, .extensions = {u"test.beta"_s}});
        QVERIFY(app.setup());
        app.hooks().add(u"pre_close"_s, [] {}, {.name = u"app cleanup"_s});
        // test.alpha was loaded from inside test.beta's load(): the innermost owner wins.
        QCOMPARE(ownerOf(app, u"pre_close"_s, u"alpha cleanup"_s), u"extension:test.alpha"_s);
        QCOMPARE(ownerOf(app, u"pre_close"_s, u"beta cleanup"_s), u"extension:test.beta"_s);
        QCOMPARE(ownerOf(app, u"pre_close"_s, u"app cleanup"_s), u"myapp"_s);

        // Also for an extension loaded after setup.
        QVERIFY(app.extensions().load(u"test.throws"_s).hasError());
        QCOMPARE(ownerOf(app, u"pre_close"_s, u"throws cleanup"_s), u"extension:test.throws"_s);
    }

    void bindingToAHookAnExtensionDefines()
    {
        // AppOptions::hooks may bind to a hook that only an extension defines: the binding is
        // registered once the extensions loaded (spec §2.1).
        App app({.label = u"test"_s,
                 .hooks = {{u"cache_flush"_s, [] { g_events.append(u"cache_flush"_s); }}},
                 .extensions = {u"test.defines-hook"_s}});
        QVERIFY(app.setup());
        QVERIFY(app.hooks().run(u"cache_flush"_s).ok());
        QCOMPARE(g_events, QStringList{u"cache_flush"_s});
    }

    void unknownExtensionFailsSetup()
    {
        // test.alpha is known and listed first: nothing loads before the typo is found.
        App app({.label = u"test"_s, .extensions = {u"test.alpha"_s, u"nope"_s, u"nope2"_s}});
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"unknown extensions 'nope'"_s));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        const QString known = ExtensionRegistry::registeredNames().join(u", "_s);
        QCOMPARE(result.errorString(),
                 u"Unable to load extensions: unknown extensions 'nope', 'nope2' (known: %1)"_s.arg(
                         known));
        QCOMPARE(app.exitCode(), 78);
        QCOMPARE(app.state(), App::State::Closed);
        QVERIFY(g_events.isEmpty());
        QVERIFY(app.extensions().loaded().isEmpty());

        const QList<Mortar::TraceEvent> failed = eventsOfKind(app, u"extension.failed"_s);
        QCOMPARE(failed.size(), 2);
        QCOMPARE(failed.at(0).extra.value(u"name"_s).toString(), u"nope"_s);
        QCOMPARE(failed.at(0).error, result.errorString());
    }

    void unknownExtensionAfterSetup()
    {
        App app({.label = u"test"_s});
        QVERIFY(app.setup());
        const Mortar::Result result = app.extensions().load(u"nope"_s);
        QVERIFY(!result);
        QVERIFY(result.errorString().contains(u"unknown extension 'nope' (known: "_s));
        QCOMPARE(app.state(), App::State::Ready); // only setup() fails the App
    }

    void noLoadingOnceClosing()
    {
        App app({.label = u"test"_s});
        app.close();
        const Mortar::Result result = app.extensions().load(u"test.alpha"_s);
        QCOMPARE(result.errorString(),
                 u"Unable to load extension 'test.alpha': the App is closing: "
                 u"its close handlers would never run"_s);
        QVERIFY(g_events.isEmpty());
        QCOMPARE(app.extensions().state(u"test.alpha"_s), ExtensionRegistry::State::Available);
        const QList<Mortar::TraceEvent> failed = eventsOfKind(app, u"extension.failed"_s);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.constFirst().extra.value(u"name"_s).toString(), u"test.alpha"_s);
    }

    void throwingLoadFailsSetup_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("error");
        QTest::addRow("std::exception")
                << u"test.throws"_s << u"the cache directory is not writable"_s;
        QTest::addRow("other exception")
                << u"test.throws-int"_s << u"an exception not derived from std::exception"_s;
    }

    void throwingLoadFailsSetup()
    {
        QFETCH(QString, name);
        QFETCH(QString, error);

        App app({.label = u"test"_s, .extensions = {name, u"test.alpha"_s}});
        QSignalSpy failedSpy(&app.extensions(), &ExtensionRegistry::extensionFailed);
        QVERIFY(failedSpy.isValid());
        const QString expected = u"Unable to load extension '%1': %2"_s.arg(name, error);
        QTest::ignoreMessage(QtCriticalMsg, qPrintable(expected));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QCOMPARE(result.errorString(), expected);
        QCOMPARE(app.exitCode(), 78);
        QCOMPARE(app.extensions().state(name), ExtensionRegistry::State::Failed);
        QVERIFY(!app.extensions().isLoaded(u"test.alpha"_s)); // setup stopped at the failure
        QCOMPARE(failedSpy.size(), 1);

        const QList<Mortar::TraceEvent> failed = eventsOfKind(app, u"extension.failed"_s);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.constFirst().extra.value(u"name"_s).toString(), name);
        QCOMPARE(failed.constFirst().error, error);

        // Not run a second time.
        const qsizetype before = g_events.size();
        QCOMPARE(app.extensions().load(name).errorString(), expected);
        QCOMPARE(g_events.size(), before);
    }

    void throwingLoadKeepsItsCleanup()
    {
        // The handler registered before the throw still runs in the close setup() starts, so
        // what the extension did set up is cleaned up.
        App app({.label = u"test"_s, .extensions = {u"test.throws"_s}});
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"test.throws"_s));
        QVERIFY(!app.setup());
        QCOMPARE(g_events, (QStringList{u"load test.throws"_s, u"throws pre_close"_s}));
    }
};

MORTAR_TEST_MAIN(tst_Extension)
#include "tst_extension.moc"

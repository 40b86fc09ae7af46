// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "mortartest.h"
#include <mortar/app.h>

#include "hookrecorder.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <stdexcept>

using namespace Qt::StringLiterals;
using Mortar::App;

class tst_App : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statesFollowTheLifecycle()
    {
        App app({.label = u"test"_s});
        QCOMPARE(app.state(), App::State::Created);
        QSignalSpy states(&app, &App::stateChanged);
        QVERIFY(app.setup());
        QVERIFY(app.run());
        app.close();
        QList<App::State> seen;
        for (const auto &arguments : states)
            seen.append(arguments.at(0).value<App::State>());
        QCOMPARE(seen,
                 (QList<App::State>{App::State::SettingUp, App::State::Ready, App::State::Running,
                                    App::State::Closing, App::State::Closed}));
    }

    void hooksRunInLifecycleOrder()
    {
        App app({.label = u"test"_s});
        HookRecorder recorder(app);
        QCOMPARE(app.exec([] {}), 0);
        QCOMPARE(recorder.ran(),
                 (QStringList{u"pre_setup"_s, u"pre_argument_parsing"_s, u"post_argument_parsing"_s,
                              u"post_setup"_s, u"pre_run"_s, u"post_run"_s, u"pre_close"_s,
                              u"post_close"_s}));
    }

    void setupTwiceIsANoOp()
    {
        App app({.label = u"test"_s});
        HookRecorder recorder(app);
        QVERIFY(app.setup());
        QVERIFY(app.setup());
        QCOMPARE(recorder.count(u"pre_setup"_s), 1);
    }

    void invalidLabelFailsSetup_data()
    {
        QTest::addColumn<QString>("label");
        QTest::addColumn<QString>("why");
        QTest::addRow("empty") << QString() << u"it is empty"_s;
        QTest::addRow("space") << u"my app"_s << u"'my app'"_s;
        QTest::addRow("slash") << u"../x"_s << u"only letters, digits"_s;
    }
    void invalidLabelFailsSetup()
    {
        QFETCH(QString, label);
        QFETCH(QString, why);
        App app({.label = label});
        HookRecorder recorder(app);
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"Invalid App label"_s));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY2(result.errorString().contains(why), qPrintable(result.errorString()));
        QCOMPARE(app.exitCode(), 78);
        QCOMPARE(app.state(), App::State::Closed);
        QCOMPARE(recorder.count(u"pre_close"_s), 1); // what was set up is cleaned up
        QCOMPARE(app.exec(), 78);                    // and nothing runs afterwards
        QCOMPARE(recorder.count(u"pre_run"_s), 0);
    }

    void exitCodeIsValidated_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<bool>("accepted");
        QTest::addRow("zero") << 0 << true;
        QTest::addRow("one") << 1 << true;
        QTest::addRow("max") << 255 << true;
        QTest::addRow("negative") << -1 << false;
        QTest::addRow("too-big") << 256 << false;
    }
    void exitCodeIsValidated()
    {
        QFETCH(int, code);
        QFETCH(bool, accepted);
        App app({.label = u"test"_s});
        app.setExitCode(7);
        QSignalSpy changed(&app, &App::exitCodeChanged);
        if (!accepted)
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"Refusing exit code"_s));
        QCOMPARE(app.setExitCode(code), accepted);
        QCOMPARE(app.exitCode(), accepted ? code : 7);
        QCOMPARE(changed.count(), accepted ? 1 : 0);
    }

    void execBodyReturnsTheExitCode()
    {
        App app({.label = u"test"_s, .exitOnClose = true}); // inside exec(): returns, no exit
        HookRecorder recorder(app);
        const int code = app.exec([&] { app.setExitCode(100); });
        QCOMPARE(code, 100);
        QCOMPARE(recorder.count(u"pre_close"_s), 1);
        QCOMPARE(closeCause(app), u"exec() ended"_s);
    }

    void exceptionEscapingTheBody_data()
    {
        QTest::addColumn<int>("setBefore");
        QTest::addColumn<int>("expected");
        QTest::addRow("nothing-set") << 0 << 1;
        QTest::addRow("explicit-code-wins") << 5 << 5;
    }
    void exceptionEscapingTheBody()
    {
        QFETCH(int, setBefore);
        QFETCH(int, expected);
        App app({.label = u"test"_s});
        HookRecorder recorder(app);
        QTest::ignoreMessage(QtCriticalMsg, "Unhandled exception: database gone");
        const int code = app.exec([&] {
            app.setExitCode(setBefore);
            throw std::runtime_error("database gone");
        });
        QCOMPARE(code, expected);
        QCOMPARE(recorder.ran().mid(recorder.ran().indexOf(u"pre_run"_s)),
                 (QStringList{u"pre_run"_s, u"post_run"_s, u"pre_close"_s, u"post_close"_s}));
        QCOMPARE(closeCause(app), u"exception"_s);
        const auto events = app.trace().events();
        QVERIFY(std::any_of(events.begin(), events.end(), [](const Mortar::TraceEvent &e) {
            return e.kind == u"exception"_s && e.error == u"database gone"_s;
        }));
    }

    void quitLeavesTheLoopWithItsCode()
    {
        App app({.label = u"test"_s});
        HookRecorder recorder(app);
        QTimer::singleShot(0, &app, [&] { app.quit(7); });
        QCOMPARE(app.exec(), 7);
        QCOMPARE(closeCause(app), u"quit()"_s);
        // The request first (SPEC §4.7), post_run before pre_close, nothing after post_close.
        QCOMPARE(recorder.ran().mid(recorder.ran().indexOf(u"pre_run"_s)),
                 (QStringList{u"pre_run"_s, u"quit_requested"_s, u"post_run"_s, u"pre_close"_s,
                              u"post_close"_s}));
    }

    void qtQuitClosesWithTheConfiguredCode()
    {
        App app({.label = u"test"_s});
        HookRecorder recorder(app);
        QTimer::singleShot(0, &app, [&] {
            app.setExitCode(9);
            QCoreApplication::quit();
        });
        QCOMPARE(app.exec(), 9);
        // Qt's quit is a quit request too (SPEC §4.7): quit_requested ran, the cause is quit().
        QCOMPARE(closeCause(app), u"quit()"_s);
        QCOMPARE(recorder.count(u"quit_requested"_s), 1);
        QCOMPARE(recorder.count(u"pre_close"_s), 1);
        QCOMPARE(recorder.ran().last(), u"post_close"_s);
        QCOMPARE(recorder.ran().at(recorder.ran().indexOf(u"pre_close"_s) - 1), u"post_run"_s);
    }

    void closeInsideTheLoopEndsExec()
    {
        App app({.label = u"test"_s});
        QTimer::singleShot(0, &app, [&] { app.close(3); });
        QCOMPARE(app.exec(), 3);
        QCOMPARE(closeCause(app), u"close()"_s);
        QCOMPARE(app.state(), App::State::Closed);
    }

    void quitWithoutALoopClosesAtOnce()
    {
        App app({.label = u"test"_s});
        HookRecorder recorder(app);
        QVERIFY(app.setup());
        app.quit(4);
        QCOMPARE(app.state(), App::State::Closed);
        QCOMPARE(app.exitCode(), 4);
        QCOMPARE(closeCause(app), u"quit()"_s);
    }

    void quitInsideTheBodyClosesAfterIt()
    {
        App app({.label = u"test"_s});
        bool bodyFinished = false;
        const int code = app.exec([&] {
            app.quit(6);
            bodyFinished = true;
        });
        QVERIFY(bodyFinished);
        QCOMPARE(code, 6);
        QCOMPARE(closeCause(app), u"quit()"_s);
    }

    void destructorCloses()
    {
        int preClose = 0;
        {
            App app({.label = u"test"_s});
            app.hooks().add(u"pre_close"_s, [&] { ++preClose; });
            QVERIFY(app.setup());
        }
        QCOMPARE(preClose, 1);
    }

    void hookBindingsAreRegistered()
    {
        QStringList ran;
        App app({.label = u"test"_s,
                 .defineHooks = {u"cache_flush"_s},
                 .hooks = {{u"pre_close"_s, [&] { ran << u"pre_close"_s; }},
                           {u"cache_flush"_s, [&] { ran << u"cache_flush"_s; }},
                           // Defined only by a pre_setup handler, as an extension would: retried.
                           {u"late"_s, [&] { ran << u"late"_s; }, {.weight = 2}}}});
        app.hooks().add(u"pre_setup"_s, [&] { app.hooks().define(u"late"_s); });
        QVERIFY(app.setup());
        app.hooks().run(u"cache_flush"_s);
        app.hooks().run(u"late"_s);
        app.close();
        QCOMPARE(ran, (QStringList{u"cache_flush"_s, u"late"_s, u"pre_close"_s}));
    }

    void undefinedHookBindingFailsSetup()
    {
        App app({.label = u"test"_s, .hooks = {{u"never_defined"_s, [] {}}}});
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"never_defined"_s));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY(result.errorString().contains(u"never_defined"_s));
        QCOMPARE(app.exitCode(), 78);
    }

    void unknownExtensionFailsSetup()
    {
        App app({.label = u"test"_s, .extensions = {u"nope"_s}});
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"unknown extension 'nope'"_s));
        const Mortar::Result result = app.setup();
        QVERIFY(!result);
        QVERIFY(result.errorString().contains(u"unknown extension 'nope' (known: "_s));
        QCOMPARE(app.exitCode(), 78);
    }

    void appNeedsNoCoreApplicationCheckHere()
    {
        // The App requires a QCoreApplication; this test has one, so setup succeeds.
        App app({.label = u"x-1_y"_s});
        QVERIFY(app.setup());
        QCOMPARE(app.label(), u"x-1_y"_s);
    }
};

MORTAR_TEST_MAIN(tst_App)
#include "tst_app.moc"

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Quit requests and their veto (SPEC §4.7), quit(n)/close(n) during the close (§4.1), and
// aboutToQuit exactly once (§2.3, §4.8). The same on real processes: tests/system/tst_quit.
#include "mortartest.h"
#include <mortar/app.h>

#include "app_p.h"
#include "hookrecorder.h"
#include "inspectionserver_p.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Mortar::App;
using Mortar::HookContext;

namespace {
Mortar::AppOptions options()
{
    return {.label = u"test"_s};
}

QList<Mortar::TraceEvent> eventsOfKind(App &app, const QString &kind)
{
    QList<Mortar::TraceEvent> found;
    const auto events = app.trace().events();
    for (const Mortar::TraceEvent &event : events) {
        if (event.kind == kind)
            found.append(event);
    }
    return found;
}

/*! A quit_requested handler that vetoes the first \a vetoes requests. */
void vetoFirst(App &app, int vetoes, int *asked)
{
    app.hooks().add(u"quit_requested"_s,
                    [vetoes, asked](HookContext &context) {
                        if ((*asked)++ < vetoes)
                            context.preventDefault();
                    },
                    {.name = u"unsaved changes"_s});
}
} // namespace

class tst_Quit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aVetoedQuitKeepsTheAppRunning()
    {
        App app(options());
        int asked = 0;
        vetoFirst(app, 1, &asked);
        QSignalSpy requested(&app, &App::quitRequested);
        QSignalSpy aboutToQuit(QCoreApplication::instance(), &QCoreApplication::aboutToQuit);
        App::State stateAfterVeto = App::State::Created;
        int codeAfterVeto = -1;
        QTimer::singleShot(0, &app, [&] {
            app.quit(3);
            stateAfterVeto = app.state();
            codeAfterVeto = app.exitCode();
            QTimer::singleShot(0, &app, [&] { app.quit(4); });
        });
        QCOMPARE(app.exec(), 4);
        QCOMPARE(stateAfterVeto, App::State::Running);
        QCOMPARE(codeAfterVeto, 0);
        QCOMPARE(asked, 2);
        QCOMPARE(requested.count(), 2);
        QCOMPARE(aboutToQuit.count(), 1);
        const auto prevented = eventsOfKind(app, u"quit.prevented"_s);
        QCOMPARE(prevented.size(), 1);
        QCOMPARE(prevented.at(0).extra.value(u"handler"_s).toString(), u"unsaved changes"_s);
        QCOMPARE(prevented.at(0).extra.value(u"cause"_s).toString(), u"quit()"_s);
        QCOMPARE(prevented.at(0).code, 3);
        QCOMPARE(closeCause(app), u"quit()"_s);
    }

    void aVetoedQtQuitKeepsTheAppRunning()
    {
        App app(options());
        int asked = 0;
        vetoFirst(app, 1, &asked);
        QSignalSpy aboutToQuit(QCoreApplication::instance(), &QCoreApplication::aboutToQuit);
        App::State stateAfterVeto = App::State::Created;
        QTimer::singleShot(0, &app, [&] {
            app.setExitCode(5);
            QCoreApplication::quit();
            stateAfterVeto = app.state();
            QTimer::singleShot(0, &app, [&] { QCoreApplication::quit(); });
        });
        QCOMPARE(app.exec(), 5);
        QCOMPARE(stateAfterVeto, App::State::Running);
        QCOMPARE(asked, 2);
        QCOMPARE(aboutToQuit.count(), 1);
        QCOMPARE(eventsOfKind(app, u"quit.prevented"_s).size(), 1);
        QCOMPARE(closeCause(app), u"quit()"_s);
    }

    void quitRequestedDoesNotRunForWhatCannotBeRefused()
    {
        int asked = 0;
        {
            App app(options());
            vetoFirst(app, 100, &asked);
            app.close(2); // close()
            QCOMPARE(app.state(), App::State::Closed);
            QCOMPARE(app.exitCode(), 2);
        }
        {
            App app(options());
            vetoFirst(app, 100, &asked);
            QVERIFY(app.setup());
        } // ~App()
        {
            App app(options());
            vetoFirst(app, 100, &asked);
            QCOMPARE(app.exec([] {}), 0); // the end of exec(body)
        }
        {
            App app(options());
            vetoFirst(app, 100, &asked);
            QTimer::singleShot(0, &app, [] { QCoreApplication::exit(6); });
            QCOMPARE(app.exec(), 0); // QCoreApplication::exit()'s code is Qt's, not the App's
            QCOMPARE(closeCause(app), u"aboutToQuit"_s);
        }
        QCOMPARE(asked, 0);
    }

    void quitRequestedIsNotUnderTheCloseBudget()
    {
        App app({.label = u"test"_s, .closeTimeout = 2s});
        bool forever = false;
        app.hooks().add(u"quit_requested"_s, [&](HookContext &context) {
            forever
                = context.deadline().isForever();
        });
        QVERIFY(app.setup());
        app.quit(0);
        QVERIFY(forever);
        QCOMPARE(app.state(), App::State::Closed);
    }

    void quitAndCloseDuringTheCloseChangeNothing()
    {
        App app(options());
        app.hooks().add(u"pre_close"_s, [&] {
            app.quit(3);
            app.close(9);
        });
        app.close(143);
        QCOMPARE(app.exitCode(), 143);
        const auto repeated = eventsOfKind(app, u"close.repeated"_s);
        QCOMPARE(repeated.size(), 2);
        QCOMPARE(repeated.at(0).extra.value(u"cause"_s).toString(), u"quit()"_s);
        QCOMPARE(repeated.at(0).code, 3);
        QCOMPARE(repeated.at(1).extra.value(u"cause"_s).toString(), u"close()"_s);
        QCOMPARE(repeated.at(1).code, 9);
        QVERIFY(eventsOfKind(app, u"hook.begin"_s).size() > 0);
        for (const auto &event : eventsOfKind(app, u"hook.begin"_s))
            QVERIFY(event.hook != u"quit_requested"_s);
    }

    void setExitCodeChangesTheCodeDuringTheClose()
    {
        App app(options());
        app.hooks().add(u"pre_close"_s, [&] { app.setExitCode(12); });
        app.close(143);
        QCOMPARE(app.exitCode(), 12);
    }

    void aQtQuitDuringTheCloseIsRecorded()
    {
        App app(options());
        app.hooks().add(u"pre_close"_s, [&](HookContext &context) {
            auto deferral = std::make_shared<Mortar::Deferral>(context.defer());
            QTimer::singleShot(0, [deferral] {
                QCoreApplication::quit();
                deferral->complete();
            });
        });
        QTimer::singleShot(0, &app, [&] { app.close(8); });
        QCOMPARE(app.exec(), 8);
        const auto repeated = eventsOfKind(app, u"close.repeated"_s);
        QVERIFY(!repeated.isEmpty());
        QCOMPARE(repeated.at(0).extra.value(u"cause"_s).toString(), u"quit()"_s);
    }

    void aboutToQuitIsEmittedOnce_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addColumn<int>("expected");
        QTest::addRow("app.quit(7)") << u"app.quit"_s << 7;
        QTest::addRow("QCoreApplication::quit()") << u"qt.quit"_s << 0;
        QTest::addRow("QCoreApplication::exit(5)") << u"qt.exit"_s << 0;
        QTest::addRow("app.close(4)") << u"app.close"_s << 4;
    }
    void aboutToQuitIsEmittedOnce()
    {
        QFETCH(QString, how);
        QFETCH(int, expected);
        App app(options());
        HookRecorder recorder(app);
        int emitted = 0;
        QObject receiver;
        connect(QCoreApplication::instance(), &QCoreApplication::aboutToQuit, &receiver,
                [&] { ++emitted; });
        QTimer::singleShot(0, &app, [&] {
            if (how == u"app.quit")
                app.quit(7);
            else if (how == u"qt.quit")
                QCoreApplication::quit();
            else if (how == u"qt.exit")
                QCoreApplication::exit(5);
            else
                app.close(4);
        });
        QCOMPARE(app.exec(), expected);
        QCOMPARE(emitted, 1);
        QCOMPARE(recorder.count(u"pre_close"_s), 1);
        QCOMPARE(recorder.ran().last(), u"post_close"_s);
        QCOMPARE(recorder.ran().at(recorder.ran().indexOf(u"pre_close"_s) - 1), u"post_run"_s);
    }

    void theInspectorsRequestIsAQuitRequest()
    {
        App app({.label = u"test"_s, .inspect = true});
        int asked = 0;
        vetoFirst(app, 1, &asked);
        QVERIFY(app.setup());
        Mortar::Internal::InspectionServer *server =
                Mortar::Internal::AppPrivate::get(app)->inspection.get();
        QVERIFY(server);
        Q_EMIT server->closeRequested();
        QTRY_COMPARE(asked, 1);
        QCOMPARE(app.state(), App::State::Ready);
        const auto prevented = eventsOfKind(app, u"quit.prevented"_s);
        QCOMPARE(prevented.size(), 1);
        QCOMPARE(prevented.at(0).extra.value(u"cause"_s).toString(), u"inspector"_s);
        Q_EMIT server->closeRequested();
        QTRY_COMPARE(app.state(), App::State::Closed);
        QCOMPARE(closeCause(app), u"inspector"_s);
    }
};

MORTAR_TEST_MAIN(tst_Quit)
#include "tst_quit.moc"

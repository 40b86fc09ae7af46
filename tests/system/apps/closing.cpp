// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A Mortar app that is asked to quit, or closes, the way its argument says, for tst_closing:
//
//   closing MODE
//
// It counts QCoreApplication::aboutToQuit and prints "aboutToQuit <n>" when the process ends
// (atexit, so also when the close ends the process itself), and "hooks <list>" of the framework
// hooks that ran from pre_run on. Modes that wait for the test print "ready".
#include <mortar/app.h>

#include <QCoreApplication>
#include <QEventLoop>
#include <QGuiApplication>
#include <QTimer>
#include <QWindow>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

int g_aboutToQuit = 0;
QStringList g_hooks;

void printAtExit()
{
    std::printf("hooks %s\naboutToQuit %d\n", qPrintable(g_hooks.join(u',')), g_aboutToQuit);
    std::fflush(stdout);
}

void ready()
{
    std::printf("ready\n");
    std::fflush(stdout);
}

/*! Vetoes the first \a vetoes quit requests, as an editor with unsaved changes would. */
void vetoFirst(Mortar::App &app, int vetoes)
{
    auto asked = std::make_shared<int>(0);
    app.hooks().add(u"quit_requested"_s,
                    [vetoes, asked](Mortar::HookContext &context) {
                        if ((*asked)++ < vetoes)
                            context.preventDefault();
                    },
                    {.name = u"unsaved changes"_s});
}

void recordHooks(Mortar::App &app)
{
    for (const QString &hook :
         {u"pre_run"_s, u"quit_requested"_s, u"post_run"_s, u"pre_close"_s, u"post_close"_s})
        app.hooks().add(hook, [hook] { g_hooks.append(hook); }, {.weight = 1000});
}

} // namespace

int main(int argc, char *argv[])
{
    const QString mode = QString::fromLocal8Bit(argc > 1 ? argv[1] : "");
    const bool gui = mode.startsWith(u"gui-"_s);
    std::unique_ptr<QCoreApplication> qtApp;
    if (gui)
        qtApp = std::make_unique<QGuiApplication>(argc, argv);
    else
        qtApp = std::make_unique<QCoreApplication>(argc, argv);
    QObject::connect(qtApp.get(), &QCoreApplication::aboutToQuit, [] { ++g_aboutToQuit; });
    std::atexit(printAtExit);

    // Modes ending in "-bare" run a bare QCoreApplication::exec() with exitOnClose.
    const bool bare = mode.endsWith(u"-bare"_s);
    Mortar::AppOptions options{
            .label = u"closing"_s, .arguments = {u"closing"_s}, .exitOnClose = bare};
    if (mode.startsWith(u"watchdog-"_s))
        options.closeTimeout = 1500ms;
    Mortar::App app(std::move(options));
    recordHooks(app);
    const auto run = [&] {
        if (!bare)
            return app.exec();
        if (!app.setup())
            return 70;
        QCoreApplication::exec();
        return 71; // not reached: the close ends the process
    };

    if (mode == u"quit7" || mode == u"quit7-bare") {
        QTimer::singleShot(0, &app, [&] { app.quit(7); });
        return run();
    }
    if (mode == u"qtquit" || mode == u"qtquit-bare") {
        QTimer::singleShot(0, &app, [&] {
            app.setExitCode(9);
            QCoreApplication::quit();
        });
        return run();
    }
    if (mode == u"qtexit" || mode == u"qtexit-bare") {
        QTimer::singleShot(0, &app, [&] {
            app.setExitCode(6);
            QCoreApplication::exit(2); // not a request: the App closes with its own code
        });
        return run();
    }
    if (mode == u"veto-quit") {
        // Vetoed once: the app runs on, its code unchanged; then quit(4) goes through.
        vetoFirst(app, 1);
        QTimer::singleShot(0, &app, [&] {
            app.quit(3);
            std::printf("after veto: state %d code %d\n", int(app.state()), app.exitCode());
            QTimer::singleShot(50, &app, [&] { app.quit(4); });
        });
        return run();
    }
    if (mode == u"veto-qtquit") {
        vetoFirst(app, 1);
        QTimer::singleShot(0, &app, [&] {
            app.setExitCode(5);
            QCoreApplication::quit();
            std::printf("after veto: state %d code %d\n", int(app.state()), app.exitCode());
            QTimer::singleShot(50, &app, [] { QCoreApplication::quit(); });
        });
        return run();
    }
    if (mode == u"sigterm-then-quit") {
        // During the SIGTERM close, quit(3) and close(9) are the same request again.
        app.hooks().add(u"pre_close"_s, [&] {
            app.quit(3);
            app.close(9);
        });
        QTimer::singleShot(0, &app, ready);
        return run();
    }
    if (mode == u"watchdog-after-settled" || mode == u"watchdog-same-level") {
        // A's flush completes after 200 ms; B then (or meanwhile, at the same weight) runs a
        // nested loop that never ends; the watchdog ends the process with 124 at 1.5 s.
        const int weightOfB = mode == u"watchdog-same-level" ? -10 : 5;
        app.hooks().add(u"pre_close"_s,
                        [](Mortar::HookContext &context) {
                            auto deferral = std::make_shared<Mortar::Deferral>(context.defer());
                            QTimer::singleShot(200, [deferral] { deferral->complete(); });
                        },
                        {.weight = -10, .name = u"A: flush"_s});
        app.hooks().add(u"pre_close"_s,
                        [] {
                            QEventLoop loop;
                            loop.exec();
                        },
                        {.weight = weightOfB, .name = u"B: dialog"_s});
        QTimer::singleShot(0, &app, [&] { app.close(); });
        return run();
    }
    if (mode == u"gui-last-window" || mode == u"gui-last-window-veto") {
        // Closing the last window quits a Qt 6 GUI app (QEvent::Quit): cause lastWindowClosed.
        if (mode.endsWith(u"-veto"_s))
            vetoFirst(app, 1);
        auto window = std::make_unique<QWindow>();
        window->resize(100, 100);
        window->show();
        QTimer::singleShot(100, window.get(), [&] {
            window->close();
            QTimer::singleShot(300, &app, [&] {
                std::printf("after first window: state %d\n", int(app.state()));
                // Still running (vetoed): a second window, closed in turn.
                auto *second = new QWindow;
                second->resize(100, 100);
                second->show();
                QTimer::singleShot(100, second, [second] { second->close(); });
            });
        });
        return run();
    }
    std::fprintf(stderr, "closing: unknown mode '%s'\n", qPrintable(mode));
    return 64;
}

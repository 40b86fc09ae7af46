// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A Mortar app whose inspection server never pauses when the watchdog ends it, for
// tst_inspection_live:
//
//   livestream CLOSE_TIMEOUT_MS        stream, then hang in the close
//   livestream crash                   crash on command
//
// From "ready" on, a thread logs 200-byte lines without pause (a few µs apart), so the server
// is streaming — mid-frame, quite likely — at any moment. SIGTERM closes it; its pre_close
// handler "hangs" prints "hanging" and never returns; the watchdog ends the process (124).
// With "crash" it logs nothing; a line on stdin makes a thread write through a null pointer.
// Start it with MORTAR_INSPECT=1 and MORTAR_INSPECT_TOKEN set.
#include <mortar/app.h>
#include <mortar/log.h>

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimer>

#include <chrono>
#include <cstdio>
#include <thread>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
void say(const char *line)
{
    std::printf("%s\n", line);
    std::fflush(stdout);
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    const bool crash = qtApp.arguments().value(1) == u"crash"_s;
    const int budgetMs = qtApp.arguments().value(1).toInt();
    Mortar::App app({.label = u"livestream"_s,
                     .closeTimeout = std::chrono::milliseconds(budgetMs > 0 ? budgetMs : 500)});
    app.hooks().add(u"pre_close"_s,
                    [] {
                        say("hanging");
                        std::this_thread::sleep_for(std::chrono::seconds(60));
                    },
                    {.name = u"hangs"_s});
    if (!app.setup())
        return app.exitCode();
    QSocketNotifier commands(STDIN_FILENO, QSocketNotifier::Read);
    commands.setEnabled(crash);
    QObject::connect(&commands, &QSocketNotifier::activated, &app, [&commands] {
        // Once: a second crashing thread would end the process in the middle of the first
        // one's report (the crash handler lets a later crash die at once).
        commands.setEnabled(false);
        std::thread([] {
            say("crashing");
            volatile int *nowhere = nullptr;
            *nowhere = 1;
        }).detach();
    });
    if (crash) {
        QTimer::singleShot(0, &app, [] { say("ready"); });
        return app.exec();
    }
    // Never joined: the watchdog's _exit ends it with the process.
    Mortar::Log &log = app.log();
    std::thread([&log] {
        const QString padding(180, u'x');
        for (qint64 n = 0;; ++n) {
            log.info(u"line %1 %2"_s.arg(n).arg(padding));
            std::this_thread::sleep_for(std::chrono::microseconds(20));
        }
    }).detach();
    QTimer::singleShot(0, &app, [] { say("ready"); });
    return app.exec();
}

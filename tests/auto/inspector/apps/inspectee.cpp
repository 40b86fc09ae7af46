// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A Mortar app for the inspector's tests to find and attach to: it loads the plugin "greeter"
// (required), fails to load "flaky" (optional: it goes on) and leaves "idle" disabled, then
// prints "ready" and runs until something closes it — an inspector's requestClose, or SIGTERM.
// Started with MORTAR_INSPECT=1 it listens for inspectors; with MORTAR_TRACE it writes its trace.
//
// It takes commands on stdin, one a line, and answers each on stdout once done:
//   add     registers the pre_close handler "added later" (weight -7)   → "added"
//   remove  removes the pre_close handler "save state"                  → "removed"
// With INSPECTEE_HANG=1 its pre_close handler "hangs" never returns: the watchdog (closeTimeout
// 1 s) ends the process with 124.
#include <mortar/app.h>

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTextStream>

#include <chrono>
#include <thread>

#include <unistd.h>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    const bool hang = qEnvironmentVariableIntValue("INSPECTEE_HANG") == 1;
    Mortar::App app({.label = u"inspectee"_s,
                     .closeTimeout = hang ? std::chrono::milliseconds(1000)
                                          : std::chrono::milliseconds(std::chrono::seconds(30)),
                     .plugins = {u"greeter"_s},
                     .pluginDirs = {QStringLiteral(INSPECTEE_PLUGIN_DIR)}});
    const Mortar::HandlerId saveState =
            app.hooks().add(u"pre_close"_s, [] {}, {.weight = -5, .name = u"save state"_s});
    if (hang) {
        app.hooks().add(u"pre_close"_s,
                        [] { std::this_thread::sleep_for(std::chrono::seconds(60)); },
                        {.weight = 20, .name = u"hangs"_s});
    }
    if (!app.setup())
        return app.exitCode();

    QSocketNotifier commands(STDIN_FILENO, QSocketNotifier::Read);
    QByteArray pending;
    QObject::connect(&commands, &QSocketNotifier::activated, &app, [&] {
        char buffer[256];
        const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (got <= 0) {
            commands.setEnabled(false); // stdin closed: no more commands
            return;
        }
        pending.append(buffer, got);
        while (pending.contains('\n')) {
            const QByteArray line = pending.left(pending.indexOf('\n'));
            pending.remove(0, line.size() + 1);
            if (line == "add") {
                app.hooks().add(u"pre_close"_s, [] {}, {.weight = -7, .name = u"added later"_s});
                QTextStream(stdout) << "added" << Qt::endl;
            } else if (line == "remove") {
                app.hooks().remove(saveState);
                QTextStream(stdout) << "removed" << Qt::endl;
            }
        }
    });
    QTextStream(stdout) << "ready" << Qt::endl;
    return app.exec();
}

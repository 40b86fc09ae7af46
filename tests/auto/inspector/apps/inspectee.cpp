// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A Mortar app for the inspector's tests to find and attach to: it loads the plugin "greeter"
// (required), fails to load "flaky" (optional: it goes on) and leaves "idle" disabled, then
// prints "ready" and runs until something closes it — an inspector's requestClose, or SIGTERM.
// Started with MORTAR_INSPECT=1 it listens for inspectors; with MORTAR_TRACE it writes its trace.
#include <mortar/app.h>

#include <QCoreApplication>
#include <QTextStream>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    Mortar::App app({.label = u"inspectee"_s,
                     .plugins = {u"greeter"_s},
                     .pluginDirs = {QStringLiteral(INSPECTEE_PLUGIN_DIR)}});
    app.hooks().add(u"pre_close"_s, [] {}, {.weight = -5, .name = u"save state"_s});
    if (!app.setup())
        return app.exitCode();
    QTextStream(stdout) << "ready" << Qt::endl;
    return app.exec();
}

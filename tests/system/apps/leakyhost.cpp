// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Loads the plugins of the directory given as its argument (tests/system/plugins/leaky), sets
// up and closes, printing "closed" afterwards; for tst_leakcensus (spec §16). The trace goes
// where MORTAR_TRACE says.
#include <mortar/app.h>

#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    Mortar::App app({.label = u"leakyhost"_s,
                     .arguments = {qtApp.arguments().constFirst()},
                     .pluginDirs = {qtApp.arguments().value(1)},
                     .configFiles = {u"/dev/null"_s},
                     .blackBox = false});
    if (!app.setup())
        return 2;
    app.close();
    std::printf("closed\n");
    std::fflush(stdout);
    return app.exitCode();
}

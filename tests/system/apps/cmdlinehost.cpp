// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A Mortar app with nothing but a command line, for tst_commandline_process:
//
//   cmdlinehost [framework options] [--greeting TEXT]
//
// Its pre_close handler prints "pre_close ran" on stdout, so a test sees that --help,
// --version and a bad command line end through the normal close. While running it logs one
// line per level (debug, info, warning) and prints the greeting (its own option, to show the
// application's options and the framework's live in one parser).
#include <mortar/app.h>

#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    QCoreApplication::setApplicationVersion(u"2.5.0"_s);

    Mortar::App app({.label = u"cmdlinehost"_s});
    app.commandLine().setApplicationDescription(u"Shows how Mortar ends a command line."_s);
    app.commandLine().addOption({u"greeting"_s, u"Print TEXT while running."_s, u"TEXT"_s});
    app.hooks().add(u"pre_close"_s,
                    [] {
                        std::puts("pre_close ran");
                        std::fflush(stdout);
                    },
                    {.name = u"say so"_s});

    return app.exec([&] {
        app.log().debug(u"a debug line"_s);
        app.log().info(u"an info line"_s);
        app.log().warning(u"a warning line"_s);
        if (app.commandLine().isSet(u"greeting"_s))
            std::printf("%s\n", qPrintable(app.commandLine().value(u"greeting"_s)));
    });
}

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A Mortar app holding a pid file (mortar.pidfile) and a temporary file (mortar.tempfiles), for
// tst_pidfile_process:
//
//   pidfileholder PIDFILE [hold|abort]
//
// Once set up it prints "ready <pid file> <temporary file>" on stdout. "hold" (the default)
// then waits for a line (or the end) on stdin and closes normally; "abort" then calls
// std::abort(), leaving both files to the emergency cleanup. If setup fails, the App logs why and
// the exit code is setup()'s (78 when another process holds the pid file).
#include <mortar/app.h>
#include <mortar/pidfile.h>

#include <QCoreApplication>
#include <QTextStream>

#include <cstdlib>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2)
        return 64; // EX_USAGE
    const QString mode = arguments.value(2, u"hold"_s);

    Mortar::App app({.label = u"pidfileholder"_s,
                     .extensions = {u"mortar.pidfile"_s, u"mortar.tempfiles"_s},
                     .configDefaults = {{u"pidfile/path"_s, arguments.at(1)}}});
    if (!app.setup())
        return app.exitCode();
    const QString tempFile = app.tempFiles().createFile();
    QTextStream(stdout) << "ready " << Mortar::PidFile::path(app) << ' ' << tempFile << Qt::endl;

    return app.exec([&] {
        QTextStream(stdin).readLine();
        if (mode == u"abort"_s)
            std::abort();
    });
}

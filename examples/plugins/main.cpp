// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Plugins: the host knows nothing of storage and sync. They are Qt plugins in plugins/ next to
// the program, enabled by notekeeper.conf next to it; each hooks its own cleanup into the close,
// and the weights put the steps in order whatever the load order:
//
//   pre_close   -20  sync: upload changes
//               -10  storage: flush journal (asynchronous: weight levels are barriers, so
//                    "journal flushed" comes before any handler of weight 0 starts)
//                 0  App::preClose()  → sync's slot closes its connection
//                10  notekeeper: remove session
//   post_close       the plugins are unloaded, sync first (it depends on storage)
//
//   $ ./notekeeper [--offline] [--no-plugin sync] [--debug] [--help]
#include <mortar/app.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    QCoreApplication::setApplicationVersion(u"1.0"_s);
    const QDir programDir(QCoreApplication::applicationDirPath());

    Mortar::App app({
            .label = u"notekeeper"_s,
            .pluginDirs = {programDir.filePath(u"plugins"_s)},
            .configFiles = Mortar::Config::standardFiles(u"notekeeper"_s)
                    + QStringList{programDir.filePath(u"notekeeper.conf"_s)},
    });
    app.commandLine().setApplicationDescription(u"Keeps notes; its plugins clean up at close."_s);
    app.hooks().add(u"pre_close"_s, [] { std::puts("notekeeper: session removed"); },
                    {.weight = 10, .name = u"notekeeper: remove session"_s});

    return app.exec([&] {
        // The session lives in a temporary directory (mortar.tempfiles, enabled by the config
        // file), which the close removes after the handlers above.
        const QString session = app.tempFiles().createDir();
        QFile notes(QDir(session).filePath(u"notes.txt"_s));
        if (notes.open(QIODevice::WriteOnly))
            notes.write("buy mortar\n");
        std::printf("notekeeper: plugins loaded: %s\n",
                    qPrintable(app.plugins().loaded().join(u", "_s)));
        std::fflush(stdout);
    });
}

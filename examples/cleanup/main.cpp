// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Running cleanup code: whoever creates something that must not outlive the app — the app, an
// extension, a plugin — removes it in a pre_close (or post_close) handler, which the close always
// runs, however the app ends.
//
//   $ ./cleanup [PARENT_DIR]     (the work directory goes under PARENT_DIR, default: the temp dir)
#include <mortar/app.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTextStream>

#include <stdexcept>

using namespace Qt::StringLiterals;

namespace {
// The directory the app works in; it must be gone when the app has ended.
QString workDirectory;

// The cleanup code: a plain function taking the App.
void removeWorkDirectory(Mortar::App &app)
{
    QDir dir(workDirectory);
    if (!dir.exists())
        return; // the app may have closed before it created the directory
    // A throwing handler is recorded as failed (exit code 1), and the other handlers still run.
    if (!dir.removeRecursively())
        throw std::runtime_error("could not remove " + workDirectory.toStdString());
    app.log().info(u"Removed work directory %1"_s.arg(workDirectory));
}
} // namespace

// What an extension's or plugin's load() does: hook its cleanup into the app's close.
void load(Mortar::App &app)
{
    app.hooks().add(u"pre_close"_s, removeWorkDirectory, {.name = u"remove work directory"_s});
}

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    const QString parent = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QDir::tempPath();
    workDirectory =
            QDir(parent).filePath(u"mortar-cleanup-%1"_s.arg(QCoreApplication::applicationPid()));

    Mortar::App app({.label = u"cleanup"_s});
    load(app);
    return app.exec([&] {
        if (!QDir().mkpath(workDirectory))
            throw std::runtime_error("could not create " + workDirectory.toStdString());
        QFile data(QDir(workDirectory).filePath(u"data.txt"_s));
        if (!data.open(QIODevice::WriteOnly))
            throw std::runtime_error("could not write " + data.fileName().toStdString());
        data.write("work in progress\n");
        app.log().info(u"Created work directory %1"_s.arg(workDirectory));

        // Stands for the app's real work; lets you (or a test) look at the directory meanwhile.
        app.log().info(u"Press Enter to finish"_s);
        QTextStream(stdin).readLine();
    });
}

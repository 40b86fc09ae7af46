// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A long-running service: a pid file, so that a second copy refuses to start; a temporary
// directory for its working state; the event loop; and, on SIGTERM, an orderly stop that first
// flushes the state (asynchronously), then removes the directory and the pid file.
//
//   $ ./daemon &     prints "ready <pid file> <state directory>" once it is up
//   $ ./daemon       a second copy: exits with 78, naming the pid file and the running one
//   $ kill %1        flushes the state (~200 ms), removes both, exits with 143 (128 + SIGTERM)
#include <mortar/app.h>
#include <mortar/pidfile.h>

#include <QCoreApplication>
#include <QFile>
#include <QTextStream>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {
bool saveState(const QString &path, int ticks)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(QByteArray::number(ticks) + '\n') > 0;
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    // Both extensions are built into Mortar: the pid file is written during setup(), and
    // everything made through app.tempFiles() is removed at close.
    Mortar::App app(
            {.label = u"daemon"_s, .extensions = {u"mortar.pidfile"_s, u"mortar.tempfiles"_s}});
    if (!app.setup())
        return app.exitCode(); // 78 if another daemon holds the pid file; the log says which

    const QString stateDir = app.tempFiles().createDir(u"daemon-state-XXXXXX"_s);
    if (stateDir.isEmpty()) {
        app.log().fatal(app.tempFiles().errorString());
        app.close(73); // EX_CANTCREAT
        return app.exitCode();
    }
    const QString statePath = stateDir + u"/state"_s;

    // The service's work: a tick a second, kept in its state.
    int ticks = 0;
    QTimer work;
    QObject::connect(&work, &QTimer::timeout, &app, [&] { saveState(statePath, ++ticks); });
    work.start(1000);

    // Stopping takes a while: the state is flushed asynchronously (a real service would write
    // it somewhere lasting, or hand it to a peer). pre_close waits for the Deferral — at most
    // the handler's timeout — while the event loop keeps running, and only then does post_close
    // remove the temporary directory and the pid file.
    const auto flushState = [&](Mortar::HookContext &context) {
        work.stop();
        app.log().info(u"Flushing state (%1 ticks)"_s.arg(ticks));
        QTimer::singleShot(200, &app, [&, deferral = context.defer()]() mutable {
            if (saveState(statePath, ticks)) {
                app.log().info(u"State flushed to %1"_s.arg(statePath));
                deferral.complete();
            } else {
                deferral.fail(u"could not write %1"_s.arg(statePath));
            }
        });
    };
    app.hooks().add(u"pre_close"_s, flushState, {.name = u"flush state"_s});

    QTextStream(stdout) << "ready " << Mortar::PidFile::path(app) << ' ' << stateDir << Qt::endl;
    return app.exec(); // until SIGTERM (or SIGINT, SIGHUP): then 128 + the signal's number
}

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The black box and the leak census: at start, the app asks how its last run ended and tells
// the user; its worker thread is ended in pre_close, so the census after the close has nothing
// to say. Run it with "hang" and its sync handler hangs: the watchdog ends the process after
// 2 s, and the next start reports where.
//
//   $ ./postmortem hang ; ./postmortem
//   postmortem: the last run (pid 4242, 2026-12-01 09:14) was killed by the watchdog after 2.0 s in
//   'sync: upload changes' (postmortem, pre_close)
//   $ mortar-inspector --last postmortem        (that run, in the inspector)
#include <mortar/app.h>

#include <QCoreApplication>
#include <QThread>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    const bool hang = qtApp.arguments().value(1) == u"hang"_s;
    Mortar::App app({.label = u"postmortem"_s,
                     .arguments = {qtApp.arguments().constFirst()},
                     .closeTimeout = std::chrono::seconds(2)});
    if (!app.setup())
        return app.exitCode();

    // setup() has read the black box of the previous run (and logged it if it ended badly).
    const Mortar::RunReport last = app.lastRun();
    if (!last.clean()) {
        std::printf("Sorry: %s\n", qPrintable(last.summary()));
        if (last.ending == Mortar::RunReport::Ending::Killed)
            std::printf("Your changes were not uploaded; they will be now.\n");
    }

    // A worker thread: ended in pre_close, so it does not outlive the close (the census would
    // name it, with its objectName, as leak.thread).
    QThread worker;
    worker.setObjectName(u"uploader"_s);
    worker.start();
    app.hooks().add(u"pre_close"_s,
                    [&] {
                        worker.quit();
                        worker.wait();
                    },
                    {.weight = 10, .name = u"stop the uploader"_s});

    app.hooks().add(u"pre_close"_s,
                    [hang] {
                        while (hang) // a server that never answers
                            QThread::sleep(1);
                    },
                    {.name = u"sync: upload changes"_s});

    return app.exec([] {});
}

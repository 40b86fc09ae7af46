// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A Mortar app whose runs end the way its argument says, for tst_blackbox (spec §15):
//
//   blackboxapp MODE
//
//   clean     sets up and closes
//   watchdog  closes at once; the extension's pre_close handler "sync: upload changes" hangs,
//             the watchdog (closeTimeout 300 ms) ends the process
//   hang      closes at once; the same handler hangs, no close budget: the test SIGKILLs it
//   segv      closes at once; the same handler raises SIGSEGV
//   fail      closes at once; the same handler fails (throws)
//   slow-setup  a post_setup handler "open the database" takes 300 ms (the black box notes it
//             as running), then the run phase hangs: the test SIGKILLs it there
//   report    sets up, prints what app.lastRun() says and whether the trace holds a
//             postMortem event, then closes cleanly
//
// It logs a line at setup ("a log line"), which the black box must not hold. It prints
// "hanging" when the hanging handler starts. The state directory comes from the environment
// (XDG_STATE_HOME), which the test points at a temporary directory.
#include <mortar/app.h>
#include <mortar/extension.h>
#include <mortar/log.h>

#include <QCoreApplication>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace {

QString g_mode;

void say(const QByteArray &line)
{
    std::printf("%s\n", line.constData());
    std::fflush(stdout);
}

void loadSync(Mortar::App &app)
{
    app.hooks().add(u"pre_close"_s,
                    [] {
                        if (g_mode == u"watchdog"_s || g_mode == u"hang"_s) {
                            say("hanging");
                            for (;;)
                                QThread::sleep(1);
                        }
                        if (g_mode == u"segv"_s)
                            std::raise(SIGSEGV);
                        if (g_mode == u"fail"_s)
                            throw std::runtime_error("the server said no");
                    },
                    {.name = u"sync: upload changes"_s});
    if (g_mode == u"slow-setup"_s)
        app.hooks().add(u"post_setup"_s, [] { QThread::msleep(300); },
                        {.name = u"open the database"_s});
}

} // namespace

MORTAR_EXTENSION("sync", loadSync)

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    g_mode = qtApp.arguments().value(1);
    const bool noBudget = g_mode == u"hang"_s;
    Mortar::App app({.label = u"blackboxapp"_s,
                     .arguments = {qtApp.arguments().constFirst()},
                     .closeTimeout = noBudget ? std::chrono::milliseconds(0)
                                              : std::chrono::milliseconds(300),
                     .extensions = {u"sync"_s}});
    if (!app.setup()) {
        say("setup failed");
        return 2;
    }
    app.log().info(u"a log line"_s);
    if (g_mode == u"slow-setup"_s) {
        return app.exec([] {
            say("running");
            for (;;)
                QThread::sleep(1);
        });
    }
    if (g_mode == u"report"_s) {
        const Mortar::RunReport last = app.lastRun();
        say("ending " + Mortar::RunReport::endingName(last.ending).toUtf8());
        say("cause " + last.cause.toUtf8());
        say("handler " + last.handler.toUtf8());
        say("owner " + last.owner.toUtf8());
        say("hook " + last.hook.toUtf8());
        say("code " + (last.exitCode ? QByteArray::number(*last.exitCode) : QByteArray("none")));
        say("signal " + QByteArray::number(last.signalNumber));
        say("pid " + QByteArray::number(last.pid));
        say("summary " + last.summary().toUtf8());
        int postMortems = 0;
        for (const Mortar::TraceEvent &event : app.trace().events())
            postMortems += event.kind == u"postMortem"_s;
        say("postMortem " + QByteArray::number(postMortems));
    }
    app.close();
    return app.exitCode();
}

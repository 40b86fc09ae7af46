// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A Mortar app that gets into trouble the way its argument says, for tst_signals, tst_watchdog
// and tst_crash:
//
//   faults MODE [CLOSE_TIMEOUT_MS]
//
//   loop            runs the event loop until a signal ends it
//   hang-on-close   runs the event loop; its pre_close handler "hangs forever" never returns
//   hang-self       closes itself at once; its pre_close handler "hangs forever" never returns
//   segv-handler    a pre_run handler "segfaults" raises SIGSEGV
//   segv-body       the body of exec(body) writes through a null pointer
//   abort-body      the body of exec(body) calls std::abort()
//
// It prints "ready" once its signal handlers are installed and the event loop runs, and
// "hanging" when the hanging handler starts, so the test never has to guess with a sleep.
// Environment:
//   FAULTS_MARKER         a pre_close handler appends "pre_close <exit code>" to this file
//   FAULTS_EMERGENCY      paths (separated by ':') registered with app.emergencyCleanup()
//   FAULTS_PREVENT_SIGHUP a signal handler calls preventDefault() for SIGHUP, printing "prevented"
//   FAULTS_PIDFILE        loads mortar.pidfile (its pid file at this path) and mortar.tempfiles,
//                         and creates a temporary file at setup (in $TMPDIR)
#include <mortar/app.h>

#include <QCoreApplication>
#include <QFile>
#include <QTimer>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

using namespace Qt::StringLiterals;

namespace {

void say(const char *line)
{
    std::printf("%s\n", line);
    std::fflush(stdout);
}

void hangForever()
{
    say("hanging");
    std::this_thread::sleep_for(std::chrono::seconds(60));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    const QString mode = qtApp.arguments().value(1);
    bool timeoutGiven = false;
    const int closeTimeoutMs = qtApp.arguments().value(2).toInt(&timeoutGiven);

    Mortar::AppOptions options{.label = u"faults"_s};
    if (timeoutGiven)
        options.closeTimeout = std::chrono::milliseconds(closeTimeoutMs);
    const QString pidFile = qEnvironmentVariable("FAULTS_PIDFILE");
    if (!pidFile.isEmpty()) {
        // The real extensions: their files must go on every forced end too.
        options.extensions = {u"mortar.pidfile"_s, u"mortar.tempfiles"_s};
        options.configDefaults.insert(u"pidfile/path"_s, pidFile);
    }
    Mortar::App app(std::move(options));
    if (!pidFile.isEmpty()) {
        app.hooks().add(u"post_setup"_s,
                        [&app] {
                            if (!app.tempFiles().createFile().isEmpty())
                                say("tempfile created");
                        },
                        {.name = u"create a temporary file"_s});
    }

    const QString emergency = qEnvironmentVariable("FAULTS_EMERGENCY");
    for (const QString &path : emergency.split(u':', Qt::SkipEmptyParts)) {
        if (!app.emergencyCleanup().add(path))
            return 70;
    }
    app.hooks().add(u"pre_close"_s,
                    [&app] {
                        QFile marker(qEnvironmentVariable("FAULTS_MARKER"));
                        if (marker.open(QIODevice::WriteOnly | QIODevice::Append))
                            marker.write("pre_close " + QByteArray::number(app.exitCode()) + '\n');
                    },
                    {.weight = -1, .name = u"write marker"_s});
    if (qEnvironmentVariableIntValue("FAULTS_PREVENT_SIGHUP")) {
        app.hooks().add(u"signal"_s,
                        [](Mortar::HookContext &context) {
                            if (context.arguments().value(0).toInt() == SIGHUP) {
                                context.preventDefault();
                                say("prevented");
                            }
                        },
                        {.name = u"keep running on SIGHUP"_s});
    }

    if (mode == u"loop" || mode == u"hang-on-close" || mode == u"hang-self") {
        if (mode != u"loop")
            app.hooks().add(u"pre_close"_s, hangForever, {.name = u"hangs forever"_s});
        QTimer::singleShot(0, &app, [&app, mode] {
            say("ready");
            if (mode == u"hang-self")
                app.close();
        });
        return app.exec();
    }
    if (mode == u"segv-handler") {
        app.hooks().add(u"pre_run"_s, [] { std::raise(SIGSEGV); }, {.name = u"segfaults"_s});
        return app.exec([] {});
    }
    if (mode == u"segv-body") {
        return app.exec([] {
            say("crashing");
            volatile int *nowhere = nullptr;
            *nowhere = 1;
        });
    }
    if (mode == u"abort-body")
        return app.exec([] { std::abort(); });

    std::fprintf(stderr, "faults: unknown mode '%s'\n", qPrintable(mode));
    return 64;
}

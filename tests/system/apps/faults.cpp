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
//   hang-long-name  as hang-self, the hanging handler named with 2000 characters: quotes,
//                   backslashes, control characters, non-ASCII
//   hang-in-closed  closes itself at once; a slot of App::closed sleeps 1.5 s (after close.end)
//   slow-close      closes itself at once; a pre_close handler sleeps 300 ms
//   log-then-wait   logs a line every 10 ms for 2.5 s ("logged"), then runs until killed
//   busy            runs the event loop; 200 ms after "ready" it prints "busy" and blocks the
//                   App's thread for a second (signals sent then queue up)
//   thread-segv     a QThread writes through a null pointer
//   thread-overflow a QThread recurses until its stack overflows
//   exit-on-close   exitOnClose; set up without exec() and closed: std::exit ends the process
//   fd-exhaust      after "ready", opens descriptors until none are left ("exhausted"), holds
//                   them 1.5 s, then closes them ("released") and runs until a signal
//   pidfile-cycles  300 Apps with mortar.pidfile set up and closed in turn, while a thread
//                   watches the pid file during each close: whenever the emergency cleanup no
//                   longer has it, the file must be gone. Prints "violations N"
//   log-burst       after "ready", waits for a line on stdin, then logs 100 000 lines as fast as
//                   it can and prints "took N ms"; then runs until a signal
//   extension-sigint / extension-segv
//                   an extension loaded after mortar.pidfile raises SIGINT / SIGSEGV
//
// CLOSE_TIMEOUT_MS may be "max" (std::chrono::milliseconds::max()).
//
// It prints "ready" once its signal handlers are installed and the event loop runs, and
// "hanging" when the hanging handler starts, so the test never has to guess with a sleep.
// With MORTAR_INSPECT=1 it also prints "token <value>" (or "token unset"): what its children
// would inherit of MORTAR_INSPECT_TOKEN after setup.
// Environment:
//   FAULTS_MARKER         a pre_close handler appends "pre_close <exit code>" to this file
//   FAULTS_EMERGENCY      paths (separated by ':') registered with app.emergencyCleanup()
//   FAULTS_PREVENT_SIGHUP a signal handler calls preventDefault() for SIGHUP, printing "prevented"
//   FAULTS_PIDFILE        loads mortar.pidfile (its pid file at this path) and mortar.tempfiles,
//                         and creates a temporary file at setup (in $TMPDIR)
#include <mortar/app.h>
#include <mortar/emergencycleanup.h>
#include <mortar/extension.h>
#include <mortar/log.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSocketNotifier>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

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

// Recursion the compiler cannot turn into a loop (or prove endless): each frame keeps a buffer
// alive.
volatile bool g_deeper = true;
int overflow(int depth)
{
    if (!g_deeper)
        return depth;
    volatile char frame[4096];
    frame[0] = char(depth);
    return overflow(depth + 1) + frame[0];
}

// Loaded (extension-sigint, extension-segv) after mortar.pidfile, during setup().
void loadTroublemaker(Mortar::App &)
{
    const QByteArray what = qgetenv("FAULTS_TROUBLE");
    if (what == "sigint")
        std::raise(SIGINT);
    else if (what == "segv")
        std::raise(SIGSEGV);
}

/*! A handler name no JSON writer can take lightly: quotes, backslashes, control characters,
    two- to four-byte UTF-8, 2000 UTF-16 units in all. */
QString hostileName()
{
    QString name;
    const QString piece = u"q\"b\\c\t\x01\n\u00e4\u20ac"_s + QString::fromUcs4(U"\U0001F600", 1);
    while (name.size() < 2000)
        name += piece;
    return name.left(2000);
}

} // namespace

MORTAR_EXTENSION("faults.troublemaker", loadTroublemaker)

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    const QString mode = qtApp.arguments().value(1);
    bool timeoutGiven = false;
    const int closeTimeoutMs = qtApp.arguments().value(2).toInt(&timeoutGiven);

    Mortar::AppOptions options{.label = u"faults"_s};
    if (timeoutGiven)
        options.closeTimeout = std::chrono::milliseconds(closeTimeoutMs);
    if (qtApp.arguments().value(2) == u"max"_s)
        options.closeTimeout = std::chrono::milliseconds::max();
    if (mode == u"exit-on-close"_s)
        options.exitOnClose = true;
    const QString pidFile = qEnvironmentVariable("FAULTS_PIDFILE");
    if (!pidFile.isEmpty()) {
        // The real extensions: their files must go on every forced end too.
        options.extensions = {u"mortar.pidfile"_s, u"mortar.tempfiles"_s};
        options.configDefaults.insert(u"pidfile/path"_s, pidFile);
    }
    if (mode.startsWith(u"extension-"_s)) {
        qputenv("FAULTS_TROUBLE", mode.mid(10).toLatin1());
        options.extensions.append(u"faults.troublemaker"_s);
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

    if (qEnvironmentVariableIntValue("MORTAR_INSPECT") == 1) {
        app.hooks().add(u"post_setup"_s,
                        [] {
                            const QByteArray token = "token " + qgetenv("MORTAR_INSPECT_TOKEN");
                            say(qEnvironmentVariableIsSet("MORTAR_INSPECT_TOKEN")
                                        ? token.constData()
                                        : "token unset");
                        },
                        {.name = u"print the inherited token"_s});
    }

    if (mode == u"hang-long-name") {
        app.hooks().add(u"pre_close"_s, hangForever, {.name = hostileName()});
        QTimer::singleShot(0, &app, [&app] {
            say("ready");
            app.close();
        });
        return app.exec();
    }
    if (mode == u"exit-on-close") {
        // Outside exec(): the close ends the process with std::exit, which skips ~App().
        if (!app.setup())
            return 70;
        say("ready");
        app.close();
        return 99; // not reached
    }
    if (mode == u"hang-in-closed" || mode == u"slow-close") {
        if (mode == u"hang-in-closed") {
            QObject::connect(&app, &Mortar::App::closed, &app, [] {
                say("closed");
                std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            });
        }
        if (mode == u"slow-close") {
            app.hooks().add(u"pre_close"_s,
                            [] { std::this_thread::sleep_for(std::chrono::milliseconds(300)); },
                            {.name = u"takes 300 ms"_s});
        }
        QTimer::singleShot(0, &app, [&app] {
            say("ready");
            app.close();
        });
        return app.exec();
    }
    if (mode == u"log-then-wait") {
        QElapsedTimer logging;
        QTimer timer;
        int line = 0;
        QObject::connect(&timer, &QTimer::timeout, &app, [&] {
            if (logging.elapsed() >= 2500) {
                timer.stop();
                say("logged");
                return;
            }
            app.log().info(u"early line %1"_s.arg(line++));
        });
        QTimer::singleShot(0, &app, [&] {
            say("ready");
            logging.start();
            timer.start(10);
        });
        return app.exec();
    }
    if (mode == u"busy") {
        QTimer::singleShot(0, &app, [&app] {
            say("ready");
            QTimer::singleShot(200, &app, [] {
                say("busy");
                std::this_thread::sleep_for(std::chrono::seconds(1));
            });
        });
        return app.exec();
    }
    if (mode == u"threads-segv") {
        // Four threads crash together: one reports, the others must not cut its report short.
        auto *go = new std::atomic<bool>(false);
        QList<QThread *> threads;
        for (int i = 0; i < 4; ++i) {
            threads.append(QThread::create([go] {
                while (!go->load())
                    std::this_thread::yield();
                volatile int *nowhere = nullptr;
                *nowhere = 1;
            }));
        }
        QTimer::singleShot(0, &app, [threads, go] {
            say("ready");
            for (QThread *thread : threads)
                thread->start();
            QThread::msleep(20); // all four spinning
            say("crashing");
            go->store(true);
        });
        return app.exec();
    }
    if (mode == u"thread-segv" || mode == u"thread-overflow") {
        QThread *thread = QThread::create([mode] {
            say("crashing");
            if (mode == u"thread-overflow") {
                std::printf("%d\n", overflow(0));
            } else {
                volatile int *nowhere = nullptr;
                *nowhere = 1;
            }
        });
        QTimer::singleShot(0, &app, [thread] {
            say("ready");
            thread->start();
        });
        return app.exec();
    }
    if (mode == u"fd-exhaust") {
        // A low limit, so that running out is quick.
        const rlimit limit{256, 256};
        ::setrlimit(RLIMIT_NOFILE, &limit);
        std::vector<int> held;
        QTimer::singleShot(0, &app, [&] {
            say("ready");
            QTimer::singleShot(300, &app, [&] {
                for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
                    held.push_back(fd);
                say("exhausted");
                QTimer::singleShot(1500, &app, [&] {
                    for (const int fd : held)
                        ::close(fd);
                    held.clear();
                    say("released");
                });
            });
        });
        return app.exec();
    }
    if (mode.startsWith(u"extension-"_s)) {
        QTimer::singleShot(0, &app, [] { say("ready"); });
        return app.exec();
    }
    if (mode == u"log-burst") {
        QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
        QObject::connect(&input, &QSocketNotifier::activated, &app, [&] {
            input.setEnabled(false);
            char line[16];
            [[maybe_unused]] const ssize_t ignored = ::read(STDIN_FILENO, line, sizeof line);
            QElapsedTimer took;
            took.start();
            for (int i = 0; i < 100'000; ++i)
                app.log().info(u"burst line %1"_s.arg(i));
            say(QByteArray("took " + QByteArray::number(took.elapsed()) + " ms").constData());
        });
        QTimer::singleShot(0, &app, [] { say("ready"); });
        return app.exec();
    }
    if (mode == u"pidfile-cycles") {
        const QByteArray path = QFile::encodeName(pidFile);
        // Odd while a close runs: a look that began and ended in the same close is valid.
        std::atomic<int> phase{0};
        std::atomic<bool> done{false};
        std::atomic<int> violations{0};
        std::thread watcher([&] {
            while (!done) {
                const int before = phase;
                if (before % 2 == 0) {
                    std::this_thread::yield(); // setting up: nothing to watch
                    continue;
                }
                const bool registered =
                        Mortar::EmergencyCleanup::instance().paths().contains(pidFile);
                struct stat status = {};
                const bool exists = ::lstat(path.constData(), &status) == 0;
                // Unregistered while the file is still there: a forced end now would leave it.
                if (!registered && exists && phase == before)
                    ++violations;
            }
        });
        for (int cycle = 0; cycle < 300; ++cycle) {
            Mortar::App cycled({.label = u"faults"_s,
                                .extensions = {u"mortar.pidfile"_s},
                                .configDefaults = {{u"pidfile/path"_s, pidFile}}});
            cycled.hooks().add(u"pre_close"_s, [&] { ++phase; }, {.weight = -1000});
            cycled.hooks().add(u"post_close"_s, [&] { ++phase; }, {.weight = 3000});
            if (!cycled.setup())
                return 70;
            cycled.close();
        }
        done = true;
        watcher.join();
        std::printf("violations %d\n", violations.load());
        return 0;
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

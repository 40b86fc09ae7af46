// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A Mortar app that ends the way its argument says, for tst_exitpaths:
//
//   exitpaths MODE
//
// Its pre_close handler appends "pre_close <exit code at that moment>" to the file named by the
// environment variable EXITPATHS_MARKER, so the test can see that cleanup ran however the process
// ended. "<what> returned <code>" on stdout means main() got control back after the App closed;
// it is missing when the close ended the process itself (exitOnClose, §4.4 of the spec).
#include <mortar/app.h>

#include <QCoreApplication>
#include <QFile>
#include <QTimer>

#include <cstdio>
#include <optional>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace {

void writeMarker(Mortar::App &app)
{
    QFile marker(qEnvironmentVariable("EXITPATHS_MARKER"));
    if (!marker.open(QIODevice::WriteOnly | QIODevice::Append))
        throw std::runtime_error("cannot open the marker file named by EXITPATHS_MARKER");
    marker.write("pre_close " + QByteArray::number(app.exitCode()) + '\n');
}

int report(const char *what, int code)
{
    std::printf("%s returned %d\n", what, code);
    std::fflush(stdout);
    return code;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication qtApp(argc, argv);
    const QString mode = qtApp.arguments().value(1);

    // Modes whose close runs outside App::exec(): there, exitOnClose ends the process.
    const bool bare = mode.endsWith(u"-bare"_s);
    std::optional<Mortar::App> app;
    app.emplace(Mortar::AppOptions{.label = u"exitpaths"_s, .exitOnClose = bare});
    app->hooks().add(u"pre_close"_s, writeMarker);

    if (mode == u"quit7") {
        QTimer::singleShot(0, &*app, [&] { app->quit(7); });
        return report("App::exec()", app->exec());
    }
    if (mode == u"qtquit9" || mode == u"qtquit9-bare") {
        QTimer::singleShot(0, &*app, [&] {
            app->setExitCode(9);
            QCoreApplication::quit(); // Qt's own quit: the App learns of it through aboutToQuit
        });
        if (!bare)
            return report("App::exec()", app->exec());
        if (!app->setup())
            return report("App::setup()", 70);
        return report("QCoreApplication::exec()", QCoreApplication::exec());
    }
    if (mode == u"exception")
        return report("App::exec(body)",
                      app->exec([] { throw std::runtime_error("boom from the body"); }));
    if (mode == u"quit4-in-body")
        return report("App::exec(body)", app->exec([&] { app->quit(4); }));
    if (mode == u"handler-throws") {
        // Runs first (negative weight) and throws: the marker handler must still run.
        app->hooks().add(u"pre_close"_s, [] { throw std::runtime_error("cleanup failed"); },
                         {.weight = -1, .name = u"failing cleanup"_s});
        return report("App::exec(body)", app->exec([] {}));
    }
    if (mode == u"close5-bare") {
        app->close(5);
        return report("App::close()", 0);
    }
    if (mode == u"destructor3-bare") {
        app->setExitCode(3);
        app.reset(); // ~App() closes
        return report("~App()", 0);
    }
    std::fprintf(stderr, "exitpaths: unknown mode '%s'\n", qPrintable(mode));
    return 64;
}

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// mortar-inspector: shows what a Mortar app did while it closed (SPEC 10.2).
#include "closesummary.h"
#include "mainwindow.h"
#include "runningapps.h"
#include "tracefile.h"

#include <mortar/runreport.h>
#include <mortar/tracespans.h>
#include <mortar/version.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QSaveFile>
#include <QTimer>

#include <cstdio>
#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;

namespace {
constexpr int ExitUsage = 64;      // EX_USAGE
constexpr int ExitNoInput = 66;    // EX_NOINPUT
constexpr int ExitCantCreate = 73; // EX_CANTCREAT

void print(FILE *stream, const QString &text)
{
    std::fputs(qPrintable(text), stream);
}

/*! The headless modes must not need a display: they get a QCoreApplication, the window a
    QApplication — decided before either exists, hence this look at the raw arguments. */
bool isHeadless(int argc, char *argv[])
{
    for (int i = 1; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
        if (std::strcmp(argv[i], "--launch") == 0 || std::strncmp(argv[i], "--attach", 8) == 0)
            return false; // a live app is shown in the window
    }
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--summary") == 0 || std::strcmp(argv[i], "--list") == 0
            || std::strncmp(argv[i], "--export-chrome", 15) == 0
            || std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0
            || std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0)
            return true;
    }
    return false;
}
/*! Prints the running apps, one a line: label, pid, socket (tab-separated) — for scripts. */
int listRunningApps()
{
    const Mortar::Inspector::RunningApps found = Mortar::Inspector::RunningApps::find();
    for (const Mortar::Inspector::RunningApp &app : found.apps())
        print(stdout, u"%1\t%2\t%3\n"_s.arg(app.label).arg(app.pid).arg(app.socketPath));
    for (const QString &stale : found.staleSockets())
        print(stderr, u"mortar-inspector: skipped %1: its app has ended\n"_s.arg(stale));
    if (found.apps().isEmpty())
        print(stderr, u"mortar-inspector: no running Mortar apps in %1\n"_s.arg(found.directory()));
    return 0;
}

/*! Unattended (CI, scripts): once the followed app has ended, print the summary and/or save
    the window as a PNG, then quit. */
void finishUnattended(Mortar::Inspector::MainWindow &window, int exitCode, bool summary,
                      const QString &screenshot)
{
    if (summary) {
        print(stdout, Mortar::Inspector::CloseSummary::of(window.events()).toText());
        print(stdout, u"the app exited with %1\n"_s.arg(exitCode));
    }
    if (!screenshot.isEmpty() && !window.grab().save(screenshot)) {
        print(stderr, u"mortar-inspector: Unable to save %1\n"_s.arg(screenshot));
        QCoreApplication::exit(ExitCantCreate);
        return;
    }
    QCoreApplication::exit(0);
}
} // namespace

int main(int argc, char *argv[])
{
    const std::unique_ptr<QCoreApplication> application(isHeadless(argc, argv)
                                                                ? new QCoreApplication(argc, argv)
                                                                : new QApplication(argc, argv));
    QCoreApplication &app = *application;
    QCoreApplication::setApplicationName(u"mortar-inspector"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(MORTAR_VERSION_STRING));

    QCommandLineParser parser;
    parser.setApplicationDescription(
            u"Shows how a Mortar application closed: its cleanup handlers, their order, status "
            u"and duration."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption summaryOption(
            u"summary"_s, u"Print the close summary of the trace file and exit."_s);
    const QCommandLineOption exportOption(u"export-chrome"_s,
                                          u"Write the trace file as a Chrome trace (Perfetto)."_s,
                                          u"out.json"_s);
    const QCommandLineOption launchOption(
            u"launch"_s, u"Start the program given after -- with inspection on, and follow it."_s);
    const QCommandLineOption attachOption(
            u"attach"_s, u"Follow the running app with this pid, or listening on this socket."_s,
            u"pid|socket"_s);
    const QCommandLineOption listOption(
            u"list"_s, u"Print the running Mortar apps (label, pid, socket) and exit."_s);
    const QCommandLineOption screenshotOption(
            u"screenshot"_s,
            u"With --launch or --attach: once the app has ended, save the window to this PNG "
            u"and quit. Alone: save the list of running apps and quit."_s,
            u"file.png"_s);
    parser.addOption(summaryOption);
    parser.addOption(exportOption);
    parser.addOption(launchOption);
    parser.addOption(attachOption);
    parser.addOption(listOption);
    parser.addOption(screenshotOption);
    const QCommandLineOption lastOption(
            u"last"_s, u"Open the black box of this app's last run (spec §15), as a trace file."_s,
            u"label"_s);
    parser.addOption(lastOption);
    parser.addPositionalArgument(
            u"trace"_s,
            u"A trace file (.jsonl) written by a Mortar app. Without one, the running Mortar "
            u"apps are listed to attach to."_s);
    parser.process(app);

    QStringList files = parser.positionalArguments();
    if (parser.isSet(lastOption)) // <state dir>/<label>/last-run.jsonl, opened like FILE
        files.append(Mortar::RunReport::lastRunFile(parser.value(lastOption)));
    if (parser.isSet(listOption))
        return listRunningApps();

    // Live: launched or attached, in the window.
    const bool unattended = parser.isSet(screenshotOption) || parser.isSet(summaryOption);
    const QString screenshot = parser.value(screenshotOption);
    if (parser.isSet(launchOption) || parser.isSet(attachOption)) {
        Mortar::Inspector::MainWindow window;
        QObject::connect(
                &window, &Mortar::Inspector::MainWindow::appEnded, &window, [&](int exitCode) {
                    if (unattended) // else the window stays, with the whole trace
                        finishUnattended(window, exitCode, parser.isSet(summaryOption), screenshot);
                });
        if (parser.isSet(launchOption)) {
            if (files.isEmpty()) {
                print(stderr,
                      u"mortar-inspector: --launch needs a program: --launch -- ./app args\n"_s);
                return ExitUsage;
            }
            window.launch(files.first(), files.mid(1));
        } else {
            QString error;
            const std::optional<Mortar::Inspector::RunningApp> target =
                    Mortar::Inspector::RunningApps::find().resolve(parser.value(attachOption),
                                                                   &error);
            Mortar::Result attached =
                    target ? window.attach(*target) : Mortar::Result::failure(error);
            if (!attached) {
                print(stderr, u"mortar-inspector: %1\n"_s.arg(attached.errorString()));
                return ExitNoInput;
            }
        }
        window.show();
        return QApplication::exec();
    }

    if (!parser.isSet(summaryOption) && !parser.isSet(exportOption)) {
        if (files.size() > 1) {
            print(stderr, u"mortar-inspector: give one trace file to open (see --help)\n"_s);
            return ExitUsage;
        }
        Mortar::Inspector::MainWindow window;
        if (files.isEmpty()) {
            window.showRunningApps();
            if (!screenshot.isEmpty()) {
                QTimer::singleShot(200, &window, [&] {
                    if (!window.grab().save(screenshot)) {
                        print(stderr, u"mortar-inspector: Unable to save %1\n"_s.arg(screenshot));
                        QCoreApplication::exit(ExitCantCreate);
                        return;
                    }
                    QCoreApplication::exit(0);
                });
            }
        } else if (const Mortar::Result opened = window.openTraceFile(files.first()); !opened) {
            print(stderr, u"mortar-inspector: %1\n"_s.arg(opened.errorString()));
            return ExitNoInput;
        }
        window.show();
        return QApplication::exec();
    }
    if (files.size() != 1) {
        print(stderr, u"mortar-inspector: give exactly one trace file (see --help)\n"_s);
        return ExitUsage;
    }

    Mortar::Inspector::TraceFile trace;
    if (const Mortar::Result loaded = trace.load(files.first()); !loaded) {
        print(stderr, u"mortar-inspector: %1\n"_s.arg(loaded.errorString()));
        return ExitNoInput;
    }
    for (const QString &problem : trace.problems())
        print(stderr, u"mortar-inspector: %1: skipped %2\n"_s.arg(files.first(), problem));

    if (parser.isSet(exportOption)) {
        QSaveFile out(parser.value(exportOption));
        if (!out.open(QIODevice::WriteOnly)
            || out.write(Mortar::chromeTrace(trace.events(), trace.pid(), trace.label())
                                 .toJson(QJsonDocument::Compact))
                    < 0
            || !out.commit()) {
            print(stderr,
                  u"mortar-inspector: Unable to write %1: %2\n"_s.arg(out.fileName(),
                                                                      out.errorString()));
            return ExitCantCreate;
        }
    }
    if (parser.isSet(summaryOption)) {
        print(stdout, u"%1 (pid %2)\n"_s.arg(trace.label()).arg(trace.pid()));
        print(stdout, Mortar::Inspector::CloseSummary::of(trace.events()).toText());
    }
    return 0;
}

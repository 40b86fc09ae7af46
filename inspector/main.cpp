// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// mortar-inspector: shows what a Mortar app did while it closed (SPEC 10.2).
#include "closecompare.h"
#include "closesummary.h"
#include "mainwindow.h"
#include "runningapps.h"
#include "tracefile.h"

#include <mortar/chromeexport.h>
#include <mortar/runreport.h>
#include <mortar/version.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>
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
            || std::strcmp(argv[i], "--compare") == 0 || std::strcmp(argv[i], "--help") == 0
            || std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--version") == 0
            || std::strcmp(argv[i], "-v") == 0)
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
        QTextStream out(stdout);
        Mortar::Inspector::CloseSummary::of(window.events()).write(out);
        out << "the app exited with " << exitCode << '\n';
    }
    if (!screenshot.isEmpty() && !window.grab().save(screenshot)) {
        print(stderr, u"mortar-inspector: Unable to save %1\n"_s.arg(screenshot));
        QCoreApplication::exit(ExitCantCreate);
        return;
    }
    QCoreApplication::exit(0);
}
/*! --compare BASE NEW: 1 if NEW regressed, 0 if not, 64 if misused, 66 if unreadable. */
int compareTraces(const QStringList &files, const QString &thresholdText)
{
    bool ok = false;
    const double threshold = thresholdText.toDouble(&ok);
    if (!ok || threshold < 0) {
        print(stderr,
              u"mortar-inspector: --threshold wants a percentage (0 or more), not '%1'\n"_s.arg(
                      thresholdText));
        return ExitUsage;
    }
    if (files.size() != 2) {
        print(stderr,
              u"mortar-inspector: --compare wants two trace files: BASE.jsonl NEW.jsonl\n"_s);
        return ExitUsage;
    }
    Mortar::Inspector::CloseSummary summaries[2];
    for (int i = 0; i < 2; ++i) {
        Mortar::Inspector::TraceFile trace;
        if (const Mortar::Result loaded = trace.load(files.at(i)); !loaded) {
            print(stderr, u"mortar-inspector: %1\n"_s.arg(loaded.errorString()));
            return ExitNoInput;
        }
        summaries[i] = Mortar::Inspector::CloseSummary::of(trace.events());
    }
    const Mortar::Inspector::CloseCompare compare = Mortar::Inspector::CloseCompare::of(
            std::move(summaries[0]), std::move(summaries[1]), threshold);
    QTextStream out(stdout);
    out << "compare " << files.at(0) << " (base) with " << files.at(1) << " (new)\n";
    compare.write(out);
    return compare.regressed() ? 1 : 0;
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
            u"With a trace file: once it is loaded and shown, save the window to this PNG and "
            u"quit. With --launch or --attach: the same once the app has ended. Alone: save the "
            u"list of running apps and quit."_s,
            u"file.png"_s);
    const QCommandLineOption compareOption(
            u"compare"_s,
            u"Compare the close of two trace files, BASE and NEW, per handler; exit 1 if NEW "
            u"regressed (a new failure, timeout or unfinished handler, or a handler slower by "
            u"more than the threshold and by at least 1 ms), else 0."_s);
    const QCommandLineOption baseOption(
            u"base"_s,
            u"With a trace file in the window: compare its close with this earlier one (as "
            u"File → Compare with… does), on the Compare tab."_s,
            u"base.jsonl"_s);
    const QCommandLineOption thresholdOption(
            u"threshold"_s, u"With --compare: how much slower a handler may get (default 20)."_s,
            u"percent"_s, u"20"_s);
    parser.addOption(summaryOption);
    parser.addOption(exportOption);
    parser.addOption(launchOption);
    parser.addOption(attachOption);
    parser.addOption(listOption);
    parser.addOption(screenshotOption);
    parser.addOption(compareOption);
    parser.addOption(thresholdOption);
    parser.addOption(baseOption);
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
    if (parser.isSet(compareOption))
        return compareTraces(files, parser.value(thresholdOption));
    if (parser.isSet(thresholdOption)) {
        print(stderr, u"mortar-inspector: --threshold goes with --compare\n"_s);
        return ExitUsage;
    }

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
        } else {
            // Read in the background with a progress bar; shown (and compared, and saved as a
            // screenshot) once loaded.
            // A file given on the command line that cannot be read ends the program (66), with
            // the reason on stderr rather than in a message box.
            window.setProperty("unattended", true);
            QObject::connect(
                    &window, &Mortar::Inspector::MainWindow::traceOpened, &window,
                    [&](const Mortar::Result &opened) {
                        if (!opened) {
                            print(stderr, u"mortar-inspector: %1\n"_s.arg(opened.errorString()));
                            QCoreApplication::exit(ExitNoInput);
                            return;
                        }
                        if (parser.isSet(baseOption)) {
                            if (const Mortar::Result compared =
                                        window.compareWith(parser.value(baseOption));
                                !compared) {
                                print(stderr,
                                      u"mortar-inspector: %1\n"_s.arg(compared.errorString()));
                                QCoreApplication::exit(ExitNoInput);
                                return;
                            }
                        }
                        if (screenshot.isEmpty())
                            return;
                        // Shown: laid out and painted once the events queued by showing are done.
                        QTimer::singleShot(0, &window, [&] {
                            if (!window.grab().save(screenshot)) {
                                print(stderr,
                                      u"mortar-inspector: Unable to save %1\n"_s.arg(screenshot));
                                QCoreApplication::exit(ExitCantCreate);
                                return;
                            }
                            QCoreApplication::exit(0);
                        });
                    });
            window.openTraceFileInBackground(files.first());
        }
        window.show();
        return QApplication::exec();
    }
    if (files.size() != 1) {
        print(stderr, u"mortar-inspector: give exactly one trace file (see --help)\n"_s);
        return ExitUsage;
    }

    // Deliberately never freed: the process ends right after, and freeing a million events
    // would take longer than printing their summary. Held by a static pointer, so that it stays
    // reachable and leak checkers (the asan preset's LeakSanitizer) do not count it.
    static Mortar::Inspector::TraceFile *const keptTrace = new Mortar::Inspector::TraceFile;
    Mortar::Inspector::TraceFile &trace = *keptTrace;
    if (const Mortar::Result loaded = trace.load(files.first()); !loaded) {
        print(stderr, u"mortar-inspector: %1\n"_s.arg(loaded.errorString()));
        return ExitNoInput;
    }
    for (const QString &problem : trace.problems())
        print(stderr, u"mortar-inspector: %1: skipped %2\n"_s.arg(files.first(), problem));

    if (parser.isSet(exportOption)) {
        if (const Mortar::Result written = Mortar::writeChromeTrace(
                    parser.value(exportOption), trace.events(), trace.pid(), trace.label());
            !written) {
            print(stderr, u"mortar-inspector: %1\n"_s.arg(written.errorString()));
            return ExitCantCreate;
        }
    }
    if (parser.isSet(summaryOption)) {
        QTextStream out(stdout);
        // Never freed either, for the same reason (and as reachable).
        static const auto *const summary = new Mortar::Inspector::CloseSummary(
                Mortar::Inspector::CloseSummary::of(trace.events()));
        summary->write(out, u"%1 (pid %2)"_s.arg(trace.label()).arg(trace.pid()));
    }
    return 0;
}

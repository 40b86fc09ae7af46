// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include "commandline_p.h"
#include "exitcodes_p.h"
#include "leakcensus_p.h"
#include "logoutput_p.h"
#include "unixsignals_p.h"
#include "watchdog_p.h"

#include <mortar/app.h>
#include <mortar/config.h>
#include <mortar/extension.h>
#include <mortar/pluginmanager.h>
#include <mortar/tempfiles.h>

#include <QCommandLineParser>

#include <atomic>
#include <optional>

namespace Mortar::Internal {

class InspectionServer;
class BlackBox;
struct InspectedApp;
class AppPrivate;

/*!
    Watches the QCoreApplication for quit requests the App did not make (spec §4.7): the
    QEvent::Quit that QCoreApplication::quit() / QApplication::quit() send to it, which is also
    how a Qt 6 GUI app ends when its last window closed; and QGuiApplication::lastWindowClosed,
    connected by name so the framework does not link Qt Gui.
*/
class QtAppWatcher final : public QObject
{
    Q_OBJECT
public:
    explicit QtAppWatcher(AppPrivate *d) : m_d(d) { }
    bool eventFilter(QObject *watched, QEvent *event) override;
    bool forwarding = false; // the Quit event being handed on to Qt

public Q_SLOTS:
    void onLastWindowClosed();

private:
    AppPrivate *const m_d;
};

/*! What started a close; recorded as the close's \c cause. */
enum class CloseCause {
    Close,
    Quit,
    AboutToQuit,
    EndOfExec,
    Destructor,
    Signal,
    Exception,
    Inspector,
    LastWindowClosed, // QGuiApplication::lastWindowClosed, then Qt's quit
    SetupFailed,
    CommandLine // --help or --version was answered
};
QString causeName(CloseCause cause);

/*! What an inspection server may read of \a app: for the server's own tests, which make one
    without setup(). */
MORTAR_EXPORT InspectedApp inspectedAppOf(App &app);

class AppPrivate
{
public:
    AppPrivate(App *app, AppOptions appOptions);

    void defineFrameworkHooks();
    void registerBindings(bool lastChance, QStringList *undefined);

    void setState(App::State newState);
    /*! A rule of the exit-code table (exitcodes_p.h) applies only while no other code was set:
        an explicit non-zero code always wins. */
    void applyExitCodeRule(ExitCodeRule rule);
    /*! Records why setup failed, logs it unless \a logged (a usage error is written on stderr
        as command-line programs do), applies \a rule's code and closes. */
    Result failSetup(const QString &why, ExitCodeRule rule = ExitRule::SetupFailed,
                     bool logged = false);
    /*! A bad command line: \a why and a --help hint on stderr, then failSetup() with 64. */
    Result failUsage(const QString &why);

    // setup()'s steps (appsetup.cpp), in order; each returns what failed, for failSetup().
    /*! The config files: AppOptions::configFiles (or the standard ones), then \c --config;
        then \c{[log] file=}. */
    Result readConfig();
    /*! AppOptions::extensions, then \c{[<label>] extensions=} of the config. */
    Result loadExtensions();
    /*! Discovers the plugin files and loads those enabled (spec §7). */
    Result loadPlugins();
    /*! What the full parse decided. */
    enum class ParseOutcome { Continue, Failed, Answered };
    /*! \c pre_argument_parsing, the parse, \c post_argument_parsing. \c --help and
        \c --version are answered here, on stdout; a bad command line is left to failUsage(). */
    ParseOutcome parseCommandLine(QString *error);

    void beginRunPhase();
    void finishRunPhase();
    /*! Runs \a body; false if it threw (logged, recorded, exit code 1). */
    bool runBody(const std::function<void()> &body, QString *error);
    int exec(const std::function<void()> *body);

    void close(std::optional<int> code, CloseCause cause);
    void endProcess(CloseCause cause);
    /*!
        A quit request (spec §4.7): runs \c quit_requested. False if a handler prevented it
        (recorded as \c quit.prevented), if the App closed meanwhile, or while an earlier
        request is still being decided (its handler shows a dialog, say). \a code: the code
        asked for, for the trace.
    */
    bool requestQuit(CloseCause cause, std::optional<int> code);
    /*! QEvent::Quit reached the QCoreApplication; true: it is consumed here. */
    bool onQtQuitEvent(QEvent *event);

    /*! setup()'s first step when inspection is on: the server, told what it may read of the
        App (appinspection.cpp). */
    Result startInspection();
    /*! What the inspection server may read of this App. */
    InspectedApp inspectedApp();
    /*! Hands the server the plugins and extensions its snapshot lists (App's thread). */
    void refreshInspectionInventory();

    /*! setup()'s step: AppOptions::catchSignals and the crash signals (spec §5, §6.2). */
    void installSignalHandlers();
    /*! A caught signal, read from the self-pipe in the App's thread. */
    void onUnixSignal(int signalNumber);
    /*! The close budget passed: report and _exit(timeoutExitCode), from the watchdog's thread. */
    void watchdogExpired();
    /*! The close's budget: AppOptions::closeTimeout, or a rehearsal's. */
    std::chrono::milliseconds closeTimeout() const
    {
        return rehearsing ? rehearsing->closeTimeout : options.closeTimeout;
    }

    void record(const QString &kind, const QJsonObject &extra = {},
                std::optional<int> code = std::nullopt, const QString &error = {});

    App *const q;
    const AppOptions options;

    // Destroyed in reverse order: the registry and the log refer to the trace.
    const std::unique_ptr<Trace> trace;
    const std::unique_ptr<Log> log;
    const std::unique_ptr<HookRegistry> hooks;

    std::atomic<App::State> state{App::State::Created};
    std::atomic<bool> closing{false}; // state is Closing: what the signal handlers ask
    std::atomic<int> exitCode{0};

    bool setupStarted = false;
    Result setupResult;
    QString constructionError; // e.g. an unusable trace file: setup() reports it
    QStringList arguments;     // AppOptions::arguments, else QCoreApplication::arguments()
    FrameworkOptions early;    // the command line's early pass, made at construction
    QList<HookBinding> pendingBindings;

    bool runPhaseActive = false; // pre_run ran and post_run did not yet
    bool inExec = false;         // exec() is on the stack: it returns the exit code
    bool inExecLoop = false;     // exec() runs QCoreApplication::exec()
    // A quit request was accepted and the event loop is being left: the close that follows
    // (through aboutToQuit, or at the end of exec()) has this cause.
    std::optional<CloseCause> quitCause;
    bool inQuitRequested = false; // quit_requested runs: the request it decides stands
    // The aboutToQuit slot is on the stack: Qt is emitting aboutToQuit (from
    // QCoreApplication::exit() on Qt >= 6.5), which must not be re-entered.
    bool inAboutToQuit = false;
    bool lastWindowClosed = false; // lastWindowClosed was emitted; the Quit it causes follows
    bool quitAfterClose = false;   // Qt's quit came during the close: leave the loop after it
    QMetaObject::Connection aboutToQuitConnection;
    std::unique_ptr<QtAppWatcher> qtAppWatcher;

    // Fault handling: read without locks by the watchdog and the signal handlers.
    FaultContext faultContext;
    /*! Set while Mortar::Test's rehearsal (spec §14) performs the close: the watchdog's budget,
        and where a forced end is reported instead of ending the process. */
    struct Rehearsing
    {
        std::chrono::milliseconds closeTimeout;
        std::function<void(const ForcedEnd &)> forcedEnd; // in the watchdog's thread
    };
    const Rehearsing *rehearsing = nullptr;
    std::unique_ptr<UnixSignals> unixSignals; // from setup(); its handlers until the close ends
    Watchdog watchdog;                        // runs during the close

    // Extensions and what the built-in ones keep per App. Declared last, so destroyed first,
    // while the log and the trace they refer to still exist.
    const std::unique_ptr<ExtensionRegistry> extensions{new ExtensionRegistry(q)};

    const std::unique_ptr<Config> config{new Config};
    QCommandLineParser commandLine;
    LogOutput logOutput;
    // Unloads what is still loaded when destroyed, while the registry and trace exist.
    const std::unique_ptr<PluginManager> plugins{new PluginManager(*q, *hooks, *trace)};

    // The black box (spec §15, blackbox.cpp): the previous run's report, and this run's file.
    RunReport lastRun;
    std::unique_ptr<BlackBox> blackBox;
    LeakCensus leakCensus; // what outlived the close (spec §16, leakcensus.cpp)

    // The inspection server (spec §10.1), when AppOptions::inspect or MORTAR_INSPECT=1 asked for
    // it. Last: destroyed first, while the trace it listens to exists.
    std::unique_ptr<InspectionServer> inspection;

    /*! For the framework's own extensions, which live in other files. */
    static AppPrivate *get(App &app) { return app.d.get(); }
    static const AppPrivate *get(const App &app) { return app.d.get(); }
};

} // namespace Mortar::Internal

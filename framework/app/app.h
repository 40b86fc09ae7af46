// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/appoptions.h>
#include <mortar/config.h>
#include <mortar/emergencycleanup.h>
#include <mortar/extension.h>
#include <mortar/hookregistry.h>
#include <mortar/log.h>
#include <mortar/mortar_export.h>
#include <mortar/pluginmanager.h>
#include <mortar/result.h>
#include <mortar/runreport.h>
#include <mortar/tempfiles.h>
#include <mortar/trace.h>

#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace Mortar {

namespace Internal {
class AppPrivate;
}

/*!
    \brief An application's lifecycle: setup → run → close, with hooks at every step.

    App does not own the QCoreApplication (or QApplication); one must exist, and the App lives in
    its thread. close() always runs exactly once: called explicitly, by quit(), when
    QCoreApplication::aboutToQuit is emitted, at the end of exec(), or by the destructor.
    \code
    QCoreApplication qtApp(argc, argv);
    Mortar::App app({.label = u"myapp"_s, .exitOnClose = true});
    return app.exec([&] { doWork(app); });
    \endcode
*/
class MORTAR_EXPORT App final : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString label READ label CONSTANT)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(int exitCode READ exitCode WRITE setExitCode NOTIFY exitCodeChanged)
    Q_PROPERTY(QStringList pendingHandlers READ pendingHandlers NOTIFY pendingHandlersChanged)

public:
    enum class State { Created, SettingUp, Ready, Running, Closing, Closed };
    Q_ENUM(State)

    explicit App(AppOptions options, QObject *parent = nullptr);
    /*! Closes the App if it is not closed yet (cause \c ~App()). */
    ~App() override;

    QString label() const;
    const AppOptions &options() const;
    State state() const;

    /*!
        pre_setup → extensions → config → signal handlers → plugins → argument parsing → deferred
        hook bindings → post_setup. On failure returns the error, sets exit code 78 (64 for a bad
        command line) and runs the close sequence. A second call returns the first result.
    */
    Result setup();
    /*! setup() if needed, then pre_run → post_run. */
    Result run();
    /*! setup() if needed, then pre_run → \a body → post_run. An exception escaping \a body is
        logged and recorded, sets exit code 1, and is returned as the error. */
    Result run(const std::function<void()> &body);
    /*! setup() if needed, pre_run, QCoreApplication::exec(), post_run, close(); returns exitCode(). */
    int exec();
    /*! Like exec(), running \a body instead of the event loop. */
    int exec(const std::function<void()> &body);

    /*! The close sequence: pre_close, its deferrals, post_close, its deferrals. Idempotent;
        from another thread it is queued to the App's thread. */
    void close();
    /*! close() with exit code \a code. */
    void close(int code);
    /*! A quit request (spec §4.7): runs the \c quit_requested hook; unless a handler called
        HookContext::preventDefault(), setExitCode(\a code), then leave the event loop (the close
        runs via aboutToQuit), or close at once outside a loop. During the close it is recorded
        as \c close.repeated and changes nothing. */
    void quit(int code = 0);

    int exitCode() const;
    /*! Sets the exit code, 0..255. Anything else is refused: returns false, warns, keeps the code. */
    bool setExitCode(int code);

    /*! The handlers whose asynchronous work (a Deferral or a QFuture) the close waits for right
        now, by name, in run order; empty when nothing is waited for (spec §4.8). */
    QStringList pendingHandlers() const;
    /*! When the wait for \a handler (a name from pendingHandlers()) times out; with no name, when
        the current wait ends at the latest (the last of the pending handlers' deadlines). One
        that never expires (QDeadlineTimer::Forever) when nothing, or no such handler, is
        pending. */
    QDeadlineTimer pendingDeadline(const QString &handler = {}) const;

    HookRegistry &hooks();
    /*! The configuration: the INI files read by setup() over AppOptions::configDefaults. Before
        setup() it holds the defaults only. */
    Config &config();
    const Config &config() const;
    /*!
        The command line, with the framework's options (\c --help, \c --version, \c --debug,
        \c --quiet, \c --config, \c --plugin, \c --no-plugin, \c --inspect, \c --trace).
        Add the application's options before setup(), or in \c pre_argument_parsing (as plugins
        do); read them after setup(). setup() parses it: \c --help, \c --version and a bad
        command line end the App through its normal close, with exit code 0, 0 and 64.
    */
    QCommandLineParser &commandLine();
    Log &log();
    Trace &trace();
    /*! The run-time plugins: which were found, which loaded, which failed and why. */
    PluginManager &plugins();
    /*! The compiled-in extensions: which exist, which this App loaded. */
    ExtensionRegistry &extensions();
    /*! Temporary files and directories removed at close. The first call loads the
        \c mortar.tempfiles extension if it is not loaded; make it from the App's thread (the
        TempFiles object itself is thread-safe). */
    TempFiles &tempFiles();
    /*! The process-wide registry of paths removed even when the process ends abnormally
        (watchdog, second signal, crash); the same object as EmergencyCleanup::instance(). */
    EmergencyCleanup &emergencyCleanup();
    /*! How the previous run of this label ended, read from its black box at setup() (spec §15);
        invalid before setup() or with AppOptions::blackBox off. */
    RunReport lastRun() const;

Q_SIGNALS:
    void stateChanged(Mortar::App::State state);
    void exitCodeChanged(int exitCode);

    // Emitted by each framework hook's built-in handler of weight 0.
    void preSetup();
    void postSetup();
    void preRun();
    void postRun();
    void preArgumentParsing();
    void postArgumentParsing();
    void preClose();
    void postClose();
    /*! Emitted by the \c quit_requested hook's built-in handler (spec §4.7). A slot cannot veto;
        a handler registered with hooks().add() can, through HookContext::preventDefault(). */
    void quitRequested();
    void signalReceived(int signalNumber);
    /*! pendingHandlers() changed: a weight level of the close started waiting, a handler's work
        settled or timed out; ends with an empty list. */
    void pendingHandlersChanged(const QStringList &handlers);

    /*! The close finished with \a exitCode. */
    void closed(int exitCode);

private:
    friend class Internal::AppPrivate;
    std::unique_ptr<Internal::AppPrivate> const d;
};

} // namespace Mortar

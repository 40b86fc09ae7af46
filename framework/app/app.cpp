// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/app.h>

#include "app_p.h"
#include "asyncsafe_p.h"
#include "extension_p.h"
#include "hookregistry_p.h"
#include "inspectionserver_p.h"
#include "loggingcategories_p.h"
#include "trace_p.h"

#include <QCoreApplication>
#include <QEvent>
#include <QMetaEnum>
#include <QRegularExpression>
#include <QThread>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

namespace {
constexpr int ExitUsage = 64;  // EX_USAGE
constexpr int ExitConfig = 78; // EX_CONFIG
} // namespace

QString causeName(CloseCause cause)
{
    switch (cause) {
    case CloseCause::Close: return u"close()"_s;
    case CloseCause::Quit: return u"quit()"_s;
    case CloseCause::AboutToQuit: return u"aboutToQuit"_s;
    case CloseCause::EndOfExec: return u"exec() ended"_s;
    case CloseCause::Destructor: return u"~App()"_s;
    case CloseCause::Signal: return u"signal"_s;
    case CloseCause::Exception: return u"exception"_s;
    case CloseCause::Inspector: return u"inspector"_s;
    case CloseCause::LastWindowClosed: return u"lastWindowClosed"_s;
    case CloseCause::SetupFailed: return u"setup failed"_s;
    case CloseCause::CommandLine: return u"command line"_s;
    }
    return {};
}

AppPrivate::AppPrivate(App *app, AppOptions appOptions)
    : q(app),
      options(std::move(appOptions)),
      trace(new Trace(options.label)),
      log(new Log(options.label, trace.get())),
      hooks(new HookRegistry(app, trace.get()))
{
    hooks->d->m_defaultOwner = options.label;
    hooks->d->m_defaultTimeoutMs = options.handlerTimeout.count();
    faultContext.trace = trace->d.get();
    faultContext.hooks = hooks->d.get();
    faultContext.state = &state;
    faultContext.label = options.label.toUtf8();
    // In the thread that waits, which is the App's for the close.
    hooks->d->m_pendingChanged = [this](const QStringList &names) {
        Q_EMIT q->pendingHandlersChanged(names);
    };
}

void AppPrivate::record(const QString &kind, const QJsonObject &extra, std::optional<int> code,
                        const QString &error)
{
    TraceEvent event;
    event.kind = kind;
    event.extra = extra;
    event.code = code;
    event.error = error;
    trace->d->record(std::move(event));
}

void AppPrivate::defineFrameworkHooks()
{
    struct FrameworkHook
    {
        QString name;
        void (App::*signal)();
        const char *signature; // for QObject::receivers()
        QString handlerName;
    };
    const FrameworkHook frameworkHooks[] = {
            {u"pre_setup"_s, &App::preSetup, SIGNAL(preSetup()), u"App::preSetup()"_s},
            {u"post_setup"_s, &App::postSetup, SIGNAL(postSetup()), u"App::postSetup()"_s},
            {u"pre_argument_parsing"_s, &App::preArgumentParsing, SIGNAL(preArgumentParsing()),
             u"App::preArgumentParsing()"_s},
            {u"post_argument_parsing"_s, &App::postArgumentParsing, SIGNAL(postArgumentParsing()),
             u"App::postArgumentParsing()"_s},
            {u"pre_run"_s, &App::preRun, SIGNAL(preRun()), u"App::preRun()"_s},
            {u"post_run"_s, &App::postRun, SIGNAL(postRun()), u"App::postRun()"_s},
            {u"quit_requested"_s, &App::quitRequested, SIGNAL(quitRequested()),
             u"App::quitRequested()"_s},
            {u"pre_close"_s, &App::preClose, SIGNAL(preClose()), u"App::preClose()"_s},
            {u"post_close"_s, &App::postClose, SIGNAL(postClose()), u"App::postClose()"_s},
            {u"signal"_s, nullptr, SIGNAL(signalReceived(int)), u"App::signalReceived(int)"_s},
    };

    // Each framework hook's Qt signal is emitted by a handler of weight 0, so connected slots run
    // between the negative- and the positive-weight handlers (as one group, in one handler).
    const HookRegistry::OwnerScope owner(*hooks, u"Mortar::App"_s);
    for (const FrameworkHook &hook : frameworkHooks) {
        hooks->define(hook.name);
        Handler emitter;
        if (hook.signal) {
            emitter = [this, signal = hook.signal] { Q_EMIT(q->*signal)(); };
        } else {
            emitter = [this](HookContext &context) {
                Q_EMIT q->signalReceived(context.arguments().value(0).toInt());
            };
        }
        const HandlerId id = hooks->add(hook.name, std::move(emitter), {.name = hook.handlerName});
        QMutexLocker locker(&hooks->d->m_mutex);
        hooks->d->m_byId.value(id.value())->receiverCount = [this, signature = hook.signature] {
            return q->receivers(signature);
        };
    }
    for (const QString &name : options.defineHooks)
        hooks->define(name);
}

void AppPrivate::registerBindings(bool lastChance, QStringList *undefined)
{
    QList<HookBinding> stillPending;
    for (HookBinding &binding : pendingBindings) {
        if (hooks->isDefined(binding.hook) || lastChance) {
            if (!hooks->isDefined(binding.hook)) {
                if (undefined)
                    undefined->append(binding.hook);
                continue;
            }
            hooks->add(binding.hook, std::move(binding.handler), std::move(binding.options));
        } else {
            stillPending.append(std::move(binding));
        }
    }
    pendingBindings = std::move(stillPending);
}

void AppPrivate::setState(App::State newState)
{
    state = newState;
    const char *name = QMetaEnum::fromType<App::State>().valueToKey(int(newState));
    record(u"state"_s, QJsonObject{{u"state"_s, QString::fromLatin1(name)}});
    Q_EMIT q->stateChanged(newState);
}

void AppPrivate::applyExitCodeRule(int code, const QString &why)
{
    if (exitCode != 0)
        return;
    record(u"exitCode.rule"_s, {{u"why"_s, why}}, code);
    q->setExitCode(code);
}

Result AppPrivate::failUsage(const QString &why)
{
    // As command-line programs do (and QCommandLineParser::process()), whatever --quiet says.
    const QString program = QCoreApplication::applicationName();
    std::fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", qPrintable(program),
                 qPrintable(why), qPrintable(program));
    std::fflush(stderr);
    return failSetup(why, ExitUsage, true);
}

Result AppPrivate::failSetup(const QString &why, int code, bool logged)
{
    if (!logged)
        log->error(why);
    record(u"setup.failed"_s, {}, code, why);
    setupResult = Result::failure(why);
    applyExitCodeRule(code, u"setup failed"_s);
    close(std::nullopt, CloseCause::SetupFailed);
    return setupResult;
}

void AppPrivate::beginRunPhase()
{
    setState(App::State::Running);
    hooks->run(u"pre_run"_s);
    // A handler of pre_run may have closed the App already.
    runPhaseActive = state == App::State::Running;
}

void AppPrivate::finishRunPhase()
{
    if (!runPhaseActive)
        return;
    runPhaseActive = false;
    hooks->run(u"post_run"_s);
}

bool AppPrivate::runBody(const std::function<void()> &body, QString *error)
{
    try {
        body();
        return true;
    } catch (const std::exception &e) {
        *error = QString::fromLocal8Bit(e.what());
    } catch (...) {
        *error = u"an exception not derived from std::exception"_s;
    }
    log->error(u"Unhandled exception: %1"_s.arg(*error));
    record(u"exception"_s, {{u"where"_s, u"run body"_s}}, std::nullopt, *error);
    applyExitCodeRule(1, u"an exception escaped the body"_s);
    return false;
}

int AppPrivate::exec(const std::function<void()> *body)
{
    if (!q->setup() || state >= App::State::Closing)
        return exitCode;

    inExec = true;
    CloseCause cause = CloseCause::EndOfExec;
    beginRunPhase();
    if (state == App::State::Running) {
        if (body) {
            QString error;
            if (!runBody(*body, &error))
                cause = CloseCause::Exception;
        } else {
            inExecLoop = true;
            QCoreApplication::exec();
            inExecLoop = false;
        }
    }
    if (quitCause && cause == CloseCause::EndOfExec)
        cause = *quitCause;
    finishRunPhase();
    if (state < App::State::Closing) // else it closed in the loop (aboutToQuit, a signal …)
        close(std::nullopt, cause);
    inExec = false;
    return exitCode;
}

void AppPrivate::close(std::optional<int> code, CloseCause cause)
{
    if (QThread::currentThread() != q->thread()) {
        QMetaObject::invokeMethod(
                q, [this, code, cause] { close(code, cause); }, Qt::QueuedConnection);
        return;
    }
    const auto requested = [&] {
        QJsonObject extra{{u"cause"_s, causeName(cause)}};
        return extra;
    };
    if (state >= App::State::Closing) {
        // Idempotent by design: a second trigger is expected (aboutToQuit after quit(), a
        // handler calling close()), and only recorded.
        record(u"close.repeated"_s, requested(), code);
        return;
    }

    // Hooks keep their order on every path: a close while exec() runs ends the run phase first.
    finishRunPhase();
    setState(App::State::Closing);
    const qint64 closeStart = trace->now();
    record(u"close.begin"_s, requested(), code);
    if (code)
        q->setExitCode(*code);
    {
        QMutexLocker locker(&hooks->d->m_mutex);
        hooks->d->m_closeDeadline = options.closeTimeout.count() > 0
                ? QDeadlineTimer(options.closeTimeout)
                : QDeadlineTimer(QDeadlineTimer::Forever);
    }
    if (options.closeTimeout.count() > 0)
        watchdog.start(options.closeTimeout, [this] { watchdogExpired(); });

    const HookRun preClose = hooks->run(u"pre_close"_s);
    const HookRun postClose = hooks->run(u"post_close"_s);
    if (!preClose.ok() || !postClose.ok())
        applyExitCodeRule(1, u"a cleanup handler failed or timed out"_s);
    plugins->unloadAll(); // after post_close, in reverse load order (spec §7)

    QObject::disconnect(aboutToQuitConnection);
    // Before close.end: a trace never says both "closed" and "killed by the watchdog" (§4.6).
    watchdog.stop();
    setState(App::State::Closed);
    TraceEvent end;
    end.kind = u"close.end"_s;
    end.code = exitCode.load();
    end.durationNs = trace->now() - closeStart;
    end.extra.insert(u"cause"_s, causeName(cause));
    trace->d->record(std::move(end));
    trace->flush();
    Q_EMIT q->closed(exitCode);
    if (unixSignals)
        unixSignals->uninstall(); // the previous handlers again (spec §5)
    endProcess(cause);
}

void AppPrivate::endProcess(CloseCause cause)
{
    // Decided by where the call comes from, not by the cause: a close inside the aboutToQuit
    // slot (whatever asked for it) must not call QCoreApplication::exit(), which on Qt >= 6.5
    // emits aboutToQuit again while Qt is still emitting it — every receiver would run twice.
    // The loop is being left anyway.
    const bool mayLeaveLoop = !inAboutToQuit;
    if (inExec) {
        // exec() returns the exit code. A close while its event loop runs also leaves the loop.
        if (inExecLoop && mayLeaveLoop)
            QCoreApplication::exit(exitCode);
        return;
    }
    if (!options.exitOnClose) {
        // A signal's close leaves the event loop (spec §5), also one that exec() did not start;
        // so does one during which Qt was asked to quit.
        if ((cause == CloseCause::Signal || quitAfterClose) && mayLeaveLoop
            && QThread::currentThread()->loopLevel() > 0)
            QCoreApplication::exit(exitCode);
        return;
    }
    const int code = exitCode;
    record(u"process.exit"_s, {}, code);
    trace->flush();
    if (inspection) // inspectors get the whole run before the process ends (bounded)
        inspection->flush(std::chrono::seconds(1));
    std::fflush(stdout);
    std::fflush(stderr);
    std::exit(code);
}

bool AppPrivate::requestQuit(CloseCause cause, std::optional<int> code)
{
    if (inQuitRequested) {
        // E.g. the window's close button again while the "Save changes?" dialog is open: the
        // request on screen decides.
        qCDebug(lcApp).noquote() << u"A quit request (%1) came while quit_requested was still "
                                    u"deciding the previous one; it is ignored"_s.arg(
                                            causeName(cause));
        return false;
    }
    inQuitRequested = true;
    const HookRun run = hooks->run(u"quit_requested"_s, {causeName(cause)});
    inQuitRequested = false;
    if (state >= App::State::Closing)
        return false; // a handler closed, or a signal came while a dialog was open
    if (!run.defaultPrevented())
        return true;
    record(u"quit.prevented"_s, {{u"cause"_s, causeName(cause)}, {u"handler"_s, run.preventedBy()}},
           code);
    qCInfo(lcApp).noquote() << u"The quit request (%1) was prevented by '%2'; the App keeps "
                               u"running"_s.arg(causeName(cause), run.preventedBy());
    return false;
}

bool AppPrivate::onQtQuitEvent(QEvent *event)
{
    const CloseCause cause = std::exchange(lastWindowClosed, false) ? CloseCause::LastWindowClosed
                                                                    : CloseCause::Quit;
    if (state == App::State::Closed)
        return false; // the App is done: Qt's quit is Qt's
    if (state == App::State::Closing) {
        // The same request again, as quit(n) during the close (spec §4.1); the close leaves
        // the loop when it is done, so Qt does not end its nested loops under it.
        record(u"close.repeated"_s, {{u"cause"_s, causeName(cause)}});
        quitAfterClose = true;
        return true;
    }
    if (quitCause)
        return false; // accepted already (App::quit() left the loop with it): Qt goes on
    if (!requestQuit(cause, std::nullopt))
        return true; // vetoed, or being decided: nothing closes
    // Accepted: Qt goes on, now — a QGuiApplication first asks its windows, which may refuse;
    // then the loop is left and aboutToQuit closes the App with this cause.
    quitCause = cause;
    qtAppWatcher->forwarding = true;
    event->setAccepted(true);
    QCoreApplication::sendEvent(QCoreApplication::instance(), event);
    qtAppWatcher->forwarding = false;
    if (!event->isAccepted() && state < App::State::Closing)
        quitCause.reset(); // a window refused to close: the App keeps running
    return true;
}

bool QtAppWatcher::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::Quit || watched != QCoreApplication::instance() || forwarding)
        return false;
    return m_d->onQtQuitEvent(event);
}

void QtAppWatcher::onLastWindowClosed()
{
    // Qt posts the QEvent::Quit that ends the app after emitting lastWindowClosed (when
    // quitOnLastWindowClosed is set): that event's cause is lastWindowClosed. Forgotten two
    // posted-event hops later, so that a Quit of a later, unrelated request is not mistaken
    // for it when no Quit followed (quitOnLastWindowClosed off).
    m_d->lastWindowClosed = true;
    QMetaObject::invokeMethod(
            this,
            [this] {
                QMetaObject::invokeMethod(
                        this, [this] { m_d->lastWindowClosed = false; }, Qt::QueuedConnection);
            },
            Qt::QueuedConnection);
}

void AppPrivate::installSignalHandlers()
{
    if (unixSignals)
        return;
    unixSignals =
            std::make_unique<UnixSignals>(faultContext, options.catchSignals,
                                          [this](int signalNumber) { onUnixSignal(signalNumber); });
}

void AppPrivate::onUnixSignal(int signalNumber)
{
    TraceEvent event;
    event.kind = u"signal"_s;
    event.t = trace->now(); // when it was received; its hook's events come first in seq
    event.extra.insert(u"signalNumber"_s, signalNumber);
    if (const char *name = signalName(signalNumber))
        event.extra.insert(u"signal"_s, QString::fromLatin1(name));
    if (state >= App::State::Closing) {
        // Arrived while closing, read in a nested event loop: the signal handler counted it
        // already (the next one ends the process there); the close goes on.
        event.extra.insert(u"duringClose"_s, true);
        trace->d->record(std::move(event));
        return;
    }
    const HookRun run = hooks->run(u"signal"_s, {signalNumber});
    event.extra.insert(u"prevented"_s, run.defaultPrevented());
    trace->d->record(std::move(event));
    if (run.defaultPrevented() || state >= App::State::Closing)
        return; // e.g. SIGHUP to reload; or a handler closed already
    unixSignals->setTerminating();
    applyExitCodeRule(128 + signalNumber, u"a Unix signal caused the close"_s);
    close(std::nullopt, CloseCause::Signal);
}

void AppPrivate::watchdogExpired()
{
    // Runs in the watchdog's thread while the App's thread is stuck: nothing here may wait for
    // the App's thread, or allocate (the stuck thread may hold the allocator's lock).
    if (!claimForcedExit())
        return; // a second signal or a crash is ending the process already
    reportForcedEnd(&faultContext, "process.killed", "watchdog", 0, options.timeoutExitCode,
                    options.closeTimeout.count(), true);
    ::_exit(options.timeoutExitCode);
}

} // namespace Internal

App::App(AppOptions options, QObject *parent)
    : QObject(parent),
      d(std::make_unique<Internal::AppPrivate>(this, std::move(options)))
{
    d->record(u"app.created"_s,
              {{u"label"_s, d->options.label},
               {u"exitOnClose"_s, d->options.exitOnClose},
               {u"qtVersion"_s, QString::fromLatin1(qVersion())}});
    d->defineFrameworkHooks();
    d->pendingBindings = d->options.hooks;
    d->registerBindings(false, nullptr);

    // The framework's options that decide what loads and where the trace goes, before anything
    // else: --debug shows the setup's debug lines, --trace gets the whole run.
    d->arguments =
            d->options.arguments.isEmpty() ? QCoreApplication::arguments() : d->options.arguments;
    d->early = Internal::scanFrameworkOptions(d->arguments);
    Internal::addFrameworkOptions(d->commandLine);
    if (d->early.debug)
        Internal::enableDebugLogging(d->options.label);
    if (d->early.quiet)
        d->logOutput.setQuiet(true);
    // The defaults, readable before setup() reads the files (an extension loaded early).
    d->config->load({}, d->options.configDefaults);

    QString traceFile = d->early.traceFile;
    if (traceFile.isEmpty())
        traceFile = d->options.traceFile;
    if (traceFile.isEmpty())
        traceFile = qEnvironmentVariable("MORTAR_TRACE");
    if (!traceFile.isEmpty()) {
        if (const Result opened = d->trace->openFile(traceFile); !opened)
            d->constructionError = opened.errorString();
    }

    if (auto *qtApp = QCoreApplication::instance()) {
        // Qt 6.4 emits aboutToQuit after the event loop returned, inside QCoreApplication::exec();
        // Qt 6.5 and later emit it from QCoreApplication::exit(), while the loop still runs.
        // Either way the close runs here, once, before exec() returns, and it never calls
        // QCoreApplication::exit() from inside this slot (inAboutToQuit, see endProcess()), since
        // on Qt >= 6.5 that would emit aboutToQuit a second time.
        d->aboutToQuitConnection = connect(
                qtApp, &QCoreApplication::aboutToQuit, this,
                [this] {
                    const bool outer = std::exchange(d->inAboutToQuit, true);
                    d->close(std::nullopt,
                             d->quitCause.value_or(Internal::CloseCause::AboutToQuit));
                    d->inAboutToQuit = outer;
                },
                Qt::DirectConnection);
        d->qtAppWatcher = std::make_unique<Internal::QtAppWatcher>(d.get());
        qtApp->installEventFilter(d->qtAppWatcher.get());
        // A QGuiApplication's (found by name: the framework does not link Qt Gui).
        if (qtApp->metaObject()->indexOfSignal("lastWindowClosed()") >= 0) {
            connect(qtApp, SIGNAL(lastWindowClosed()), d->qtAppWatcher.get(),
                    SLOT(onLastWindowClosed()));
        }
    } else {
        d->constructionError = u"Mortar::App needs a QCoreApplication (or QApplication): "
                               u"create one before the App"_s;
    }
}

App::~App()
{
    if (d->state != State::Closed)
        d->close(std::nullopt, Internal::CloseCause::Destructor);
}

QString App::label() const
{
    return d->options.label;
}

const AppOptions &App::options() const
{
    return d->options;
}

App::State App::state() const
{
    return d->state;
}

Result App::setup()
{
    if (d->setupStarted)
        return d->setupResult;
    d->setupStarted = true;
    d->setState(State::SettingUp);

    static const QRegularExpression validLabel(u"^[A-Za-z0-9_-]+$"_s);
    if (d->options.label.isEmpty())
        return d->failSetup(u"Invalid App label: it is empty; AppOptions::label is required"_s,
                            Internal::ExitConfig);
    if (!validLabel.match(d->options.label).hasMatch()) {
        return d->failSetup(u"Invalid App label '%1': use only letters, digits, '_' and '-'"_s.arg(
                                    d->options.label),
                            Internal::ExitConfig);
    }
    if (!d->constructionError.isEmpty())
        return d->failSetup(d->constructionError, Internal::ExitConfig);

    if (!d->early.errors.isEmpty())
        return d->failUsage(d->early.errors.constFirst());

    // First, so that an inspector sees the whole setup live (it gets the backlog anyway).
    if (d->options.inspect || d->early.inspect
        || qEnvironmentVariableIntValue("MORTAR_INSPECT") == 1) {
        d->inspection = std::make_unique<Internal::InspectionServer>(*this);
        // A launching inspector hands its token over; otherwise the server makes one.
        const Result listening =
                d->inspection->listen(qEnvironmentVariable("MORTAR_INSPECT_TOKEN"));
        if (!listening)
            return d->failSetup(listening.errorString(), Internal::ExitConfig);
        // Queued: the request arrives inside the server's socket handling, which the close's
        // nested event loops (and quit_requested's dialogs) must not re-enter. A quit request
        // (spec §4.7): quit_requested may veto it.
        connect(
                d->inspection.get(), &Internal::InspectionServer::closeRequested, this,
                [this] {
                    if (d->state >= State::Closing) {
                        d->record(u"close.repeated"_s, {{u"cause"_s, u"inspector"_s}});
                        return;
                    }
                    if (d->requestQuit(Internal::CloseCause::Inspector, std::nullopt))
                        d->close(std::nullopt, Internal::CloseCause::Inspector);
                },
                Qt::QueuedConnection);
    }

    d->hooks->run(u"pre_setup"_s);

    // The config is read before the extensions load, although it comes second in SPEC §2.3's
    // list: the config names extensions ([<label>] extensions=) and configures them
    // ([pidfile] path), and reading it has no other effect. See docs/plugins.md.
    if (const Result read = d->readConfig(); !read)
        return d->failSetup(read.errorString(), Internal::ExitConfig);
    if (const Result loaded = d->loadExtensions(); !loaded)
        return d->failSetup(loaded.errorString(), Internal::ExitConfig);
    d->installSignalHandlers();
    if (const Result loaded = d->loadPlugins(); !loaded)
        return d->failSetup(loaded.errorString(), Internal::ExitConfig);
    d->registerBindings(false, nullptr); // hooks that extensions and plugins defined

    QString usageError;
    switch (d->parseCommandLine(&usageError)) {
    case Internal::AppPrivate::ParseOutcome::Continue: break;
    case Internal::AppPrivate::ParseOutcome::Failed: return d->failUsage(usageError);
    case Internal::AppPrivate::ParseOutcome::Answered:
        // --help or --version: answered, and the App ends through its normal close with 0.
        // setup() still fails, so that code checking it does not go on to run.
        d->setupResult = Result::failure(u"The command line was answered (--help or --version); "
                                         u"the App closed"_s);
        d->close(std::nullopt, Internal::CloseCause::CommandLine);
        return d->setupResult;
    }

    QStringList undefined;
    d->registerBindings(true, &undefined);
    if (!undefined.isEmpty()) {
        return d->failSetup(u"AppOptions::hooks names hooks that no one defined: %1"_s.arg(
                                    undefined.join(u", "_s)),
                            Internal::ExitConfig);
    }

    d->hooks->run(u"post_setup"_s);
    if (d->state == State::SettingUp)
        d->setState(State::Ready);
    return d->setupResult;
}

Result App::run()
{
    return run(std::function<void()>());
}

Result App::run(const std::function<void()> &body)
{
    if (const Result result = setup(); !result)
        return result;
    if (d->state >= State::Closing)
        return Result::failure(u"Unable to run: the App is already closed"_s);
    d->beginRunPhase();
    QString error;
    const bool ok = !body || d->state != State::Running || d->runBody(body, &error);
    d->finishRunPhase();
    if (!ok)
        return Result::failure(u"An exception escaped the run body: %1"_s.arg(error));
    return Result::success();
}

int App::exec()
{
    return d->exec(nullptr);
}

int App::exec(const std::function<void()> &body)
{
    return d->exec(&body);
}

void App::close()
{
    d->close(std::nullopt, Internal::CloseCause::Close);
}

void App::close(int code)
{
    d->close(code, Internal::CloseCause::Close);
}

void App::quit(int code)
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(
                this, [this, code] { quit(code); }, Qt::QueuedConnection);
        return;
    }
    if (d->state >= State::Closing) {
        // The same request as the close under way (spec §4.1): recorded, the code unchanged —
        // setExitCode() is the way to change it now.
        d->record(u"close.repeated"_s, {{u"cause"_s, u"quit()"_s}}, code);
        return;
    }
    if (code < 0 || code > 255) {
        setExitCode(code); // refused, with its warning; the request stands with the code as is
        code = d->exitCode;
    }
    if (!d->requestQuit(Internal::CloseCause::Quit, code))
        return;
    setExitCode(code);
    d->quitCause = Internal::CloseCause::Quit;
    if (d->inExec && !d->inExecLoop)
        return; // exec(body): there is no loop to leave; the close follows the body
    if (QThread::currentThread()->loopLevel() > 0 && !d->inAboutToQuit)
        QCoreApplication::exit(code); // the close follows via aboutToQuit
    else
        d->close(std::nullopt, Internal::CloseCause::Quit);
}

int App::exitCode() const
{
    return d->exitCode;
}

bool App::setExitCode(int code)
{
    if (code < 0 || code > 255) {
        qCWarning(Internal::lcApp,
                  "Refusing exit code %d: exit codes are 0..255; the exit code stays %d", code,
                  d->exitCode.load());
        d->record(u"exitCode.refused"_s, {}, code);
        return false;
    }
    if (d->exitCode.exchange(code) != code) {
        d->record(u"exitCode"_s, {}, code);
        Q_EMIT exitCodeChanged(code);
    }
    return true;
}

QStringList App::pendingHandlers() const
{
    return d->hooks->d->pendingHandlers();
}

QDeadlineTimer App::pendingDeadline(const QString &handler) const
{
    return d->hooks->d->pendingDeadline(handler);
}

HookRegistry &App::hooks()
{
    return *d->hooks;
}

Log &App::log()
{
    return *d->log;
}

Trace &App::trace()
{
    return *d->trace;
}

Config &App::config()
{
    return *d->config;
}

const Config &App::config() const
{
    return *d->config;
}

QCommandLineParser &App::commandLine()
{
    return d->commandLine;
}

PluginManager &App::plugins()
{
    return *d->plugins;
}

EmergencyCleanup &App::emergencyCleanup()
{
    return EmergencyCleanup::instance();
}

} // namespace Mortar

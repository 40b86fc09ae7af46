// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/app.h>

#include "app_p.h"
#include "asyncsafe_p.h"
#include "blackbox_p.h"
#include "extension_p.h"
#include "hookregistry_p.h"
#include "inspectionserver_p.h"
#include "log_p.h"
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
      trace(TracePrivate::create(options.label)),
      log(LogPrivate::create(options.label, trace.get())),
      hooks(HookRegistryPrivate::create(app, trace.get()))
{
    faultContext.trace = TracePrivate::get(*trace);
    faultContext.hooks = HookRegistryPrivate::get(*hooks);
    faultContext.closing = &closing;
    faultContext.label = options.label.toUtf8();
    // The framework's own warnings go to the trace too (the inspector's Log tab shows them).
    logOutput.setTrace(trace.get(), options.label); // the label names the App's category
    // pendingChanged is called in the thread that waits, which is the App's for the close.
    HookRegistryPrivate::get(*hooks)->configure(
            options.label, options.handlerTimeout,
            [this](const QStringList &names) { Q_EMIT q->pendingHandlersChanged(names); });
}

void AppPrivate::record(const QString &kind, const QJsonObject &extra, std::optional<int> code,
                        const QString &error)
{
    TraceEvent event;
    event.kind = kind;
    event.extra = extra;
    event.code = code;
    event.error = error;
    TracePrivate::get(*trace)->record(std::move(event));
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
        HookRegistryPrivate::get(*hooks)->setReceiverCount(
                id, [this, signature = hook.signature] { return q->receivers(signature); });
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
    closing = newState == App::State::Closing;
    const char *name = QMetaEnum::fromType<App::State>().valueToKey(int(newState));
    record(u"state"_s, QJsonObject{{u"state"_s, QString::fromLatin1(name)}});
    Q_EMIT q->stateChanged(newState);
}

void AppPrivate::applyExitCodeRule(ExitCodeRule rule)
{
    if (exitCode != 0)
        return; // an explicit code wins (exitcodes_p.h)
    record(u"exitCode.rule"_s, {{u"why"_s, QString::fromLatin1(rule.why)}}, rule.code);
    q->setExitCode(rule.code);
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
    applyExitCodeRule(ExitRule::ExceptionEscaped);
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
    return Internal::HookRegistryPrivate::get(*d->hooks)->pendingHandlers();
}

QDeadlineTimer App::pendingDeadline(const QString &handler) const
{
    return Internal::HookRegistryPrivate::get(*d->hooks)->pendingDeadline(handler);
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

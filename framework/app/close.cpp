// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The close (spec §4.1–§4.4, §4.6, §5): its sequence, how the process ends after it, the Unix
// signals that start one, and the watchdog's expiry.
#include <mortar/app.h>

#include "app_p.h"
#include "asyncsafe_p.h"
#include "blackbox_p.h"
#include "exitcodes_p.h"
#include "hookregistry_p.h"
#include "inspectionserver_p.h"
#include "trace_p.h"

#include <QCoreApplication>
#include <QThread>

#include <cstdio>
#include <cstdlib>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

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
    // A budget too large to add to the clock is no budget (spec §4.6).
    const auto budget = closeTimeout();
    HookRegistryPrivate::get(*hooks)->setCloseDeadline(
            budget.count() > 0 && !Watchdog::isUnbounded(budget)
                    ? QDeadlineTimer(budget)
                    : QDeadlineTimer(QDeadlineTimer::Forever));
    if (budget.count() > 0)
        watchdog.start(budget, [this] { watchdogExpired(); });

    const HookRun preClose = hooks->run(u"pre_close"_s);
    const HookRun postClose = hooks->run(u"post_close"_s);
    if (!preClose.ok() || !postClose.ok())
        applyExitCodeRule(ExitRule::CleanupFailed);
    plugins->unloadAll();  // after post_close, in reverse load order (spec §7)
    leakCensus.take(this); // what outlived the close (spec §16)

    QObject::disconnect(aboutToQuitConnection);
    // Before close.end: a trace never says both "closed" and "killed by the watchdog" (§4.6).
    watchdog.stop();
    setState(App::State::Closed);
    TraceEvent end;
    end.kind = u"close.end"_s;
    end.code = exitCode.load();
    end.durationNs = trace->now() - closeStart;
    end.extra.insert(u"cause"_s, causeName(cause));
    TracePrivate::get(*trace)->record(std::move(end));
    trace->flush();
    if (blackBox)
        blackBox->finish(); // this run ended cleanly: close.end is in it
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
    // Inspectors get the whole run before the process ends (bounded); its socket and token
    // file go too, since std::exit skips ~App.
    if (inspection)
        inspection->shutdown();
    std::fflush(stdout);
    std::fflush(stderr);
    std::exit(code);
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
        TracePrivate::get(*trace)->record(std::move(event));
        return;
    }
    const HookRun run = hooks->run(u"signal"_s, {signalNumber});
    event.extra.insert(u"prevented"_s, run.defaultPrevented());
    TracePrivate::get(*trace)->record(std::move(event));
    if (run.defaultPrevented() || state >= App::State::Closing)
        return;      // e.g. SIGHUP to reload; or a handler closed already
    if (unixSignals) // none when a rehearsal plays the signal before setup()
        unixSignals->setTerminating();
    applyExitCodeRule({signalExitCode(signalNumber), SignalRuleWhy});
    close(std::nullopt, CloseCause::Signal);
}

void AppPrivate::watchdogExpired()
{
    const ForcedEnd end{.reason = ForcedEnd::Reason::Watchdog,
                        .exitCode = options.timeoutExitCode,
                        .budgetMs = qint64(closeTimeout().count())};
    if (rehearsing) {
        rehearsing->forcedEnd(end); // a test process is not ended (spec §14)
        return;
    }
    // Runs in the watchdog's thread while the App's thread is stuck: nothing here may wait for
    // the App's thread, or allocate (the stuck thread may hold the allocator's lock).
    if (!claimForcedExit())
        return; // a second signal or a crash is ending the process already
    reportForcedEnd(&faultContext, end);
    ::_exit(options.timeoutExitCode);
}

} // namespace Internal

void App::close()
{
    d->close(std::nullopt, Internal::CloseCause::Close);
}

void App::close(int code)
{
    d->close(code, Internal::CloseCause::Close);
}

} // namespace Mortar

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The App's Unix signal handling in-process (spec §5): installed by setup(), turned into the
// signal hook and a close, and put back exactly as it was when the close ends — also after a
// thousand Apps. The forced exits (watchdog, second signal, crash) end the process, so they are
// tested on real child processes in tests/system.
#include "mortartest.h"
#include <mortar/app.h>

#include "app_p.h"

#include <QCoreApplication>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <cstring>
#include <optional>

#include <signal.h>

using namespace Qt::StringLiterals;

namespace {

constexpr int Watched[] = {SIGTERM, SIGINT, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

struct Disposition
{
    int signalNumber;
    struct sigaction action;
};

std::vector<Disposition> dispositions()
{
    std::vector<Disposition> all;
    for (const int signalNumber : Watched) {
        Disposition disposition{signalNumber, {}};
        ::sigaction(signalNumber, nullptr, &disposition.action);
        all.push_back(disposition);
    }
    return all;
}

// glibc's sigaction() adds SA_RESTORER (its return trampoline) to every handler it installs, even
// SIG_DFL put back: that flag says nothing about the disposition.
int flags(const struct sigaction &action)
{
    constexpr int Restorer = 0x04000000; // SA_RESTORER, which <signal.h> does not expose
    return action.sa_flags & ~Restorer;
}

// Only the kernel's part of a sigset_t is filled in by sigaction(); glibc's is larger.
bool sameMask(const struct sigaction &a, const struct sigaction &b)
{
    for (int signalNumber = 1; signalNumber < NSIG; ++signalNumber) {
        if (sigismember(&a.sa_mask, signalNumber) != sigismember(&b.sa_mask, signalNumber))
            return false;
    }
    return true;
}

QString differences(const std::vector<Disposition> &before, const std::vector<Disposition> &after)
{
    QStringList changed;
    for (size_t i = 0; i < before.size(); ++i) {
        const struct sigaction &a = before[i].action;
        const struct sigaction &b = after[i].action;
        if (a.sa_handler != b.sa_handler || flags(a) != flags(b) || !sameMask(a, b))
            changed.append(QString::number(before[i].signalNumber));
    }
    return changed.join(u", "_s);
}

bool sameAltStack(const stack_t &a, const stack_t &b)
{
    return a.ss_sp == b.ss_sp && a.ss_size == b.ss_size && a.ss_flags == b.ss_flags;
}

void customHandler(int) { }

} // namespace

class tst_FaultHandling : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void installedBySetupRestoredByClose();
    void dispositionsSurviveManyApps();
    void signalClosesWithCode();
    void preventedSignalKeepsRunning();
    void explicitCodeWinsOverSignal();
    void emptyCatchSignalsCatchesNone();
    void faultsAreNeverCaughtForAClose();
    void watchdogStopsWithTheClose();
};

void tst_FaultHandling::installedBySetupRestoredByClose()
{
    const auto before = dispositions();
    Mortar::App app({.label = u"faults"_s});
    QCOMPARE(differences(before, dispositions()), QString()); // not before setup()
    QVERIFY(app.setup());
    const auto during = dispositions();
    // Every watched signal is caught: the three to close on, and the five crash signals.
    QCOMPARE(differences(before, during).split(u", "_s).size(), int(std::size(Watched)));
    app.close();
    QCOMPARE(differences(before, dispositions()), QString());
}

void tst_FaultHandling::dispositionsSurviveManyApps()
{
    // A handler of the application's own must be back too, not just the defaults.
    struct sigaction custom = {};
    custom.sa_handler = customHandler;
    sigemptyset(&custom.sa_mask);
    sigaddset(&custom.sa_mask, SIGUSR2);
    custom.sa_flags = SA_RESTART;
    struct sigaction previous = {};
    QCOMPARE(::sigaction(SIGTERM, &custom, &previous), 0);
    auto restore = qScopeGuard([&] { ::sigaction(SIGTERM, &previous, nullptr); });

    const auto before = dispositions();
    stack_t altBefore = {};
    QCOMPARE(::sigaltstack(nullptr, &altBefore), 0);
    for (int cycle = 0; cycle < 1000; ++cycle) {
        Mortar::App app({.label = u"cycle"_s});
        QVERIFY(app.setup());
        if (cycle % 2)
            app.close(); // else ~App() closes
    }
    QCOMPARE(differences(before, dispositions()), QString());
    stack_t altAfter = {};
    QCOMPARE(::sigaltstack(nullptr, &altAfter), 0);
    QVERIFY(sameAltStack(altBefore, altAfter));
}

void tst_FaultHandling::signalClosesWithCode()
{
    Mortar::App app({.label = u"faults"_s});
    QSignalSpy received(&app, &Mortar::App::signalReceived);
    QSignalSpy closed(&app, &Mortar::App::closed);
    QVERIFY(received.isValid() && closed.isValid());
    QVERIFY(app.setup());
    ::raise(SIGTERM); // through the self-pipe: handled once the event loop runs
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.constFirst().constFirst().toInt(), SIGTERM);
    QCOMPARE(app.exitCode(), 128 + SIGTERM);
    QCOMPARE(app.state(), Mortar::App::State::Closed);
    const QList<Mortar::TraceEvent> events = app.trace().events();
    const auto signalEvent = std::find_if(events.cbegin(), events.cend(),
                                          [](const auto &e) { return e.kind == u"signal"_s; });
    QVERIFY(signalEvent != events.cend());
    QCOMPARE(signalEvent->extra.value(u"signalNumber"_s).toInt(), SIGTERM);
    QCOMPARE(signalEvent->extra.value(u"signal"_s).toString(), u"SIGTERM"_s);
    QCOMPARE(signalEvent->extra.value(u"prevented"_s).toBool(true), false);
}

void tst_FaultHandling::preventedSignalKeepsRunning()
{
    Mortar::App app({.label = u"faults"_s});
    app.hooks().add(u"signal"_s, [](Mortar::HookContext &context) { context.preventDefault(); },
                    {.name = u"reload"_s});
    QSignalSpy received(&app, &Mortar::App::signalReceived);
    QVERIFY(app.setup());
    ::raise(SIGHUP);
    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(app.state(), Mortar::App::State::Ready);
    QCOMPARE(app.exitCode(), 0);
    app.close();
    QCOMPARE(app.exitCode(), 0);
}

void tst_FaultHandling::explicitCodeWinsOverSignal()
{
    Mortar::App app({.label = u"faults"_s});
    QVERIFY(app.setup());
    app.setExitCode(3);
    QSignalSpy closed(&app, &Mortar::App::closed);
    ::raise(SIGINT);
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(app.exitCode(), 3);
}

void tst_FaultHandling::emptyCatchSignalsCatchesNone()
{
    const auto before = dispositions();
    Mortar::App app({.label = u"faults"_s, .catchSignals = {}});
    QVERIFY(app.setup());
    const auto during = dispositions();
    // Only the crash signals are taken.
    QCOMPARE(differences(before, during), u"11, 7, 8, 4, 6"_s);
}

void tst_FaultHandling::faultsAreNeverCaughtForAClose()
{
    // A SIGSEGV handler that returns would run into the fault again, forever: refused, warned,
    // and handled as a crash instead.
    Mortar::App app({.label = u"faults"_s, .catchSignals = {SIGSEGV, SIGTERM}});
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"Not catching signal 11 .* handled as a crash"_s));
    QVERIFY(app.setup());
    struct sigaction action = {};
    QCOMPARE(::sigaction(SIGSEGV, nullptr, &action), 0);
    QVERIFY(action.sa_flags & SA_SIGINFO); // the crash handler, not the self-pipe's
}

void tst_FaultHandling::watchdogStopsWithTheClose()
{
    // SPEC §4.6: the watchdog stops before close.end is recorded, so no trace says both "closed"
    // and "killed". Asked at the moment close.end is recorded, not after a wait that could only
    // notice a watchdog left running long after the close.
    Mortar::App app({.label = u"faults"_s, .closeTimeout = std::chrono::seconds(30)});
    QVERIFY(app.setup());
    const Mortar::Internal::Watchdog &watchdog = Mortar::Internal::AppPrivate::get(app)->watchdog;
    std::optional<bool> runningAtCloseEnd;
    std::optional<bool> runningDuringClose;
    app.hooks().add(u"pre_close"_s, [&] { runningDuringClose = watchdog.isRunning(); });
    connect(&app.trace(), &Mortar::Trace::eventRecorded, this,
            [&](const Mortar::TraceEvent &event) {
                if (event.kind == u"close.end"_s)
                    runningAtCloseEnd = watchdog.isRunning();
            });
    app.close();
    QCOMPARE(runningDuringClose, std::optional<bool>(true)); // it did guard the close
    QCOMPARE(runningAtCloseEnd, std::optional<bool>(false));
    QCOMPARE(app.state(), Mortar::App::State::Closed);
}

MORTAR_TEST_MAIN(tst_FaultHandling)
#include "tst_faulthandling.moc"

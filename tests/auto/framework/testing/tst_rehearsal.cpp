// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The test kit itself (SPEC §14): every fault and trigger, the report, and that this very
// process survives a rehearsed watchdog and a rehearsed second signal.
#include <mortar/emergencycleanup.h>
#include <mortar/testing.h>

#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Mortar::Test::HandlerOutcome;
using Mortar::Test::Rehearsal;
using Mortar::Test::RehearsalReport;

namespace {

/*! The outcome of \a handler in \a report, or a default one (status empty) if it has none. */
HandlerOutcome outcomeOf(const RehearsalReport &report, const QString &handler)
{
    for (const HandlerOutcome &outcome : report.results()) {
        if (outcome.handler == handler)
            return outcome;
    }
    return {};
}

void addPlain(Mortar::App &app, const QString &hook, const QString &name, int weight,
              QStringList *ran)
{
    app.hooks().add(hook, [ran, name] { ran->append(name); }, {.weight = weight, .name = name});
}

} // namespace

class tst_Rehearsal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void optionsAreIsolated();
    void cleanCloseIsClean();
    void throwInFailsThatHandlerOnly();
    void hangInDelaysThenRuns();
    void watchdogEndsAHangWithoutEndingTheProcess();
    void neverSettleWaitsUntilTheTimeout();
    void failDeferralFailsTheHandler();
    void signalStartsTheCloseAsASignalWould();
    void secondSignalEndsAHungCloseWithoutEndingTheProcess();
    void predicateMatchesHandlers();
    void reportExplainsItself();
    void reportCountsWhatOutlivedTheClose();
};

void tst_Rehearsal::optionsAreIsolated()
{
    const Mortar::AppOptions a = Mortar::Test::options();
    const Mortar::AppOptions b = Mortar::Test::options();
    QVERIFY(!a.label.isEmpty());
    QVERIFY2(a.label != b.label, "two tests must never share runtime files");
    QVERIFY(!a.exitOnClose);
    QVERIFY(a.catchSignals.isEmpty());
    QVERIFY(!a.blackBox);
    QCOMPARE(a.arguments.size(), 1); // not this test's own -v2 or function names
    QCOMPARE(a.configFiles.size(), 1);
    QVERIFY2(!a.configFiles.first().startsWith(u"/etc/"_s), qPrintable(a.configFiles.first()));
    QVERIFY(QStandardPaths::isTestModeEnabled());

    // And an App built from them sets up, whatever this test's command line says.
    Mortar::App app(Mortar::Test::options(u"isolated"_s));
    QVERIFY2(app.setup(), qPrintable(app.setup().errorString()));
    QCOMPARE(app.label(), u"isolated"_s);
}

void tst_Rehearsal::cleanCloseIsClean()
{
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    QStringList ran;
    addPlain(app, u"pre_close"_s, u"a"_s, 0, &ran);
    addPlain(app, u"post_close"_s, u"b"_s, 0, &ran);

    const RehearsalReport report = Rehearsal(app).run();
    QVERIFY2(report.clean(), qPrintable(report.toText()));
    QCOMPARE(ran, (QStringList{u"a"_s, u"b"_s}));
    QCOMPARE(report.exitCode(), 0);
    QCOMPARE(report.cause(), u"close()"_s);
    QCOMPARE(report.killedBy(), QString());
    QVERIFY(report.neverRan().isEmpty());
    QCOMPARE(outcomeOf(report, u"a"_s).status, u"ok"_s);
    QCOMPARE(outcomeOf(report, u"b"_s).hook, u"post_close"_s);
    QCOMPARE(app.state(), Mortar::App::State::Closed);
}

void tst_Rehearsal::throwInFailsThatHandlerOnly()
{
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    QStringList ran;
    addPlain(app, u"pre_close"_s, u"flaky"_s, 0, &ran);
    addPlain(app, u"pre_close"_s, u"after"_s, 10, &ran);

    Rehearsal rehearsal(app);
    rehearsal.throwIn(u"flaky"_s);
    const RehearsalReport report = rehearsal.run();
    QVERIFY(!report.clean());
    QCOMPARE(ran, QStringList{u"after"_s}); // the faulty one threw instead of running
    QCOMPARE(outcomeOf(report, u"flaky"_s).status, u"failed"_s);
    QVERIFY(outcomeOf(report, u"flaky"_s).error.contains(u"throwIn"_s));
    QCOMPARE(outcomeOf(report, u"after"_s).status, u"ok"_s);
    QCOMPARE(report.exitCode(), 1); // a failed cleanup handler (SPEC §4.3)
}

void tst_Rehearsal::hangInDelaysThenRuns()
{
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    QStringList ran;
    addPlain(app, u"pre_close"_s, u"slow"_s, 0, &ran);

    Rehearsal rehearsal(app);
    rehearsal.hangIn(u"slow"_s, 150ms);
    const RehearsalReport report = rehearsal.run();
    QVERIFY2(report.clean(), qPrintable(report.toText()));
    QCOMPARE(ran, QStringList{u"slow"_s});
    QVERIFY2(outcomeOf(report, u"slow"_s).durationNs >= 150'000'000, qPrintable(report.toText()));
}

void tst_Rehearsal::watchdogEndsAHangWithoutEndingTheProcess()
{
    QTemporaryDir dir;
    const QString journal = dir.filePath(u"journal"_s);
    QVERIFY(Mortar::EmergencyCleanup::instance().add(journal));
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    QStringList ran;
    addPlain(app, u"pre_close"_s, u"sync: upload"_s, -10, &ran);
    addPlain(app, u"pre_close"_s, u"storage: flush"_s, 0, &ran);
    addPlain(app, u"post_close"_s, u"remove pid"_s, 0, &ran);

    Rehearsal rehearsal(app);
    rehearsal.hangIn(u"sync: upload"_s).watchdogAfter(200ms);
    const RehearsalReport report = rehearsal.run();
    Mortar::EmergencyCleanup::instance().remove(journal);

    // Still here: the watchdog recorded what it would have done.
    QCOMPARE(report.killedBy(), u"watchdog"_s);
    QCOMPARE(report.killedIn(), u"sync: upload"_s);
    QCOMPARE(report.exitCode(), 124);
    QCOMPARE(outcomeOf(report, u"sync: upload"_s).status, u"killed"_s);
    // Nothing after the hang ran: its weight level's successors, the App's own preClose()
    // and postClose() signals, post_close.
    QCOMPARE(report.neverRan(),
             (QStringList{u"App::preClose()"_s, u"storage: flush"_s, u"App::postClose()"_s,
                          u"remove pid"_s}));
    QVERIFY(ran.isEmpty());
    QVERIFY2(report.wouldRemove().contains(journal), qPrintable(report.toText()));
    QVERIFY(!report.clean());

    // The trace holds the kill as a file would, marked as rehearsed.
    bool found = false;
    for (const Mortar::TraceEvent &event : app.trace().events()) {
        if (event.kind != u"process.killed"_s)
            continue;
        found = true;
        QCOMPARE(event.extra.value(u"rehearsal"_s).toBool(), true);
        QCOMPARE(event.extra.value(u"cause"_s).toString(), u"watchdog"_s);
        QCOMPARE(event.code, 124);
        QCOMPARE(event.handler, u"sync: upload"_s);
    }
    QVERIFY(found);
    QCOMPARE(app.state(), Mortar::App::State::Closed);
}

void tst_Rehearsal::neverSettleWaitsUntilTheTimeout()
{
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    QStringList ran;
    app.hooks().add(u"pre_close"_s, [&ran] { ran.append(u"upload"_s); },
                    {.weight = 0, .name = u"upload"_s, .timeout = 150ms});
    addPlain(app, u"pre_close"_s, u"next level"_s, 10, &ran);

    Rehearsal rehearsal(app);
    rehearsal.neverSettle(u"upload"_s);
    const RehearsalReport report = rehearsal.run();
    QCOMPARE(outcomeOf(report, u"upload"_s).status, u"timedOut"_s);
    QVERIFY(outcomeOf(report, u"upload"_s).durationNs >= 150'000'000);
    // The next weight level ran after the wait (SPEC §4.5), and nothing was killed.
    QCOMPARE(ran, (QStringList{u"upload"_s, u"next level"_s}));
    QCOMPARE(report.killedBy(), QString());
    QCOMPARE(report.exitCode(), 1);
}

void tst_Rehearsal::failDeferralFailsTheHandler()
{
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    bool completed = false;
    app.hooks().add(u"pre_close"_s,
                    [&completed](Mortar::HookContext &context) {
                        QTimer::singleShot(20, [&completed, deferral = context.defer()]() mutable {
                            completed = true;
                            deferral.complete();
                        });
                    },
                    {.name = u"flush"_s});

    Rehearsal rehearsal(app);
    rehearsal.failDeferral(u"flush"_s);
    const RehearsalReport report = rehearsal.run();
    QCOMPARE(outcomeOf(report, u"flush"_s).status, u"failed"_s);
    QVERIFY(outcomeOf(report, u"flush"_s).error.contains(u"failDeferral"_s));
    QVERIFY2(completed, "the handler's own work still ran, and the close waited for it");
    QCOMPARE(report.exitCode(), 1);
}

void tst_Rehearsal::signalStartsTheCloseAsASignalWould()
{
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    QList<int> seen;
    app.hooks().add(u"signal"_s,
                    [&seen](Mortar::HookContext &context) {
                        seen.append(context.arguments().value(0).toInt());
                    },
                    {.name = u"note signal"_s});

    Rehearsal rehearsal(app);
    rehearsal.signal(SIGTERM);
    const RehearsalReport report = rehearsal.run();
    QCOMPARE(seen, QList<int>{SIGTERM});
    QCOMPARE(report.cause(), u"signal"_s);
    QCOMPARE(report.exitCode(), 128 + SIGTERM);
    QVERIFY2(report.clean(), qPrintable(report.toText()));
}

void tst_Rehearsal::secondSignalEndsAHungCloseWithoutEndingTheProcess()
{
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    QStringList ran;
    addPlain(app, u"pre_close"_s, u"stuck"_s, 0, &ran);
    addPlain(app, u"post_close"_s, u"after"_s, 0, &ran);

    Rehearsal rehearsal(app);
    rehearsal.hangIn(u"stuck"_s).signal(SIGTERM).secondSignal(SIGINT, 100ms);
    const RehearsalReport report = rehearsal.run();
    QCOMPARE(report.killedBy(), u"signal"_s);
    QCOMPARE(report.killedIn(), u"stuck"_s);
    QCOMPARE(report.exitCode(), 128 + SIGINT);
    QCOMPARE(report.neverRan(), (QStringList{u"App::postClose()"_s, u"after"_s}));
    QVERIFY(ran.isEmpty());
}

void tst_Rehearsal::predicateMatchesHandlers()
{
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    QStringList ran;
    addPlain(app, u"pre_close"_s, u"sync: a"_s, 0, &ran);
    addPlain(app, u"pre_close"_s, u"sync: b"_s, 0, &ran);
    addPlain(app, u"pre_close"_s, u"storage: c"_s, 0, &ran);

    Rehearsal rehearsal(app);
    rehearsal.throwIn(
            [](const Mortar::HandlerInfo &info) { return info.name().startsWith(u"sync:"_s); });
    const RehearsalReport report = rehearsal.run();
    QCOMPARE(ran, QStringList{u"storage: c"_s});
    QCOMPARE(outcomeOf(report, u"sync: a"_s).status, u"failed"_s);
    QCOMPARE(outcomeOf(report, u"sync: b"_s).status, u"failed"_s);
}

void tst_Rehearsal::reportExplainsItself()
{
    Mortar::App app(Mortar::Test::options(u"explained"_s));
    QVERIFY(app.setup());
    QStringList ran;
    addPlain(app, u"pre_close"_s, u"sync: upload"_s, 0, &ran);
    addPlain(app, u"post_close"_s, u"remove pid"_s, 0, &ran);

    Rehearsal rehearsal(app);
    rehearsal.hangIn(u"sync: upload"_s).watchdogAfter(100ms).signal(SIGTERM);
    const QString text = rehearsal.run().toText();
    QVERIFY2(text.contains(u"rehearsed close of 'explained': cause signal → exit code 124, "
                           "ended by the watchdog in 'sync: upload' (pre_close)"_s),
             qPrintable(text));
    QVERIFY2(text.contains(u"sync: upload: killed"_s), qPrintable(text));
    QVERIFY2(text.contains(u"never ran: App::postClose(), remove pid"_s), qPrintable(text));
}

void tst_Rehearsal::reportCountsWhatOutlivedTheClose()
{
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    QThread worker;
    worker.setObjectName(u"uploader"_s);
    worker.start(); // after setup(), and nobody stops it in the close

    const RehearsalReport report = Rehearsal(app).run();
    worker.quit();
    worker.wait();
    QVERIFY2(!report.clean(), qPrintable(report.toText()));
    QVERIFY2(report.leaks().join(u'\n').contains(u"uploader"_s), qPrintable(report.toText()));
    QVERIFY2(report.toText().contains(u"leaked: "_s), qPrintable(report.toText()));
}

QTEST_GUILESS_MAIN(tst_Rehearsal)
#include "tst_rehearsal.moc"

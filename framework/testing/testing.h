// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/app.h>
#include <mortar/mortartest_export.h>

#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>

/*!
    \namespace Mortar::Test
    \brief The test kit (spec §14): rehearse an App's close under faults inside an ordinary
    QTest, which the rehearsal never ends. Link \c Mortar::Test.

    \code
    Mortar::App app(Mortar::Test::options());
    QVERIFY(app.setup());
    Mortar::Test::Rehearsal rehearsal(app);
    rehearsal.hangIn(u"sync: upload changes"_s).watchdogAfter(200ms).signal(SIGTERM);
    const Mortar::Test::RehearsalReport report = rehearsal.run();
    QCOMPARE(report.killedBy(), u"watchdog"_s);
    QVERIFY2(report.wouldRemove().contains(journal), qPrintable(report.toText()));
    \endcode
*/
namespace Mortar::Test {

/*!
    AppOptions for a test: isolated from the developer's own files (QStandardPaths' test mode,
    so the user's config, plugin and state directories are Qt's test ones, and no system config
    file is read), no command line but the program's name (the test's own options are not the
    App's), no caught signals, \c exitOnClose off, no black box. An empty \a label gets a random
    one, so parallel tests never share runtime files.
*/
MORTAR_TEST_EXPORT AppOptions options(const QString &label = {});

/*! How one handler fared in a rehearsed close. */
struct HandlerOutcome
{
    QString hook;
    QString handler;
    /*! \c ok, \c failed, \c timedOut, \c skipped, or \c killed: the handler that was running
        (or awaited) when the rehearsed watchdog or second signal would have ended the process. */
    QString status;
    QString error;
    qint64 durationNs = 0;
};

class RehearsalReportData;

/*! What a rehearsed close did, and what a real one would have done. Implicitly shared. */
class MORTAR_TEST_EXPORT RehearsalReport
{
public:
    RehearsalReport();
    RehearsalReport(const RehearsalReport &other);
    RehearsalReport &operator=(const RehearsalReport &other);
    ~RehearsalReport();

    /*! The code the process would have ended with: the forced end's, else the App's. */
    int exitCode() const;
    /*! What started the close: \c signal, \c close, \c quit … (the trace's \c cause). */
    QString cause() const;
    /*! Every handler of the close that was called or skipped, in order. */
    QList<HandlerOutcome> results() const;
    /*! The handlers that would never have run, because the process would have ended first. */
    QStringList neverRan() const;
    /*! The paths the emergency cleanup would have removed at the forced end. */
    QStringList wouldRemove() const;
    /*! What outlived the close (spec §16), one line each. */
    QStringList leaks() const;
    /*! Empty, \c watchdog or \c signal: what would have ended the process. */
    QString killedBy() const;
    /*! The handler it would have ended the process in, if one was running. */
    QString killedIn() const;
    /*! Not ended by force, every handler ok, nothing leaked. */
    bool clean() const;
    /*! The whole report, for a failure message: QVERIFY2(r.clean(), qPrintable(r.toText())). */
    QString toText() const;

private:
    friend class Rehearsal;
    std::shared_ptr<const RehearsalReportData> d;
};

/*!
    A close performed with faults in chosen handlers and chosen triggers (spec §14). Configure,
    then run() once. Faults name handlers by HandlerInfo::name() or by a predicate; the first
    fault that matches a handler applies to it.
*/
class MORTAR_TEST_EXPORT Rehearsal
{
public:
    using Match = std::function<bool(const HandlerInfo &)>;
    static constexpr std::chrono::milliseconds Forever = std::chrono::milliseconds::max();

    explicit Rehearsal(App &app);
    ~Rehearsal();
    Rehearsal(const Rehearsal &) = delete;
    Rehearsal &operator=(const Rehearsal &) = delete;

    /*! The handler throws instead of running. */
    Rehearsal &throwIn(const QString &handler);
    Rehearsal &throwIn(Match match);
    /*! The handler hangs for \a duration, then runs; if the rehearsed watchdog or second signal
        comes first, it never finishes (status \c killed) and nothing after it runs. */
    Rehearsal &hangIn(const QString &handler, std::chrono::milliseconds duration = Forever);
    Rehearsal &hangIn(Match match, std::chrono::milliseconds duration = Forever);
    /*! The handler runs, and its asynchronous work never settles: the close waits for it until
        its timeout (or the watchdog). */
    Rehearsal &neverSettle(const QString &handler);
    Rehearsal &neverSettle(Match match);
    /*! The handler runs, and its asynchronous work fails. */
    Rehearsal &failDeferral(const QString &handler);
    Rehearsal &failDeferral(Match match);

    /*! The close starts as \a signalNumber's would (the \c signal hook, cause \c signal, exit code
        128 + the signal), instead of as App::close(). */
    Rehearsal &signal(int signalNumber);
    /*! A second terminating signal \a after the close began: recorded as what it would do (end
        the process with 128 + \a signalNumber after the emergency cleanup). */
    Rehearsal &secondSignal(int signalNumber, std::chrono::milliseconds after);
    /*! The close's budget (else AppOptions::closeTimeout): past it, the watchdog records what it
        would do (end the process with AppOptions::timeoutExitCode). */
    Rehearsal &watchdogAfter(std::chrono::milliseconds budget);

    /*! Sets the App up if it was not, performs its close and reports. The test process goes on,
        whatever was rehearsed. */
    RehearsalReport run();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Mortar::Test

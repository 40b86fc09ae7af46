// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API. Mortar::Test's Rehearsal (<mortar/testing.h>) is the
// public face of this.
#pragma once

#include <mortar/hookregistry.h>
#include <mortar/mortar_export.h>

#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace Mortar {
class App;
}

namespace Mortar::Internal {

/*! A fault a rehearsal puts into the handlers it matches (spec §14). */
struct RehearsedFault
{
    enum class Kind {
        Throw,        //!< the handler throws instead of running
        Hang,         //!< the handler starts only after a delay, or never if the process "ends"
        NeverSettle,  //!< the handler runs; its asynchronous work never settles
        FailDeferral, //!< the handler runs; its asynchronous work fails
    };
    Kind kind;
    std::function<bool(const HandlerInfo &)> matches;
    std::chrono::milliseconds duration{}; // Hang
};

/*! What a rehearsed forced end would have done: the \c process.killed it recorded. */
struct RehearsedKill
{
    QString by; //!< "watchdog" or "signal"
    int exitCode = 0;
    int signalNumber = 0;
    QString hook;            //!< the hook that ran when it came, if any
    QString handler;         //!< the handler it would have killed, if any
    QStringList wouldRemove; //!< the emergency cleanup's paths at that moment
};

/*!
    Performs an App's close with faults and triggers in place, in a process that must go on (a
    QTest): the handlers' faults through the registry's interceptor, the watchdog and a second
    signal reported here instead of ending the process. After a rehearsed forced end, the
    handlers that would never have run are skipped, and what waits for work that will never
    come is failed, so the close unwinds quickly.
*/
class MORTAR_EXPORT RehearsalEngine final
{
public:
    explicit RehearsalEngine(App &app);
    ~RehearsalEngine();
    RehearsalEngine(const RehearsalEngine &) = delete;
    RehearsalEngine &operator=(const RehearsalEngine &) = delete;

    void addFault(RehearsedFault fault);
    /*! The close's budget for this rehearsal (else the App's closeTimeout). */
    void setWatchdog(std::chrono::milliseconds budget);
    /*! The close starts as this signal's would (cause \c signal); 0: as App::close(). */
    void setSignal(int signalNumber);
    /*! A second terminating signal \a after the close began. */
    void setSecondSignal(int signalNumber, std::chrono::milliseconds after);

    /*! Sets the App up if it was not, then performs its close; returns when it ended. Once. */
    void run();

    std::optional<RehearsedKill> kill() const;
    /*! The trace's first event of the close (its \c seq): the report reads from there. */
    qint64 firstSeq() const;

    /*! The \c error of a handler skipped because the rehearsed process had ended. */
    static QString notRunReason();

private:
    struct State;
    std::unique_ptr<State> d;
};

} // namespace Mortar::Internal

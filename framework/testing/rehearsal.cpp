// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Mortar::Test::Rehearsal: the public face of the framework's RehearsalEngine (spec §14).
#include <mortar/testing.h>

#include "rehearsal_p.h"
#include "rehearsalreport_p.h"

using namespace Qt::StringLiterals;
using Mortar::Internal::RehearsedFault;

namespace Mortar::Test {

struct Rehearsal::Private
{
    explicit Private(App &a) : app(a), engine(a) { }

    Rehearsal::Match byName(const QString &handler) const
    {
        return [handler](const HandlerInfo &info) { return info.name() == handler; };
    }
    void add(RehearsedFault::Kind kind, Match match, std::chrono::milliseconds duration = {})
    {
        engine.addFault({.kind = kind, .matches = std::move(match), .duration = duration});
    }

    App &app;
    Internal::RehearsalEngine engine;
    bool ran = false;
};

Rehearsal::Rehearsal(App &app) : d(std::make_unique<Private>(app)) { }

Rehearsal::~Rehearsal() = default;

Rehearsal &Rehearsal::throwIn(const QString &handler)
{
    return throwIn(d->byName(handler));
}

Rehearsal &Rehearsal::throwIn(Match match)
{
    d->add(RehearsedFault::Kind::Throw, std::move(match));
    return *this;
}

Rehearsal &Rehearsal::hangIn(const QString &handler, std::chrono::milliseconds duration)
{
    return hangIn(d->byName(handler), duration);
}

Rehearsal &Rehearsal::hangIn(Match match, std::chrono::milliseconds duration)
{
    d->add(RehearsedFault::Kind::Hang, std::move(match), duration);
    return *this;
}

Rehearsal &Rehearsal::neverSettle(const QString &handler)
{
    return neverSettle(d->byName(handler));
}

Rehearsal &Rehearsal::neverSettle(Match match)
{
    d->add(RehearsedFault::Kind::NeverSettle, std::move(match));
    return *this;
}

Rehearsal &Rehearsal::failDeferral(const QString &handler)
{
    return failDeferral(d->byName(handler));
}

Rehearsal &Rehearsal::failDeferral(Match match)
{
    d->add(RehearsedFault::Kind::FailDeferral, std::move(match));
    return *this;
}

Rehearsal &Rehearsal::signal(int signalNumber)
{
    d->engine.setSignal(signalNumber);
    return *this;
}

Rehearsal &Rehearsal::secondSignal(int signalNumber, std::chrono::milliseconds after)
{
    d->engine.setSecondSignal(signalNumber, after);
    return *this;
}

Rehearsal &Rehearsal::watchdogAfter(std::chrono::milliseconds budget)
{
    d->engine.setWatchdog(budget);
    return *this;
}

RehearsalReport Rehearsal::run()
{
    RehearsalReport report;
    if (d->ran) {
        qWarning("Mortar::Test::Rehearsal::run() was called twice: an App closes once");
        return report;
    }
    d->ran = true;
    d->engine.run();
    report.d = buildReport(d->app, d->engine.firstSeq(), d->engine.kill());
    return report;
}

} // namespace Mortar::Test

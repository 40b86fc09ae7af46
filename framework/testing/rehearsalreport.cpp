// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The report of a rehearsed close, read from the App's trace as any reader of a trace would.
#include "rehearsalreport_p.h"

#include <mortar/trace.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Mortar::Test {

std::shared_ptr<const RehearsalReportData>
buildReport(App &app, qint64 firstSeq, const std::optional<Internal::RehearsedKill> &kill)
{
    auto data = std::make_shared<RehearsalReportData>();
    data->label = app.label();
    data->kill = kill;
    data->exitCode = kill ? kill->exitCode : app.exitCode();
    const QString notRun = Internal::RehearsalEngine::notRunReason();
    const auto outcomeOf = [&](const QString &hook, const QString &handler) -> HandlerOutcome * {
        // A deferral ends the latest call of its handler in its hook.
        for (qsizetype i = data->results.size() - 1; i >= 0; --i) {
            HandlerOutcome &outcome = data->results[i];
            if (outcome.hook == hook && outcome.handler == handler)
                return &outcome;
        }
        return nullptr;
    };
    const QList<TraceEvent> events = app.trace().events();
    for (const TraceEvent &event : events) {
        if (event.seq < firstSeq)
            continue;
        if (event.kind == u"close.begin"_s) {
            data->cause = event.extra.value(u"cause"_s).toString();
        } else if (event.kind == u"handler.end"_s) {
            if (event.status == u"skipped"_s && event.error == notRun) {
                data->neverRan.append(event.handler);
                continue;
            }
            data->results.append({.hook = event.hook,
                                  .handler = event.handler,
                                  .status = event.status,
                                  .error = event.error,
                                  .durationNs = event.durationNs.value_or(0)});
        } else if (event.kind == u"deferral.end"_s) {
            if (HandlerOutcome *outcome = outcomeOf(event.hook, event.handler)) {
                outcome->status = event.status;
                outcome->error = event.error;
                outcome->durationNs = event.durationNs.value_or(outcome->durationNs);
            }
        } else if (event.kind.startsWith(u"leak."_s)) {
            data->leaks.append(event.message.isEmpty() ? event.kind : event.message);
        }
    }
    if (kill && !kill->handler.isEmpty()) {
        if (HandlerOutcome *outcome = outcomeOf(kill->hook, kill->handler)) {
            outcome->status = u"killed"_s;
            outcome->error =
                    u"still running when the %1 would have ended the process"_s.arg(kill->by);
        }
    }
    return data;
}

RehearsalReport::RehearsalReport() : d(std::make_shared<RehearsalReportData>()) { }
RehearsalReport::RehearsalReport(const RehearsalReport &other) = default;
RehearsalReport &RehearsalReport::operator=(const RehearsalReport &other) = default;
RehearsalReport::~RehearsalReport() = default;

int RehearsalReport::exitCode() const
{
    return d->exitCode;
}

QString RehearsalReport::cause() const
{
    return d->cause;
}

QList<HandlerOutcome> RehearsalReport::results() const
{
    return d->results;
}

QStringList RehearsalReport::neverRan() const
{
    return d->neverRan;
}

QStringList RehearsalReport::wouldRemove() const
{
    return d->kill ? d->kill->wouldRemove : QStringList();
}

QStringList RehearsalReport::leaks() const
{
    return d->leaks;
}

QString RehearsalReport::killedBy() const
{
    return d->kill ? d->kill->by : QString();
}

QString RehearsalReport::killedIn() const
{
    return d->kill ? d->kill->handler : QString();
}

bool RehearsalReport::clean() const
{
    if (d->kill || !d->leaks.isEmpty())
        return false;
    return std::all_of(d->results.cbegin(), d->results.cend(),
                       [](const HandlerOutcome &outcome) { return outcome.status == u"ok"_s; });
}

QString RehearsalReport::toText() const
{
    QString text =
            u"rehearsed close of '%1': cause %2 → exit code %3"_s
                    .arg(d->label,
                         d->cause.isEmpty() ? u"(none: the close did not start)"_s : d->cause)
                    .arg(d->exitCode);
    if (d->kill) {
        text += u", ended by the %1"_s.arg(d->kill->by);
        if (!d->kill->handler.isEmpty())
            text += u" in '%1' (%2)"_s.arg(d->kill->handler, d->kill->hook);
    }
    text += u'\n';
    for (const HandlerOutcome &outcome : d->results) {
        text += u"  %1  %2: %3 (%4 ms)"_s.arg(outcome.hook, outcome.handler, outcome.status)
                        .arg(double(outcome.durationNs) / 1e6, 0, 'f', 1);
        if (!outcome.error.isEmpty())
            text += u" — "_s + outcome.error;
        text += u'\n';
    }
    if (!d->neverRan.isEmpty())
        text += u"  never ran: %1\n"_s.arg(d->neverRan.join(u", "_s));
    if (d->kill)
        text += u"  the emergency cleanup would remove: %1\n"_s.arg(
                d->kill->wouldRemove.isEmpty() ? u"nothing"_s : d->kill->wouldRemove.join(u", "_s));
    for (const QString &leak : d->leaks)
        text += u"  leaked: %1\n"_s.arg(leak);
    return text;
}

} // namespace Mortar::Test

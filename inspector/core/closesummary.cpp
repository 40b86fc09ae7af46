// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "closesummary.h"

#include <QHash>
#include <QTextStream>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

namespace {
const QString DidNotFinish = u"did not finish"_s;

QString milliseconds(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 3);
}
} // namespace

QString formatDuration(qint64 ns)
{
    const double abs = std::abs(double(ns));
    if (abs < 1e3)
        return u"%1 ns"_s.arg(ns);
    if (abs < 1e6)
        return u"%1 µs"_s.arg(double(ns) / 1e3, 0, 'f', abs < 1e4 ? 2 : abs < 1e5 ? 1 : 0);
    if (abs < 1e9)
        return u"%1 ms"_s.arg(double(ns) / 1e6, 0, 'f', abs < 1e7 ? 2 : abs < 1e8 ? 1 : 0);
    return u"%1 s"_s.arg(double(ns) / 1e9, 0, 'f', abs < 1e10 ? 2 : abs < 1e11 ? 1 : 0);
}

bool CloseSummary::Row::isProblem() const
{
    return status == u"failed"_s || status == u"timedOut"_s || status == DidNotFinish;
}

CloseSummary CloseSummary::closeOf(const QList<TraceEvent> &events)
{
    CloseSummary summary;
    QString lastSignal;
    for (const TraceEvent &event : events) {
        summary.endNs = std::max(summary.endNs.value_or(0), event.t);
        if (event.kind == u"signal"_s) {
            if (!event.extra.value(u"prevented"_s).toBool()
                && !event.extra.value(u"duringClose"_s).toBool())
                lastSignal = event.extra.value(u"signal"_s).toString();
        } else if (event.kind == u"close.begin"_s && !summary.closeBeginSeq) {
            summary.closeBeginSeq = event.seq;
            summary.closeBeginNs = event.t;
            summary.cause = event.extra.value(u"cause"_s).toString();
            summary.trigger = summary.cause == u"signal"_s && !lastSignal.isEmpty() ? lastSignal
                                                                                    : summary.cause;
        } else if (event.kind == u"close.end"_s) {
            summary.exitCode = event.code;
            summary.closeDurationNs = event.durationNs;
        } else if (event.kind.startsWith(u"leak."_s)) {
            summary.leaks.append({event.kind.mid(5), event.message,
                                  event.extra.value(u"plugin"_s).toString(), event.seq});
        } else if (event.kind.startsWith(u"process."_s)) {
            summary.ending = event.kind;
            summary.endingCause = event.extra.value(u"cause"_s).toString();
            summary.endingSignal = event.extra.value(u"signal"_s).toString();
            summary.endingHandler = event.handler;
            if (event.code)
                summary.exitCode = event.code;
        }
    }
    return summary;
}

namespace {
/*! The handler runs that \a wanted accepts, paired as traceSpans() pairs them, straight into
    rows: a close of 500 000 handlers must not be held twice. */
template <typename Wanted>
void collectRuns(const QList<TraceEvent> &events, qint64 end, Wanted inClose,
                 QList<CloseSummary::Row> *rows)
{
    using Row = CloseSummary::Row;
    struct Open
    {
        qsizetype row;
        const QString *hook;
        const QString *handler;
    };
    QHash<int, QList<Open>> openByThread;
    QHash<QString, qsizetype> awaitingDeferral; // hook + '\n' + handler → row
    QList<Row> &out = *rows;
    out.reserve(events.size() / 2 + 1);
    for (const TraceEvent &event : events) {
        if (event.kind == u"handler.begin"_s) {
            if (!inClose(event))
                continue;
            openByThread[event.thread].append({out.size(), &event.hook, &event.handler});
            out.append({event.hook,
                        event.handler,
                        event.weight,
                        event.owner,
                        event.source,
                        DidNotFinish,
                        event.t,
                        0,
                        {},
                        event.seq,
                        false});
        } else if (event.kind == u"handler.end"_s) {
            if (!inClose(event))
                continue;
            QList<Open> &open = openByThread[event.thread];
            const auto it = std::find_if(open.rbegin(), open.rend(), [&](const Open &o) {
                return *o.hook == event.hook && *o.handler == event.handler;
            });
            if (it == open.rend()) { // skipped: ends without beginning
                out.append({event.hook,
                            event.handler,
                            event.weight,
                            {},
                            {},
                            event.status,
                            event.t,
                            0,
                            event.error,
                            event.seq,
                            false});
                continue;
            }
            Row &row = out[it->row];
            const qsizetype index = it->row;
            open.erase(std::next(it).base());
            row.durationNs = event.t - row.startNs;
            row.error = event.error;
            row.deferred = event.extra.value(u"deferred"_s).toBool();
            row.status = row.deferred ? DidNotFinish : event.status;
            if (row.deferred)
                awaitingDeferral.insert(event.hook + u'\n' + event.handler, index);
        } else if (event.kind == u"deferral.end"_s) {
            const auto it = awaitingDeferral.constFind(event.hook + u'\n' + event.handler);
            if (it == awaitingDeferral.cend())
                continue;
            Row &row = out[*it];
            awaitingDeferral.erase(it);
            row.durationNs = event.durationNs.value_or(event.t - row.startNs);
            row.status = event.status;
            row.error = event.error;
        }
    }
    // Whatever is still open did not finish: it ran until the trace stops.
    for (const QList<Open> &open : std::as_const(openByThread)) {
        for (const Open &o : open)
            out[o.row].durationNs = end - out.at(o.row).startNs;
    }
    for (const qsizetype row : std::as_const(awaitingDeferral))
        out[row].durationNs = end - out.at(row).startNs;
}
} // namespace

QList<CloseSummary::Row> CloseSummary::handlerRuns(const QList<TraceEvent> &events)
{
    qint64 end = 0;
    for (const TraceEvent &event : events)
        end = std::max(end, event.t);
    QList<Row> rows;
    collectRuns(
            events, end, [](const TraceEvent &) { return true; }, &rows);
    return rows;
}

CloseSummary CloseSummary::of(const QList<TraceEvent> &events)
{
    CloseSummary summary = closeOf(events);
    const auto inClose = [&summary](const TraceEvent &event) {
        return (summary.closeBeginSeq && event.seq > *summary.closeBeginSeq)
                || event.hook == u"pre_close"_s || event.hook == u"post_close"_s;
    };
    collectRuns(events, summary.endNs.value_or(0), inClose, &summary.rows);
    return summary;
}

qsizetype CloseSummary::count(const QString &status) const
{
    return std::count_if(rows.cbegin(), rows.cend(),
                         [&](const Row &row) { return row.status == status; });
}

QList<CloseSummary::Problem> CloseSummary::problems(int slowest) const
{
    QList<Problem> problems;
    for (const auto &[kind, status] :
         {std::pair{Problem::Failed, u"failed"_s}, std::pair{Problem::TimedOut, u"timedOut"_s},
          std::pair{Problem::DidNotFinish, DidNotFinish}}) {
        for (qsizetype i = 0; i < rows.size(); ++i) {
            if (rows.at(i).status == status)
                problems.append({kind, i});
        }
    }
    // The slowest of the others: a partial sort of indices, not of a 500 000-row copy.
    QList<qsizetype> others;
    others.reserve(rows.size());
    for (qsizetype i = 0; i < rows.size(); ++i) {
        if (!rows.at(i).isProblem())
            others.append(i);
    }
    const qsizetype n = std::min<qsizetype>(slowest, others.size());
    std::partial_sort(others.begin(), others.begin() + n, others.end(),
                      [&](qsizetype a, qsizetype b) {
                          return rows.at(a).durationNs > rows.at(b).durationNs;
                      });
    for (qsizetype i = 0; i < n; ++i)
        problems.append({Problem::Slow, others.at(i)});
    return problems;
}

QString CloseSummary::kindName(Problem::Kind kind)
{
    switch (kind) {
    case Problem::Failed: return u"failed"_s;
    case Problem::TimedOut: return u"timed out"_s;
    case Problem::DidNotFinish: return u"did not finish"_s;
    case Problem::Slow: return u"slow"_s;
    }
    return {};
}

QString CloseSummary::endingText() const
{
    const auto after = [this](qint64 atNs) {
        return closeBeginNs ? u" after %1 ms"_s.arg(qRound64(double(atNs - *closeBeginNs) / 1e6))
                            : QString();
    };
    const QString in = endingHandler.isEmpty() ? QString() : u" in '%1'"_s.arg(endingHandler);
    const qint64 end = endNs.value_or(0);
    if (ending == u"process.killed"_s) {
        if (endingCause == u"watchdog"_s)
            return u"killed by the watchdog"_s + in + after(end);
        return u"killed by a second %1"_s.arg(endingSignal.isEmpty() ? u"signal"_s : endingSignal)
                + in + after(end);
    }
    if (ending == u"process.crashed"_s)
        return u"crashed (%1)"_s.arg(endingSignal.isEmpty() ? u"a crash signal"_s : endingSignal)
                + in + after(end);
    if (closeDurationNs)
        return u"closed in %1"_s.arg(formatDuration(*closeDurationNs));
    if (closeBeginNs)
        return u"the trace stops %1 into the close"_s.arg(formatDuration(end - *closeBeginNs));
    return u"the trace has no close"_s;
}

QString CloseSummary::Leak::text() const
{
    const QString name = what.isEmpty() ? u"a %1"_s.arg(kind) : what;
    return plugin.isEmpty() ? name : u"%1 (plugin %2)"_s.arg(name, plugin);
}

QString CloseSummary::leaksLine() const
{
    if (leaks.isEmpty())
        return {};
    constexpr qsizetype Named = 5;
    QStringList named;
    for (qsizetype i = 0; i < std::min(Named, leaks.size()); ++i)
        named << leaks.at(i).text();
    if (leaks.size() > Named)
        named << u"and %1 more"_s.arg(leaks.size() - Named);
    return u"%1: %2"_s.arg(leaks.size() == 1 ? u"1 leak"_s : u"%1 leaks"_s.arg(leaks.size()),
                           named.join(u", "_s));
}

QString CloseSummary::verdict() const
{
    QStringList parts;
    parts << (trigger.isEmpty() ? u"no close"_s : trigger);

    // The handler the process died in is named by the ending; counting it again would say the
    // same thing twice.
    qsizetype unfinished = 0;
    for (const Row &row : rows) {
        if (row.status == DidNotFinish && row.handler != endingHandler)
            ++unfinished;
    }
    QStringList counted;
    if (const qsizetype failed = count(u"failed"_s))
        counted << u"%1 failed"_s.arg(failed);
    if (const qsizetype timedOut = count(u"timedOut"_s))
        counted << u"%1 timed out"_s.arg(timedOut);
    if (unfinished)
        counted << u"%1 did not finish"_s.arg(unfinished);
    if (counted.isEmpty()) {
        // "all" only when none is left out: the handler the process died in is not ok.
        const qsizetype ok = count(u"ok"_s);
        counted << (rows.isEmpty()              ? u"no handlers"_s
                            : ok == 1           ? u"1 handler ok"_s
                            : ok == rows.size() ? u"all %1 handlers ok"_s.arg(ok)
                                                : u"%1 handlers ok"_s.arg(ok));
    }
    parts << counted.join(u", "_s);
    parts << endingText();
    parts << (exitCode ? u"exit code %1"_s.arg(*exitCode) : u"exit code unknown"_s);
    return parts.join(u" → "_s);
}

void CloseSummary::write(QTextStream &out, const QString &tableTitle) const
{
    out << verdict() << '\n';

    const QList<Problem> ranked = problems();
    out << '\n' << "problems";
    if (ranked.isEmpty())
        out << ": none";
    out << '\n';
    for (const Problem &problem : ranked) {
        const Row &row = rows.at(problem.row);
        out << "  " << kindName(problem.kind).leftJustified(15) << row.hook << ": " << row.handler
            << (row.deferred ? u" (async)"_s : QString()) << ", " << formatDuration(row.durationNs);
        if (!row.error.isEmpty())
            out << ", " << row.error;
        if (!row.owner.isEmpty() || !row.source.isEmpty())
            out << " (" << row.owner << (row.owner.isEmpty() || row.source.isEmpty() ? "" : " ")
                << row.source << ')';
        out << '\n';
    }
    // What outlived the close (spec §16): counted, then each on its own line.
    if (!leaks.isEmpty()) {
        out << '\n' << leaksLine() << '\n';
        for (const Leak &leak : leaks)
            out << "  " << leak.kind.leftJustified(8) << leak.text() << '\n';
    }
    out << '\n';
    if (!tableTitle.isEmpty())
        out << tableTitle << '\n';

    // Column widths from the content, so long handler names stay readable. A cell's text is
    // made where it is printed: 500 000 rows must not be held as strings first.
    const auto handlerText = [](const Row &row) {
        return row.deferred ? row.handler + u" (async)"_s : row.handler;
    };
    const auto weightText = [](const Row &row) {
        return row.weight ? QString::number(*row.weight) : QString();
    };
    qsizetype widths[6] = {4, 7, 6, 6, 11, 5};
    for (const Row &row : rows) {
        widths[0] = std::max(widths[0], row.hook.size());
        widths[1] = std::max(widths[1], row.handler.size() + (row.deferred ? 8 : 0));
        widths[2] = std::max(widths[2], weightText(row).size());
        widths[3] = std::max(widths[3], row.status.size());
        widths[4] = std::max(widths[4], milliseconds(row.durationNs).size());
    }
    QString line;
    const auto printLine = [&](const QString &hook, const QString &handler, const QString &weight,
                               const QString &status, const QString &duration,
                               const QString &error) {
        line.clear();
        line += hook.leftJustified(widths[0]) + u"  "_s;
        line += handler.leftJustified(widths[1]) + u"  "_s;
        line += weight.rightJustified(widths[2]) + u"  "_s;
        line += status.leftJustified(widths[3]) + u"  "_s;
        line += duration.rightJustified(widths[4]) + u"  "_s;
        line += error;
        while (line.endsWith(u' '))
            line.chop(1);
        out << line << '\n';
    };
    printLine(u"hook"_s, u"handler"_s, u"weight"_s, u"status"_s, u"duration ms"_s, u"error"_s);
    for (const Row &row : rows)
        printLine(row.hook, handlerText(row), weightText(row), row.status,
                  milliseconds(row.durationNs), row.error);
    if (rows.isEmpty())
        out << "(no pre_close or post_close handler ran)\n";

    out << "close: ";
    if (exitCode)
        out << "exit code " << *exitCode;
    else
        out << "exit code unknown (the close did not finish)";
    if (!cause.isEmpty())
        out << ", cause " << cause;
    if (closeDurationNs)
        out << ", took " << milliseconds(*closeDurationNs) << " ms";
    if (!ending.isEmpty())
        out << ", process ended by " << ending;
    out << '\n';
}

QString CloseSummary::toText() const
{
    QString text;
    QTextStream out(&text);
    write(out);
    out.flush();
    return text;
}

} // namespace Mortar::Inspector

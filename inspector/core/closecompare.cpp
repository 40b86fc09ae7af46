// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "closecompare.h"

#include <QHash>
#include <QTextStream>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

namespace {
constexpr qint64 MinimumSlowdownNs = 1'000'000; // slower by less than 1 ms is noise

QString key(const CloseSummary::Row &row)
{
    return row.hook + u'\n' + row.handler;
}

QString statusWords(const QString &status)
{
    return status == u"timedOut"_s ? u"timed out"_s : status;
}
} // namespace

CloseCompare CloseCompare::of(CloseSummary base, CloseSummary current, double thresholdPercent)
{
    CloseCompare compare;
    compare.base = std::move(base);
    compare.current = std::move(current);
    compare.thresholdPercent = thresholdPercent;

    // Every run of a handler in BASE, in order; NEW's runs take them one by one.
    QHash<QString, QList<qsizetype>> baseRuns;
    baseRuns.reserve(compare.base.rows.size());
    for (qsizetype i = 0; i < compare.base.rows.size(); ++i)
        baseRuns[key(compare.base.rows.at(i))].append(i);
    QList<bool> matched(compare.base.rows.size(), false);
    QHash<QString, qsizetype> taken;

    for (qsizetype i = 0; i < compare.current.rows.size(); ++i) {
        const CloseSummary::Row &now = compare.current.rows.at(i);
        Change change{now.hook, now.handler, {}, i, false, {}};
        const QString k = key(now);
        const QList<qsizetype> runs = baseRuns.value(k);
        qsizetype &next = taken[k];
        if (next < runs.size()) {
            change.baseRow = runs.at(next++);
            matched[*change.baseRow] = true;
        }
        const CloseSummary::Row *before =
                change.baseRow ? &compare.base.rows.at(*change.baseRow) : nullptr;
        if (now.isProblem() && (!before || before->status != now.status)) {
            change.regressed = true;
            change.why = before
                    ? u"%1 → %2"_s.arg(statusWords(before->status), statusWords(now.status))
                    : u"new, %1"_s.arg(statusWords(now.status));
            if (!now.error.isEmpty())
                change.why += u" (%1)"_s.arg(now.error);
        } else if (before && !before->isProblem() && !now.isProblem()
                   && now.durationNs - before->durationNs >= MinimumSlowdownNs
                   && double(now.durationNs)
                           > double(before->durationNs) * (1 + thresholdPercent / 100)) {
            change.regressed = true;
            change.why = u"slower: %1 → %2 (%3)"_s.arg(formatDuration(before->durationNs),
                                                       formatDuration(now.durationNs),
                                                       compare.durationChange(change));
        }
        compare.changes.append(change);
    }
    for (qsizetype i = 0; i < compare.base.rows.size(); ++i) {
        if (!matched.at(i)) {
            const CloseSummary::Row &gone = compare.base.rows.at(i);
            compare.changes.append({gone.hook, gone.handler, i, {}, false, {}});
        }
    }
    return compare;
}

qsizetype CloseCompare::regressionCount() const
{
    return std::count_if(changes.cbegin(), changes.cend(),
                         [](const Change &change) { return change.regressed; });
}

QString CloseCompare::durationChange(const Change &change) const
{
    if (!change.baseRow || !change.newRow)
        return {};
    const double before = double(base.rows.at(*change.baseRow).durationNs);
    const double now = double(current.rows.at(*change.newRow).durationNs);
    if (before <= 0)
        return now > 0 ? u"+∞ %"_s : u"±0 %"_s;
    const double percent = (now - before) / before * 100;
    return u"%1%2 %"_s.arg(percent >= 0 ? u"+"_s : QString()).arg(percent, 0, 'f', 1);
}

void CloseCompare::write(QTextStream &out) const
{
    out << "base: " << base.verdict() << '\n';
    out << "new:  " << current.verdict() << '\n';
    if (base.closeDurationNs && current.closeDurationNs) {
        out << "the close took " << formatDuration(*base.closeDurationNs) << " → "
            << formatDuration(*current.closeDurationNs) << '\n';
    }
    const qsizetype regressions = regressionCount();
    out << '\n';
    if (regressions == 0) {
        out << "no regression (threshold " << thresholdPercent << " %, at least 1 ms)\n";
    } else {
        out << "regressed: " << regressions << (regressions == 1 ? " handler" : " handlers")
            << " (threshold " << thresholdPercent << " %, at least 1 ms)\n";
        for (const Change &change : changes) {
            if (change.regressed)
                out << "  " << change.hook << ": " << change.handler << ": " << change.why << '\n';
        }
    }
    QStringList added, vanished;
    for (const Change &change : changes) {
        if (!change.baseRow)
            added << u"%1: %2"_s.arg(change.hook, change.handler);
        if (!change.newRow)
            vanished << u"%1: %2"_s.arg(change.hook, change.handler);
    }
    out << '\n' << "new handlers: " << added.size() << '\n';
    for (const QString &line : std::as_const(added))
        out << "  " << line << '\n';
    out << "vanished handlers: " << vanished.size() << '\n';
    for (const QString &line : std::as_const(vanished))
        out << "  " << line << '\n';

    out << '\n' << "hook\thandler\tbase status\tnew status\tbase ms\tnew ms\tchange\n";
    const auto ms = [](const CloseSummary::Row &row) {
        return QString::number(double(row.durationNs) / 1e6, 'f', 3);
    };
    for (const Change &change : changes) {
        const CloseSummary::Row *before = change.baseRow ? &base.rows.at(*change.baseRow) : nullptr;
        const CloseSummary::Row *now = change.newRow ? &current.rows.at(*change.newRow) : nullptr;
        out << change.hook << '\t' << change.handler << '\t' << (before ? before->status : u"—"_s)
            << '\t' << (now ? now->status : u"—"_s) << '\t' << (before ? ms(*before) : u"—"_s)
            << '\t' << (now ? ms(*now) : u"—"_s) << '\t'
            << (change.regressed ? u"REGRESSED "_s : QString()) << durationChange(change) << '\n';
    }
}

} // namespace Mortar::Inspector

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "closesummary.h"

#include <mortar/tracespans.h>

#include <QTextStream>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

CloseSummary CloseSummary::of(const QList<TraceEvent> &events)
{
    CloseSummary summary;
    for (const TraceSpan &span : traceSpans(events)) {
        if (span.hook != u"pre_close"_s && span.hook != u"post_close"_s)
            continue;
        summary.rows.append({span.hook, span.handler, span.weight,
                             span.finished ? span.status : u"did not finish"_s, span.durationNs(),
                             span.error, span.deferred});
    }
    for (const TraceEvent &event : events) {
        if (event.kind == u"close.begin"_s) {
            summary.cause = event.extra.value(u"cause"_s).toString();
        } else if (event.kind == u"close.end"_s) {
            summary.exitCode = event.code;
            summary.closeDurationNs = event.durationNs;
        } else if (event.kind.startsWith(u"process."_s)) {
            summary.ending = event.kind;
            if (event.code)
                summary.exitCode = event.code;
        }
    }
    return summary;
}

QString CloseSummary::toText() const
{
    // Column widths from the content, so long handler names stay readable.
    const QStringList headers = {u"hook"_s,   u"handler"_s,     u"weight"_s,
                                 u"status"_s, u"duration ms"_s, u"error"_s};
    QList<QStringList> cells;
    for (const Row &row : rows) {
        cells.append({row.hook, row.handler + (row.deferred ? u" (async)"_s : QString()),
                      row.weight ? QString::number(*row.weight) : QString(), row.status,
                      QString::number(double(row.durationNs) / 1e6, 'f', 3), row.error});
    }
    QList<qsizetype> widths;
    for (const QString &header : headers)
        widths.append(header.size());
    for (const QStringList &line : std::as_const(cells)) {
        for (qsizetype i = 0; i < line.size(); ++i)
            widths[i] = std::max(widths[i], line[i].size());
    }
    QString text;
    QTextStream out(&text);
    const auto printLine = [&](const QStringList &line) {
        QString printed;
        for (qsizetype i = 0; i < line.size(); ++i) {
            const bool numeric = i == 2 || i == 4;
            printed +=
                    numeric ? line[i].rightJustified(widths[i]) : line[i].leftJustified(widths[i]);
            if (i + 1 < line.size())
                printed += u"  "_s;
        }
        out << printed.trimmed() << '\n';
    };
    printLine(headers);
    for (const QStringList &line : std::as_const(cells))
        printLine(line);
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
        out << ", took " << QString::number(double(*closeDurationNs) / 1e6, 'f', 3) << " ms";
    if (!ending.isEmpty())
        out << ", process ended by " << ending;
    out << '\n';
    return text;
}

} // namespace Mortar::Inspector

// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "problemsmodel.h"

#include "statuscolors.h"

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

ProblemsModel::ProblemsModel(QObject *parent) : QAbstractListModel(parent) { }

void ProblemsModel::setSummary(const CloseSummary &summary)
{
    beginResetModel();
    // Only the problems' rows are kept: the window need not hold a 500 000-row close twice.
    const QList<CloseSummary::Problem> problems = summary.problems();
    m_summary = summary;
    m_summary.rows.clear();
    m_problems.clear();
    for (const CloseSummary::Problem &problem : problems) {
        m_problems.append({problem.kind, m_summary.rows.size()});
        m_summary.rows.append(summary.rows.at(problem.row));
    }
    endResetModel();
}

int ProblemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_problems.size() + m_summary.leaks.size());
}

QVariant ProblemsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (index.row() >= m_problems.size()) {
        const CloseSummary::Leak &leak = m_summary.leaks.at(index.row() - m_problems.size());
        switch (role) {
        case Qt::DisplayRole: return u"leak  %1 %2"_s.arg(leak.kind, leak.text());
        case Qt::ToolTipRole:
            return u"Still alive after the close (leak.%1): %2"_s.arg(leak.kind, leak.text());
        case Qt::DecorationRole: return statusColor(u"failed"_s);
        case BeginSeqRole: return leak.seq;
        case KindRole: return LeakKind;
        }
        return {};
    }
    const CloseSummary::Problem &problem = m_problems.at(index.row());
    const CloseSummary::Row &row = m_summary.rows.at(problem.row);
    switch (role) {
    case Qt::DisplayRole: {
        QString text = u"%1  %2 — %3"_s.arg(CloseSummary::kindName(problem.kind), row.handler,
                                            formatDuration(row.durationNs));
        if (!row.error.isEmpty())
            text += u"\n    %1"_s.arg(row.error);
        return text;
    }
    case Qt::ToolTipRole:
        return u"%1: %2 (%3)\n%4%5"_s.arg(row.hook, row.handler, row.owner, row.source,
                                          row.error.isEmpty() ? QString() : u"\n"_s + row.error);
    case Qt::DecorationRole: return statusColor(row.status);
    case BeginSeqRole: return row.beginSeq;
    case KindRole: return int(problem.kind);
    case HookRole: return row.hook;
    case HandlerRole: return row.handler;
    }
    return {};
}

} // namespace Mortar::Inspector

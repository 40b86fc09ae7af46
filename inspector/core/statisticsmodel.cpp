// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "statisticsmodel.h"

#include "closesummary.h"

#include <QHash>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

StatisticsModel::StatisticsModel(QObject *parent) : QAbstractTableModel(parent) { }

void StatisticsModel::setEvents(const QList<TraceEvent> &events)
{
    m_events = &events;
    rebuild();
}

void StatisticsModel::setGrouping(Grouping grouping)
{
    if (grouping == m_grouping)
        return;
    m_grouping = grouping;
    rebuild();
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

void StatisticsModel::rebuild()
{
    beginResetModel();
    m_entries.clear();
    QHash<QString, qsizetype> entryOf;
    QHash<QString, bool> handlerSeen; // for a plugin's count of handlers
    const QList<CloseSummary::Row> runs =
            m_events ? CloseSummary::handlerRuns(*m_events) : QList<CloseSummary::Row>();
    for (const CloseSummary::Row &run : runs) {
        const bool byPlugin = m_grouping == Grouping::Plugin;
        const QString name =
                byPlugin ? (run.owner.isEmpty() ? u"(unknown)"_s : run.owner) : run.handler;
        const QString key = byPlugin ? name : run.hook + u'\n' + run.handler;
        auto it = entryOf.constFind(key);
        if (it == entryOf.cend()) {
            it = entryOf.insert(key, m_entries.size());
            m_entries.append({name, byPlugin ? QString() : run.hook, 0, 0, 0, 0, 0});
        }
        Entry &entry = m_entries[*it];
        ++entry.runs;
        entry.totalNs += run.durationNs;
        entry.longestNs = std::max(entry.longestNs, run.durationNs);
        entry.problems += run.isProblem() ? 1 : 0;
        if (byPlugin) {
            const QString handlerKey = name + u'\n' + run.hook + u'\n' + run.handler;
            if (!handlerSeen.contains(handlerKey)) {
                handlerSeen.insert(handlerKey, true);
                ++entry.handlers;
            }
        }
    }
    endResetModel();
}

int StatisticsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int StatisticsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StatisticsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = m_entries.at(index.row());
    const qint64 meanNs = entry.runs ? entry.totalNs / entry.runs : 0;
    if (role == SortRole) {
        switch (index.column()) {
        case Name: return entry.name;
        case Hook:
            return m_grouping == Grouping::Plugin ? QVariant(entry.handlers) : QVariant(entry.hook);
        case Runs: return entry.runs;
        case Total: return entry.totalNs;
        case Mean: return meanNs;
        case Longest: return entry.longestNs;
        case Problems: return entry.problems;
        }
    } else if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name: return entry.name;
        case Hook:
            return m_grouping == Grouping::Plugin ? QVariant(entry.handlers) : QVariant(entry.hook);
        case Runs: return entry.runs;
        case Total: return formatDuration(entry.totalNs);
        case Mean: return formatDuration(meanNs);
        case Longest: return formatDuration(entry.longestNs);
        case Problems: return entry.problems;
        }
    } else if (role == Qt::TextAlignmentRole && index.column() >= Runs) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant StatisticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    const bool byPlugin = m_grouping == Grouping::Plugin;
    switch (section) {
    case Name: return byPlugin ? u"plugin (owner)"_s : u"handler"_s;
    case Hook: return byPlugin ? u"handlers"_s : u"hook"_s;
    case Runs: return u"runs"_s;
    case Total: return u"total"_s;
    case Mean: return u"mean"_s;
    case Longest: return u"longest"_s;
    case Problems: return u"problems"_s;
    }
    return {};
}

} // namespace Mortar::Inspector

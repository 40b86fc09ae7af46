// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "comparemodel.h"

#include "statuscolors.h"

#include <QColor>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

CompareModel::CompareModel(QObject *parent) : QAbstractTableModel(parent) { }

void CompareModel::setCompare(CloseCompare compare)
{
    beginResetModel();
    m_compare = std::move(compare);
    m_order.resize(m_compare.changes.size());
    for (qsizetype i = 0; i < m_order.size(); ++i)
        m_order[i] = i;
    const auto rank = [this](qsizetype i) {
        const CloseCompare::Change &change = m_compare.changes.at(i);
        // A new failure before a slowdown, then new and vanished handlers, then the rest.
        if (change.regressed)
            return change.why.startsWith(u"slower"_s) ? 1 : 0;
        return (!change.baseRow || !change.newRow) ? 2 : 3;
    };
    const auto slowdown = [this](qsizetype i) -> qint64 {
        const CloseCompare::Change &change = m_compare.changes.at(i);
        if (!change.baseRow || !change.newRow)
            return 0;
        return m_compare.current.rows.at(*change.newRow).durationNs
                - m_compare.base.rows.at(*change.baseRow).durationNs;
    };
    std::stable_sort(m_order.begin(), m_order.end(), [&](qsizetype a, qsizetype b) {
        if (rank(a) != rank(b))
            return rank(a) < rank(b);
        return slowdown(a) > slowdown(b);
    });
    endResetModel();
}

int CompareModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_order.size());
}

int CompareModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CompareModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CloseCompare::Change &change = m_compare.changes.at(m_order.at(index.row()));
    const CloseSummary::Row *before =
            change.baseRow ? &m_compare.base.rows.at(*change.baseRow) : nullptr;
    const CloseSummary::Row *now =
            change.newRow ? &m_compare.current.rows.at(*change.newRow) : nullptr;
    if (role == RegressedRole)
        return change.regressed;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Hook: return change.hook;
        case Handler: return change.handler;
        case BaseStatus: return before ? before->status : u"—"_s;
        case NewStatus: return now ? now->status : u"—"_s;
        case BaseDuration: return before ? formatDuration(before->durationNs) : u"—"_s;
        case NewDuration: return now ? formatDuration(now->durationNs) : u"—"_s;
        case Change:
            if (change.regressed)
                return change.why;
            if (!before)
                return u"new"_s;
            if (!now)
                return u"vanished"_s;
            return m_compare.durationChange(change);
        }
    } else if (role == Qt::DecorationRole) {
        if (index.column() == BaseStatus && before)
            return statusColor(before->status);
        if (index.column() == NewStatus && now)
            return statusColor(now->status);
    } else if (role == Qt::BackgroundRole && change.regressed) {
        return QColor(0xfd, 0xe0, 0xdc);
    } else if (role == Qt::TextAlignmentRole
               && (index.column() == BaseDuration || index.column() == NewDuration)) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant CompareModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Hook: return u"hook"_s;
    case Handler: return u"handler"_s;
    case BaseStatus: return u"base status"_s;
    case NewStatus: return u"new status"_s;
    case BaseDuration: return u"base"_s;
    case NewDuration: return u"new"_s;
    case Change: return u"change"_s;
    }
    return {};
}

} // namespace Mortar::Inspector

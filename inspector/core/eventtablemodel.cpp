// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "eventtablemodel.h"

#include <QColor>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

EventTableModel::EventTableModel(QObject *parent) : QAbstractTableModel(parent) { }

void EventTableModel::appendEvents(const QList<TraceEvent> &events)
{
    if (events.isEmpty())
        return;
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(events.size()) - 1);
    if (m_events.isEmpty())
        m_events = events; // shared with whoever holds them (a trace file's million events)
    else
        m_events.append(events);
    endInsertRows();
}

void EventTableModel::clear()
{
    beginResetModel();
    m_events.clear();
    endResetModel();
}

int EventTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

namespace {
// What a row says besides its columns: the error, else the message, else what names the
// subject of events that have neither (a plugin, an extension, a state, a close's cause).
QString details(const TraceEvent &event)
{
    if (!event.error.isEmpty())
        return event.error;
    if (!event.message.isEmpty())
        return event.message;
    for (const auto *key : {"name", "state", "cause"}) {
        if (const QString value = event.extra.value(QLatin1StringView(key)).toString();
            !value.isEmpty())
            return value;
    }
    return {};
}
} // namespace

QVariant EventTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TraceEvent &event = m_events.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Seq: return event.seq;
        case Time: return QString::number(double(event.t) / 1e6, 'f', 3);
        case Thread: return event.thread;
        case Kind: return event.kind;
        case Hook: return event.hook;
        case Handler: return event.handler;
        case Status: return event.status;
        case Duration:
            return event.durationNs
                    ? QVariant(QString::number(double(*event.durationNs) / 1e6, 'f', 3))
                    : QVariant();
        case Details: return details(event);
        }
    } else if (role == Qt::ToolTipRole && index.column() == Details) {
        return details(event);
    } else if (role == Qt::ForegroundRole && index.column() == Status) {
        if (event.status == u"failed"_s || event.status == u"timedOut"_s)
            return QColor(Qt::red);
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() == Seq || index.column() == Time || index.column() == Duration)
            return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Seq: return u"seq"_s;
    case Time: return u"t (ms)"_s;
    case Thread: return u"thread"_s;
    case Kind: return u"kind"_s;
    case Hook: return u"hook"_s;
    case Handler: return u"handler"_s;
    case Status: return u"status"_s;
    case Duration: return u"duration (ms)"_s;
    case Details: return u"message / error"_s;
    }
    return {};
}

} // namespace Mortar::Inspector

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
// What a row says besides its columns: what the event means — the exit code and the rule that
// set it, the signal's name, a log line's level — else its error or message, else what names
// its subject (a plugin, an extension, a state, a close's cause).
QString details(const TraceEvent &event)
{
    const auto extra = [&event](const char *key) {
        return event.extra.value(QLatin1StringView(key)).toVariant().toString();
    };
    if (event.kind == u"exitCode"_s || event.kind == u"exitCode.refused"_s)
        return u"exit code %1"_s.arg(event.code ? QString::number(*event.code) : u"?"_s);
    if (event.kind == u"exitCode.rule"_s)
        return u"exit code %1: %2"_s.arg(event.code ? QString::number(*event.code) : u"?"_s,
                                         extra("why"));
    if (event.kind == u"signal"_s) {
        QString text = extra("signal");
        if (event.extra.value(u"prevented"_s).toBool())
            text += u" (prevented)"_s;
        if (event.extra.value(u"duringClose"_s).toBool())
            text += u" (during the close)"_s;
        return text;
    }
    if (event.kind == u"log"_s)
        return u"%1: %2"_s.arg(extra("level"), event.message);
    if (event.kind == u"process.killed"_s || event.kind == u"process.crashed"_s) {
        QString text = extra("cause");
        if (!extra("signal").isEmpty())
            text += u" "_s + extra("signal");
        if (!event.handler.isEmpty())
            text += u" in '%1'"_s.arg(event.handler);
        if (event.extra.contains(u"runningNs"_s))
            text += u" (running %1 ms)"_s.arg(event.extra.value(u"runningNs"_s).toInteger()
                                              / 1'000'000);
        if (event.code)
            text += u", exit code %1"_s.arg(*event.code);
        return text;
    }
    if ((event.kind == u"close.end"_s || event.kind == u"process.exit"_s) && event.code) {
        const QString cause = extra("cause");
        return cause.isEmpty() ? u"exit code %1"_s.arg(*event.code)
                               : u"exit code %1, cause %2"_s.arg(*event.code).arg(cause);
    }
    if (!event.error.isEmpty())
        return event.error;
    if (!event.message.isEmpty())
        return event.message;
    for (const auto *key : {"name", "state", "cause"}) {
        if (const QString value = extra(key); !value.isEmpty())
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

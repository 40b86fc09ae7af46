// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "hooktreemodel.h"

#include "statuscolors.h"

#include <QCborArray>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

namespace {
// internalId of a hook row; a handler row's is its hook's row + 1.
constexpr quintptr HookId = 0;
} // namespace

HookTreeModel::HookTreeModel(QObject *parent) : QAbstractItemModel(parent) { }

int HookTreeModel::hookRow(const QString &hook)
{
    if (const auto it = m_rowOfHook.constFind(hook); it != m_rowOfHook.cend())
        return *it;
    const int row = int(m_hooks.size());
    beginInsertRows({}, row, row);
    m_hooks.append({hook, {}, {}});
    m_rowOfHook.insert(hook, row);
    endInsertRows();
    return row;
}

int HookTreeModel::handlerRow(int hook, const QString &handler) const
{
    return m_hooks.at(hook).rowOfHandler.value(handler, -1);
}

int HookTreeModel::addHandler(int hook, HandlerRow row)
{
    HookRow &hookRow = m_hooks[hook];
    const int r = int(hookRow.handlers.size());
    beginInsertRows(index(hook, 0), r, r);
    hookRow.rowOfHandler.insert(row.name, r);
    hookRow.handlers.append(std::move(row));
    endInsertRows();
    return r;
}

void HookTreeModel::appendEvents(const QList<TraceEvent> &events)
{
    // A batch: new handlers are collected per hook and inserted at once, and what changed is
    // reported as one range per hook — a trace file is one batch of a million events.
    struct Pending
    {
        QList<HandlerRow> added;
        int firstChanged = std::numeric_limits<int>::max();
        int lastChanged = -1;
    };
    QHash<int, Pending> pending;
    const auto rowOf = [&](int h, const TraceEvent &event) -> HandlerRow & {
        HookRow &hook = m_hooks[h];
        Pending &p = pending[h];
        int r = hook.rowOfHandler.value(event.handler, -1);
        if (r < 0) {
            r = int(hook.handlers.size() + p.added.size());
            hook.rowOfHandler.insert(event.handler, r);
            p.added.append({event.handler, event.weight, event.owner, event.source, {}, {}, {}});
        }
        if (r >= hook.handlers.size())
            return p.added[r - hook.handlers.size()];
        p.firstChanged = std::min(p.firstChanged, r);
        p.lastChanged = std::max(p.lastChanged, r);
        return hook.handlers[r];
    };
    // What is collected is applied before a registry change, which inserts or removes a row at
    // once: the rows' numbers must be final when it is.
    const auto applyPending = [&] {
        for (auto it = pending.begin(); it != pending.end(); ++it) {
            HookRow &hook = m_hooks[it.key()];
            const QModelIndex parent = index(it.key(), 0);
            if (it->lastChanged >= 0)
                Q_EMIT dataChanged(index(it->firstChanged, 0, parent),
                                   index(it->lastChanged, ColumnCount - 1, parent));
            if (!it->added.isEmpty()) {
                const int first = int(hook.handlers.size());
                beginInsertRows(parent, first, first + int(it->added.size()) - 1);
                if (hook.handlers.isEmpty())
                    hook.handlers = std::move(it->added); // a trace file: no second copy
                else
                    hook.handlers.append(std::move(it->added));
                endInsertRows();
            }
            // The hook row's text counts its handlers.
            Q_EMIT dataChanged(index(it.key(), 0), index(it.key(), ColumnCount - 1));
        }
        pending.clear();
    };
    for (const TraceEvent &event : events) {
        if (m_live && (event.kind == u"handler.added"_s || event.kind == u"handler.removed"_s)) {
            applyPending();
            if (event.kind == u"handler.added"_s)
                addRegistered(event);
            else
                removeRegistered(event);
            continue;
        }
        const bool begin = event.kind == u"handler.begin"_s;
        const bool end = event.kind == u"handler.end"_s || event.kind == u"deferral.end"_s;
        if (event.kind == u"hook.begin"_s) {
            hookRow(event.hook);
            continue;
        }
        if (!begin && !end)
            continue;
        HandlerRow &row = rowOf(hookRow(event.hook), event);
        if (begin) {
            row.status = u"running"_s;
            row.durationNs.reset();
            row.error.clear();
            if (!event.owner.isEmpty())
                row.owner = event.owner;
            if (!event.source.isEmpty())
                row.source = event.source;
        } else {
            row.status = event.extra.value(u"deferred"_s).toBool() ? u"waiting"_s : event.status;
            row.durationNs = event.durationNs;
            row.error = event.error;
        }
    }
    applyPending();
}

void HookTreeModel::reindex(int hook, int fromRow)
{
    HookRow &row = m_hooks[hook];
    for (int r = fromRow; r < row.handlers.size(); ++r)
        row.rowOfHandler.insert(row.handlers.at(r).name, r);
}

void HookTreeModel::addRegistered(const TraceEvent &event)
{
    const int h = hookRow(event.hook);
    if (handlerRow(h, event.handler) >= 0)
        return; // the snapshot has it already (the backlog repeats what it shows)
    HookRow &hook = m_hooks[h];
    // Run order is weight order, ties in the order of registration: after every handler of
    // this weight or less.
    int r = int(hook.handlers.size());
    if (event.weight) {
        const auto heavier = std::find_if(
                hook.handlers.cbegin(), hook.handlers.cend(),
                [&](const HandlerRow &row) { return row.weight && *row.weight > *event.weight; });
        r = int(heavier - hook.handlers.cbegin());
    }
    beginInsertRows(index(h, 0), r, r);
    hook.handlers.insert(
            r, {event.handler, event.weight, event.owner, event.source, u"not run"_s, {}, {}});
    reindex(h, r);
    endInsertRows();
    Q_EMIT dataChanged(index(h, 0), index(h, ColumnCount - 1)); // its count
}

void HookTreeModel::removeRegistered(const TraceEvent &event)
{
    const int h = m_rowOfHook.value(event.hook, -1);
    const int r = h < 0 ? -1 : handlerRow(h, event.handler);
    if (r < 0)
        return;
    HookRow &hook = m_hooks[h];
    beginRemoveRows(index(h, 0), r, r);
    hook.rowOfHandler.remove(event.handler);
    hook.handlers.removeAt(r);
    reindex(h, r);
    endRemoveRows();
    Q_EMIT dataChanged(index(h, 0), index(h, ColumnCount - 1));
}

void HookTreeModel::markUnfinished()
{
    for (int h = 0; h < m_hooks.size(); ++h) {
        QList<HandlerRow> &handlers = m_hooks[h].handlers;
        for (int r = 0; r < handlers.size(); ++r) {
            HandlerRow &row = handlers[r];
            if (row.status != u"running"_s && row.status != u"waiting"_s)
                continue;
            row.status = u"did not finish"_s;
            const QModelIndex parent = index(h, 0);
            Q_EMIT dataChanged(index(r, 0, parent), index(r, ColumnCount - 1, parent));
        }
    }
}

void HookTreeModel::setSnapshot(const QCborMap &snapshot)
{
    m_live = true;
    for (const QCborValue &hookValue : snapshot.value(u"hooks"_s).toArray()) {
        const QCborMap hook = hookValue.toMap();
        const QString hookName = hook.value(u"name"_s).toString();
        const int h = hookRow(hookName);
        for (const QCborValue &handlerValue : hook.value(u"handlers"_s).toArray()) {
            const QCborMap handler = handlerValue.toMap();
            const QString name = handler.value(u"name"_s).toString();
            if (handlerRow(h, name) >= 0)
                continue;
            // The App's signal handlers (App::preClose() …) stand for the slots connected to
            // the signal: how many there are says more than where Mortar emits it.
            const qint64 receivers = handler.value(u"receivers"_s).toInteger(-1);
            const QString source = receivers >= 0
                    ? (receivers == 1 ? u"1 connected slot"_s
                                      : u"%1 connected slots"_s.arg(receivers))
                    : handler.value(u"source"_s).toString();
            addHandler(h,
                       {name,
                        int(handler.value(u"weight"_s).toInteger()),
                        handler.value(u"owner"_s).toString(),
                        source,
                        u"not run"_s,
                        {},
                        {}});
        }
    }
}

QModelIndex HookTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, HookId);
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex HookTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == HookId)
        return {};
    return createIndex(int(child.internalId() - 1), 0, HookId);
}

int HookTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_hooks.size());
    if (parent.internalId() == HookId && parent.column() == 0)
        return int(m_hooks.at(parent.row()).handlers.size());
    return 0;
}

int HookTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant HookTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == HookId) {
        const HookRow &hook = m_hooks.at(index.row());
        if (role == Qt::DisplayRole && index.column() == Name)
            return hook.name;
        if (role == Qt::DisplayRole && index.column() == Status)
            return hook.handlers.size() == 1 ? u"1 handler"_s
                                             : u"%1 handlers"_s.arg(hook.handlers.size());
        return {};
    }
    const HandlerRow &row = m_hooks.at(int(index.internalId() - 1)).handlers.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name: return row.name;
        case Weight: return row.weight ? QVariant(*row.weight) : QVariant();
        case Owner: return row.owner;
        case Source: return row.source;
        case Status: return row.status;
        case Duration:
            return row.durationNs ? QVariant(QString::number(double(*row.durationNs) / 1e6, 'f', 3))
                                  : QVariant();
        case Error: return row.error;
        }
    } else if (role == Qt::DecorationRole && index.column() == Status) {
        return statusColor(row.status);
    } else if (role == Qt::ToolTipRole && index.column() == Error) {
        return row.error;
    }
    return {};
}

QVariant HookTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return u"hook / handler"_s;
    case Weight: return u"weight"_s;
    case Owner: return u"owner"_s;
    case Source: return u"source"_s;
    case Status: return u"last status"_s;
    case Duration: return u"last duration (ms)"_s;
    case Error: return u"error"_s;
    }
    return {};
}

} // namespace Mortar::Inspector

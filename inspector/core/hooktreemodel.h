// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/trace.h>

#include <QAbstractItemModel>
#include <QCborMap>
#include <QHash>
#include <QList>

#include <optional>

namespace Mortar::Inspector {

/*!
    \brief Hooks and their handlers in run order, with weight, owner, source and how each
    handler's last run ended — a tree: hook → handlers.

    Built from trace events (appendEvents(), in batches): from a file, a handler appears when
    it first ran. From a live app, the snapshot lists the registry as it was when the inspector
    subscribed, and the \c handler.added / \c handler.removed events that stream in keep it the
    registry's (spec §10.1): a handler added later appears before it runs, at its place in the
    run order (by weight), and a removed one goes.
*/
class HookTreeModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { Name, Weight, Owner, Source, Status, Duration, Error, ColumnCount };
    Q_ENUM(Column)

    explicit HookTreeModel(QObject *parent = nullptr);

    void appendEvents(const QList<TraceEvent> &events);
    /*! The trace is complete (a file, or a live app that ended): a handler still "running" or
        "waiting" never finished — it hung, or the process was killed or crashed in it. */
    void markUnfinished();
    /*! The registered hooks and handlers of a live app (the protocol's snapshot): handlers that
        have not run are listed as such. */
    void setSnapshot(const QCborMap &snapshot);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct HandlerRow
    {
        QString name;
        std::optional<int> weight;
        QString owner;
        QString source;
        QString status; // of the last run; "running" between begin and end
        std::optional<qint64> durationNs;
        QString error;
    };
    struct HookRow
    {
        QString name;
        QList<HandlerRow> handlers;
        QHash<QString, int> rowOfHandler; // a close can have 500 000 handlers: no search by name
    };

    int hookRow(const QString &hook);                       // adds the hook if new
    int handlerRow(int hook, const QString &handler) const; // -1 if not listed
    int addHandler(int hook, HandlerRow row);
    /*! A live \c handler.added: inserted where it will run (after the handlers of its weight
        and lighter ones), unless listed. Costs the hook's handler count. */
    void addRegistered(const TraceEvent &event);
    /*! A live \c handler.removed: the row goes. Costs the hook's handler count. */
    void removeRegistered(const TraceEvent &event);
    void reindex(int hook, int fromRow);

    QList<HookRow> m_hooks;
    QHash<QString, int> m_rowOfHook;
    bool m_live = false; // a snapshot came: registry changes are applied as they stream in
};

} // namespace Mortar::Inspector

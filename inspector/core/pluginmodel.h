// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/trace.h>

#include <QAbstractTableModel>
#include <QCborMap>
#include <QHash>
#include <QList>
#include <QStringList>

#include <optional>

namespace Mortar::Inspector {

/*!
    \brief An app's plugins as a table: name, version, state, the worst status of its handlers,
    load time, description, dependencies, what enabled it, file and error.

    A live app's snapshot lists every plugin it found (setSnapshot()), those it left disabled
    included; the plugin.loaded / plugin.failed / plugin.unloaded events (appendEvents()) then
    change their state as they happen. A trace file has only the events, so it shows the plugins
    that loaded, failed or unloaded.
*/
class PluginModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Name,
        Version,
        State,
        Handlers, //!< the worst status of the plugin's handlers (those it owns)
        LoadTime,
        Description,
        Depends,
        EnabledBy,
        File,
        Error,
        ColumnCount
    };
    Q_ENUM(Column)

    explicit PluginModel(QObject *parent = nullptr);

    void setSnapshot(const QCborMap &snapshot);
    void appendEvents(const QList<TraceEvent> &events);
    /*! The trace is complete: a handler of a plugin still running never finished. */
    void markUnfinished();
    void clear();

    /*! The row of the plugin named \a name, or -1. */
    int rowOf(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Plugin
    {
        QString name;
        QString version;
        QString description;
        QStringList depends;
        QString state; // PluginInfo::State's key: Discovered, Loaded, Failed, Disabled, Unloaded
        QString enabledBy;
        QString fileName;
        QString error;
        std::optional<qint64> loadNs;
        // Its handlers (handler.begin's owner is the plugin's name): how many ran, and how
        // many of them failed, timed out, or are still running (did not finish, at the end).
        qint64 handlersRun = 0;
        qint64 failed = 0;
        qint64 timedOut = 0;
        qint64 running = 0;
    };
    QString handlersStatus(const Plugin &plugin) const;

    Plugin &plugin(const QString &name); // adds it if new
    void changed(const Plugin &plugin);

    QList<Plugin> m_plugins;
    // The open handlers of plugins (hook + handler → owner): handler.end does not repeat the
    // owner, and only a plugin's few open handlers need remembering.
    QHash<QString, QString> m_openOwner;
    bool m_complete = false;
};

} // namespace Mortar::Inspector
